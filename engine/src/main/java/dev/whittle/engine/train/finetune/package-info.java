/**
 * Recovery fine-tuning of a model folder in one call, what a DISTILL stage runs: supervised fine-tuning or logit
 * distillation (self-data distillation regenerates the examples first, with {@code train.distill.SelfDistillation},
 * then fine-tunes on them), on every weight or through LoRA adapters, with pruned weights kept at zero, a held-out
 * loss, progress, cancellation and checkpoints that a later attempt resumes from.
 */
package dev.whittle.engine.train.finetune;
