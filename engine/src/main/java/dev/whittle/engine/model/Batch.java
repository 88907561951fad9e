package dev.whittle.engine.model;

import java.util.List;

/**
 * Sequences run together: their rows are stacked into one {@code [rows x hidden]} matrix (so the projections are
 * one product each) while attention stays within each sequence. A sequence with a {@link KvCache} continues
 * after the positions its cache holds and appends its new keys and values to it.
 */
public final class Batch {

    private final int[][] tokens;
    private final KvCache[] caches;
    private final int[] rowStart;
    private final int rows;

    private Batch(List<int[]> tokens, List<KvCache> caches) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        if (caches != null && caches.size() != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " sequences but " + caches.size() + " caches");
        }
        this.tokens = tokens.toArray(int[][]::new);
        this.caches = caches == null ? new KvCache[this.tokens.length] : caches.toArray(KvCache[]::new);
        this.rowStart = new int[this.tokens.length + 1];
        long total = 0;
        for (int s = 0; s < this.tokens.length; s++) {
            if (this.tokens[s].length == 0) {
                throw new IllegalArgumentException("sequence " + s + " of the batch is empty");
            }
            rowStart[s] = (int) total;
            total += this.tokens[s].length;
            if (total > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("a batch of " + total + " tokens is too large for one forward");
            }
        }
        for (int s = 0; s < this.caches.length; s++) {
            for (int other = 0; other < s; other++) {
                if (this.caches[s] != null && this.caches[s] == this.caches[other]) {
                    throw new IllegalArgumentException("sequences " + other + " and " + s + " share one cache");
                }
            }
        }
        this.rows = (int) total;
        rowStart[this.tokens.length] = rows;
    }

    /** Whole sequences from position 0, without caches. */
    public static Batch of(List<int[]> tokens) {
        return new Batch(tokens, null);
    }

    /** One sequence from position 0. */
    public static Batch of(int[] tokens) {
        return new Batch(List.of(tokens), null);
    }

    /** Sequences that continue their caches (a null cache means: from position 0, nothing kept). */
    public static Batch continuing(List<int[]> tokens, List<KvCache> caches) {
        return new Batch(tokens, caches);
    }

    public int size() {
        return tokens.length;
    }

    /** Total rows: the sum of the sequence lengths. */
    public int rows() {
        return rows;
    }

    public int[] tokens(int sequence) {
        return tokens[sequence];
    }

    public int length(int sequence) {
        return tokens[sequence].length;
    }

    /** The first row of {@code sequence} in the stacked matrices. */
    public int rowStart(int sequence) {
        return rowStart[sequence];
    }

    /** The last row of {@code sequence}. */
    public int lastRow(int sequence) {
        return rowStart[sequence + 1] - 1;
    }

    /** The cache of {@code sequence}, or null. */
    public KvCache cache(int sequence) {
        return caches[sequence];
    }

    /** The absolute position of the first new token of {@code sequence}: the positions its cache holds. */
    public int past(int sequence) {
        return caches[sequence] == null ? 0 : caches[sequence].length();
    }

    /** One past the last absolute position any sequence reaches. */
    public int endPosition() {
        int end = 0;
        for (int s = 0; s < tokens.length; s++) {
            end = Math.max(end, past(s) + tokens[s].length);
        }
        return end;
    }
}
