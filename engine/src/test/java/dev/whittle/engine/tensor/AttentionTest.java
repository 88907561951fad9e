package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AttentionTest {

    @ParameterizedTest(name = "T={0} past={1} heads={2} kvHeads={3} headDim={4}")
    @CsvSource({
            "1, 0, 1, 1, 1",       // a single position
            "1, 37, 4, 2, 64",     // decode step against a cache
            "5, 0, 2, 2, 8",
            "17, 3, 4, 1, 12",     // head size not a multiple of the vector length
            "40, 70, 6, 3, 64",    // crosses query and key blocks, with a cache
            "100, 0, 2, 1, 128",   // prefill, multi-query
            "33, 130, 3, 3, 80",
            "16, 48, 8, 2, 16",    // block-aligned everything
            "9, 5, 6, 2, 20",      // groups of three heads: rows that fill vectors unevenly
            "20, 0, 5, 5, 33",     // head size odd
            "12, 2, 1, 1, 16",     // a single vector of rows
            "1, 100, 8, 1, 64",    // decode step of eight heads sharing one kv head
            "70, 0, 1, 1, 64",     // key blocks not a multiple of the query block
            "130, 0, 8, 4, 32",    // whittle-ref's heads, a length past two key blocks
            "77, 0, 4, 4, 32",     // head size 32 without grouping, length not a multiple of a block
            "75, 9, 6, 2, 64",     // groups of three at head size 64, with a cache
            "67, 0, 4, 2, 128",    // head size 128, pairs of heads, past one key block
            "300, 0, 2, 2, 32",    // head size 32: more tiles than a span walk the key blocks, over several spans
            "201, 13, 4, 1, 64",   // four heads per kv head with a cache, several spans, the last one short
            "150, 0, 3, 3, 128",   // head size 128 over several spans
            "129, 0, 10, 2, 24",   // groups of five: a tile's rows end inside its last vector
            "1, 300, 8, 2, 128",   // decode step, groups of four at head size 128: one key read for four rows
            "3, 70, 2, 2, 33",     // a few positions on the dot path, odd head size
            "2, 90, 6, 2, 64",     // two positions of groups of three: six rows on the dot path
            "1, 77, 4, 4, 40",     // decode step whose cache ends inside a block of eight keys
            "11, 0, 2, 2, 32",     // a run of six keys, then four with the last repeated
            "131, 5, 8, 2, 32",    // groups of four at head size 32, odd length, with a cache
            "95, 0, 10, 2, 32",    // groups of five at head size 32, length not a multiple of a tile
            "30, 4, 20, 1, 32",    // multi-query with more heads than a tile's rows: slices of 16 and of 4
            "9, 0, 40, 2, 16",     // two kv heads of twenty: slices of a group, each a position per tile
    })
    void matchesNaiveSoftmaxAttentionWithCausalMaskAndGroupedHeads(int T, int past, int nHeads, int nKvHeads,
                                                                  int headDim) {
        Random32 random = new Random32(T * 1000L + past);
        int S = past + T;
        int qOff = 3, kOff = 5, vOff = 7, outOff = 2;
        float[] q = random.floats(qOff + T * nHeads * headDim);
        float[] k = random.floats(kOff + S * nKvHeads * headDim);
        float[] v = random.floats(vOff + S * nKvHeads * headDim);
        // Larger logits than uniform noise gives, so the softmax is peaked and the online max matters.
        for (int i = 0; i < q.length; i++) {
            q[i] *= 4;
        }
        float[] out = new float[outOff + T * nHeads * headDim];
        float[] lse = new float[T * nHeads];

        Attention.causal(T, past, nHeads, nKvHeads, headDim, q, qOff, k, kOff, v, vOff, out, outOff, lse);

        AttentionReference.assertMatches(T, past, nHeads, nKvHeads, headDim, q, qOff, k, kOff, v, vOff, out, outOff, lse);
    }

    @Test
    void lseIsOptional() {
        Random32 random = new Random32(5);
        float[] q = random.floats(3 * 16), k = random.floats(3 * 16), v = random.floats(3 * 16);
        float[] withLse = new float[3 * 16], without = new float[3 * 16];
        Attention.causal(3, 0, 2, 2, 8, q, 0, k, 0, v, 0, withLse, 0, new float[6]);
        Attention.causal(3, 0, 2, 2, 8, q, 0, k, 0, v, 0, without, 0, null);
        assertThat(without).containsExactly(withLse);
    }

    @Test
    void headsMustGroupEvenlyOverKvHeads() {
        float[] x = new float[64];
        assertThatThrownBy(() -> Attention.causal(1, 0, 3, 2, 4, x, 0, x, 0, x, 0, x, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nKvHeads");
    }
}
