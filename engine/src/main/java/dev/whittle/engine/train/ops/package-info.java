/**
 * The losses training takes on the head's logits, each forward beside its backward. The layers' own forwards and
 * backwards stand together in {@code engine.model}, where inference runs the same forwards.
 * <p>
 * Conventions: arrays are row-major {@code float[]} with offsets; a {@code backward} takes what the forward saw and
 * writes the gradient of the logits.
 */
package dev.whittle.engine.train.ops;
