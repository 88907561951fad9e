package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecodeAttentionTest {

    @ParameterizedTest(name = "T={0} past={1} heads={2} kvHeads={3} headDim={4}")
    @CsvSource({
            "1, 0, 1, 1, 8",       // a single position: one key in the first block
            "1, 2047, 12, 12, 64", // the bench's decode step without grouping
            "1, 2046, 12, 3, 64",  // groups of four, a cache that ends inside a block
            "1, 300, 32, 8, 128",  // groups of four at head size 128
            "1, 77, 5, 1, 32",     // a group of five: a register tile of four rows and one of one
            "1, 131, 10, 2, 24",   // groups of five at head size 24 (three vectors: register tiles repeat a dim)
            "1, 127, 6, 2, 20",    // head size not a multiple of the vector length; a cache of one whole tile
            "3, 70, 4, 1, 64",     // a few positions of groups of four: twelve rows, some keys hidden
            "5, 9, 2, 2, 128",     // a short draft against a short cache
            "8, 1000, 12, 3, 64",  // the most positions a cache gives this kernel, over two splits
            "16, 200, 8, 2, 32",   // sixteen positions of groups of four: 64 rows
            "2, 0, 4, 4, 32",      // no cache: the second row sees the first
            "7, 122, 8, 1, 16",    // eight heads on one kv head, rows past a tile boundary
            "5, 510, 4, 2, 32",    // rows on both sides of a split boundary: the first sees none of the second split
            "1, 1100, 6, 6, 64",   // three splits, the last short
    })
    void matchesNaiveSoftmaxAttentionOverTheBlockedKeys(int T, int past, int nHeads, int nKvHeads, int headDim) {
        Random32 random = new Random32(T * 1000L + past + headDim);
        int positions = past + T;
        int kvDim = nKvHeads * headDim;
        int qOff = 3, vOff = 7, outOff = 2;
        float[] q = random.floats(qOff + T * nHeads * headDim);
        float[] k = random.floats(positions * kvDim);
        float[] v = random.floats(vOff + positions * kvDim);
        // Larger logits than uniform noise gives, so the softmax is peaked and the online max matters.
        for (int i = 0; i < q.length; i++) {
            q[i] *= 4;
        }
        int headStride = (int) DecodeAttention.keyFloats(positions, headDim) + 8; // room between the heads
        float[] kt = new float[nKvHeads * headStride];
        DecodeAttention.packKeys(0, positions, nKvHeads, headDim, k, 0, kt, headStride);
        int valueCapacity = positions + 3; // the last value block is laid out for the capacity, not the positions
        float[] vt = new float[nKvHeads * (int) DecodeAttention.valueFloats(valueCapacity, headDim)];
        DecodeAttention.packValues(0, positions, nKvHeads, headDim, v, vOff, vt, valueCapacity);
        float[] out = new float[outOff + T * nHeads * headDim];
        float[] lse = new float[T * nHeads];

        DecodeAttention.decode(T, past, nHeads, nKvHeads, headDim, q, qOff, kt, headStride, vt, valueCapacity,
                out, outOff, lse);

        AttentionReference.assertMatches(T, past, nHeads, nKvHeads, headDim, q, qOff, k, 0, v, vOff, out, outOff, lse);
    }

    @Test
    void oneThreadGivesTheSameBitsAsAll() {
        int past = 1500, nHeads = 12, nKvHeads = 3, headDim = 64, positions = past + 2;
        Random32 random = new Random32(12);
        float[] q = random.floats(2 * nHeads * headDim), k = random.floats(positions * nKvHeads * headDim);
        float[] v = random.floats(positions * nKvHeads * headDim);
        int headStride = (int) DecodeAttention.keyFloats(positions, headDim);
        float[] kt = new float[nKvHeads * headStride];
        DecodeAttention.packKeys(0, positions, nKvHeads, headDim, k, 0, kt, headStride);
        float[] vt = new float[nKvHeads * (int) DecodeAttention.valueFloats(positions, headDim)];
        DecodeAttention.packValues(0, positions, nKvHeads, headDim, v, 0, vt, positions);
        float[] all = new float[2 * nHeads * headDim], one = new float[2 * nHeads * headDim];

        DecodeAttention.decode(2, past, nHeads, nKvHeads, headDim, q, 0, kt, headStride, vt, positions, all, 0,
                null);
        // A kernel called from inside a Parallel job runs on that job's thread alone.
        Parallel.forChunks(2, 1, (i0, i1) -> {
            if (i0 == 0) {
                DecodeAttention.decode(2, past, nHeads, nKvHeads, headDim, q, 0, kt, headStride, vt, positions,
                        one, 0, null);
            }
        });

        assertThat(one).containsExactly(all);
    }

    @Test
    void unpackingRestoresThePackedRows() {
        int nKvHeads = 2, headDim = 12, positions = 19;
        float[] k = new Random32(13).floats(5 + positions * nKvHeads * headDim);
        int headStride = (int) DecodeAttention.keyFloats(positions, headDim) + 3;
        float[] kt = new float[nKvHeads * headStride];
        // In two appends, the second starting inside a block, as a cache fills.
        DecodeAttention.packKeys(0, 11, nKvHeads, headDim, k, 5, kt, headStride);
        DecodeAttention.packKeys(11, positions - 11, nKvHeads, headDim, k, 5 + 11 * nKvHeads * headDim, kt, headStride);
        float[] back = new float[1 + positions * nKvHeads * headDim];

        DecodeAttention.unpackKeys(positions, nKvHeads, headDim, kt, headStride, back, 1);

        for (int i = 0; i < positions * nKvHeads * headDim; i++) {
            assertThat(back[1 + i]).as("float %d", i).isEqualTo(k[5 + i]);
        }
    }

    @Test
    void unpackingRestoresThePackedValuesAlsoAfterACopyToAnotherCapacity() {
        int nKvHeads = 2, headDim = 12, positions = 140; // a partial vector of dims, past one value block
        int capacity = 150, larger = 300;                 // last blocks of 22 and 44 positions
        float[] v = new Random32(14).floats(5 + positions * nKvHeads * headDim);
        float[] vt = new float[nKvHeads * (int) DecodeAttention.valueFloats(capacity, headDim)];
        DecodeAttention.packValues(0, 11, nKvHeads, headDim, v, 5, vt, capacity);
        DecodeAttention.packValues(11, positions - 11, nKvHeads, headDim, v, 5 + 11 * nKvHeads * headDim, vt,
                capacity);
        float[] copy = new float[nKvHeads * (int) DecodeAttention.valueFloats(larger, headDim)];
        DecodeAttention.copyValues(positions, nKvHeads, headDim, vt, capacity, copy, larger);
        float[] back = new float[1 + positions * nKvHeads * headDim];
        float[] backFromCopy = new float[1 + positions * nKvHeads * headDim];

        DecodeAttention.unpackValues(positions, nKvHeads, headDim, vt, capacity, back, 1);
        DecodeAttention.unpackValues(positions, nKvHeads, headDim, copy, larger, backFromCopy, 1);

        for (int i = 0; i < positions * nKvHeads * headDim; i++) {
            assertThat(back[1 + i]).as("float %d", i).isEqualTo(v[5 + i]);
            assertThat(backFromCopy[1 + i]).as("float %d of the copy", i).isEqualTo(v[5 + i]);
        }
    }

    @Test
    void keysTooShortForThePositionsAreRejected() {
        float[] x = new float[4096];
        int tooShort = (int) DecodeAttention.keyFloats(40, 8) - 1;
        float[] vt = new float[2 * (int) DecodeAttention.valueFloats(40, 8)];
        assertThatThrownBy(() -> DecodeAttention.decode(1, 39, 2, 2, 8, x, 0, new float[2 * tooShort], tooShort,
                vt, 40, x, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
    }

    @Test
    void valuesTooShortForThePositionsAreRejected() {
        float[] x = new float[4096];
        int keys = (int) DecodeAttention.keyFloats(40, 8);
        float[] tooShort = new float[2 * (int) DecodeAttention.valueFloats(40, 8) - 1];
        assertThatThrownBy(() -> DecodeAttention.decode(1, 39, 2, 2, 8, x, 0, new float[2 * keys], keys,
                tooShort, 40, x, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
    }
}
