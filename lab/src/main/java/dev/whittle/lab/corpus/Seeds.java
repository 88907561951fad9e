package dev.whittle.lab.corpus;

import java.util.SplittableRandom;

/**
 * Independent, reproducible random streams derived from one seed, so that any document of the corpus can be
 * generated on its own (random access, resumable) and always comes out the same.
 */
final class Seeds {

    private Seeds() {
    }

    /** A random stream determined by {@code seed} and the parts that name the document (kind, indices). */
    static SplittableRandom derive(long seed, long... parts) {
        long h = mix(seed);
        for (long part : parts) {
            h = mix(h ^ mix(part + 0x632BE59BD9B4E019L));
        }
        return new SplittableRandom(h);
    }

    /** The SplitMix64 finaliser: a bijection that scatters nearby inputs far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher-Yates shuffle of {@code values} in place. */
    static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
