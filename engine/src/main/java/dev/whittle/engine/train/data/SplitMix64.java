package dev.whittle.engine.train.data;

/**
 * A small random generator whose whole state is one {@code long} (Steele, Lea and Flood's SplitMix64), so that a
 * checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted run would have drawn.
 */
public final class SplitMix64 {

    private long state;

    public SplitMix64(long state) {
        this.state = state;
    }

    /** The state to store; {@code new SplitMix64(state())} continues this sequence. */
    public long state() {
        return state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)} without modulo bias (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        int low = (int) m;
        if (Integer.toUnsignedLong(low) < bound) {
            long threshold = Integer.toUnsignedLong(-bound % bound);
            while (Integer.toUnsignedLong(low) < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = (int) m;
            }
        }
        return (int) (m >>> 32);
    }

    /** Shuffles {@code values} in place (Fisher-Yates). */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
