/**
 * The layers of a dense decoder as training sees them: each class holds one operation's {@code forward} and its
 * {@code backward} next to each other, llm.c style, so that a gradient can be checked by reading. Forwards run
 * the {@code engine.tensor} kernels the inference path uses; backwards are built from the same kernels.
 * <p>
 * Conventions: arrays are row-major {@code float[]} with offsets; a {@code backward} takes the upstream gradient
 * {@code d<output>} and writes the gradient of each input ({@code d<input>}). Gradients of activations are
 * written (or added, where an {@code accumulate} flag says so, for inputs that feed more than one branch);
 * gradients of weights are always added, so that micro-batches accumulate. A null gradient array means "not
 * wanted" (a frozen weight, the first layer's input) and its work is skipped.
 */
package dev.whittle.engine.train.ops;
