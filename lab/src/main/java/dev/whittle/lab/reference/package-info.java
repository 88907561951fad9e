/**
 * The project's own reference model, {@code whittle-ref}: a small Llama trained in the JVM on the reference
 * recipe ({@code lab.corpus}), evaluated on the knowledge tasks and WikiText-2, and published as a Hugging Face
 * folder with a model card.
 * <ul>
 *   <li>{@link dev.whittle.lab.reference.ReferencePlan}: dimensions and training settings;</li>
 *   <li>{@link dev.whittle.lab.reference.PackedStream}: the mix as one token stream with its loss mask;</li>
 *   <li>{@link dev.whittle.lab.reference.ReferenceTraining}: resumable slices in a run folder, checkpoints on a
 *       wall-clock interval, the {@link dev.whittle.lab.reference.LossLog};</li>
 *   <li>{@link dev.whittle.lab.reference.ReferenceEvaluation}: closed-book, in-context, multiple choice,
 *       WikiText-2;</li>
 *   <li>{@link dev.whittle.lab.reference.ReferenceExport}, {@link dev.whittle.lab.reference.ModelCard},
 *       {@link dev.whittle.lab.reference.LossCurve}: the published folder;</li>
 *   <li>{@link dev.whittle.lab.reference.ReferencePipeline}: all of it in order (what the CLI runs).</li>
 * </ul>
 */
package dev.whittle.lab.reference;
