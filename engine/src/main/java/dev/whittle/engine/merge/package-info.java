/**
 * Merging models of one architecture tensor by tensor, with mergekit's recipe names: {@code linear} (weighted
 * average), {@code slerp} (spherical interpolation of two models) and {@code ties} (task vectors against a base,
 * trimmed, sign-elected, disjoint mean). {@link dev.whittle.engine.merge.MergeMath} holds the formulas on one
 * tensor; {@link dev.whittle.engine.merge.ModelMerge} checks the folders agree and writes the merged one.
 */
package dev.whittle.engine.merge;
