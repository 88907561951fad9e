/**
 * What an update does to the weights: {@link dev.whittle.engine.train.optim.Parameter} (trainable, frozen, decayed,
 * with a fixed sparsity mask), {@link dev.whittle.engine.train.optim.AdamW}, the warmup-cosine
 * {@link dev.whittle.engine.train.optim.LearningRateSchedule} and global-norm
 * {@link dev.whittle.engine.train.optim.GradientClipping}.
 */
package dev.whittle.engine.train.optim;
