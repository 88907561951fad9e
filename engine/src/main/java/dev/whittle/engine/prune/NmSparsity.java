package dev.whittle.engine.prune;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Semi-structured N:M sparsity in the convention of the Wanda and SparseGPT code ({@code prune_n}, {@code prune_m}):
 * in every group of {@code m} consecutive input weights of a row (columns {@code [g*m, (g+1)*m)} of a
 * {@code [out x in]} weight), exactly {@code n} are pruned (set to zero) and {@code m - n} are kept. So 2:4 zeroes
 * 2 of every 4 (50%, the pattern sparse tensor cores run) and 1:4 zeroes 1 of every 4 (25%). For 2:4 and 4:8 this
 * agrees with NVIDIA's "N of M kept"; for other pairs it is the pruned count that comes first.
 */
public record NmSparsity(int n, int m) {

    public NmSparsity {
        if (n < 1 || m < 2 || n >= m) {
            throw new IllegalArgumentException("N:M needs 1 <= N < M, got " + n + ":" + m);
        }
    }

    /** Parses {@code "2:4"} (the JSON form). */
    @JsonCreator
    public static NmSparsity parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("N:M must look like 2:4, got '" + text + "'");
        }
        int n;
        int m;
        try {
            n = Integer.parseInt(parts[0].trim());
            m = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("N:M must look like 2:4, got '" + text + "'");
        }
        return new NmSparsity(n, m);
    }

    /** The fraction of weights pruned, {@code n / m}. */
    public double sparsity() {
        return (double) n / m;
    }

    @Override
    @JsonValue
    public String toString() {
        return n + ":" + m;
    }
}
