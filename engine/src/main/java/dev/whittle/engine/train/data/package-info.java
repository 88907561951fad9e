/**
 * Training batches: fixed-length windows of a token stream with a per-token loss mask, visited in a random order
 * whose whole state fits a checkpoint ({@link dev.whittle.engine.train.data.SplitMix64}).
 */
package dev.whittle.engine.train.data;
