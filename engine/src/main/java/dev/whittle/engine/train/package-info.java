/**
 * Training in the JVM: the backward pass of the dense decoder, the optimiser, the loop and its checkpoints.
 * <ul>
 *   <li>{@code ops}: the losses on logits (cross-entropy), forward beside backward;</li>
 *   <li>{@link dev.whittle.engine.train.DecoderBackward}: the backward of {@code model.Decoder.forward}, reading the
 *       activations the model's own forward kept per block, and composed of the backwards that stand beside each
 *       layer's forward in {@code engine.model} (llm.c style: the forward that inference runs is the one that is
 *       differentiated and checked by finite differences);</li>
 *   <li>{@code optim}: parameters (frozen, masked), AdamW, the schedule, clipping;</li>
 *   <li>{@code data}: fixed-length windows of a token stream, or prompt/response examples (loss on the response),
 *       each in a resumable random order;</li>
 *   <li>{@link dev.whittle.engine.train.Trainer} (held-out loss, progress, cancellation) and
 *       {@link dev.whittle.engine.train.TrainingCheckpoint};</li>
 *   <li>{@code distill}: the teacher's logits as the loss ({@link dev.whittle.engine.train.LogitLoss}), self-data
 *       distillation; {@code lora}: LoRA adapters; {@code finetune}: the whole recovery fine-tune in one call.</li>
 * </ul>
 * <pre>{@code
 * Decoder decoder = Initialisation.randomDecoder(config, seed);        // or DecoderLoader.load(dir, progress)
 * DecoderTraining model = new DecoderTraining(decoder);               // every weight trainable
 * TokenWindows data = new TokenWindows(tokens, scored, 256, 16, seed); // scored: null = loss everywhere
 * Trainer trainer = new Trainer(model, data, new Trainer.Config(steps, accumulation,
 *         new LearningRateSchedule(3e-3, 3e-4, warmup, steps), AdamW.Config.languageModel(), 1.0,
 *         checkpointDir, 500, 10, ceilingGflops));                 // for MFU; lab measures it (bench.FmaCeiling)
 * trainer.run(progress, step -> curve.add(step.loss()));              // resumes from checkpointDir if present
 * }</pre>
 * Runs are deterministic: the same data, seed and thread-independent kernels give the same losses bit for bit,
 * which is what lets a resumed run match an uninterrupted one.
 */
package dev.whittle.engine.train;
