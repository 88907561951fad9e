package dev.whittle.engine.quant;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** compressed-tensors' int32 packing: its documented example, and the round trip to the bit at every width. */
class PackedInt32Test {

    @Test
    void packsEightBitCodesAsTheSpecificationsExampleSays() {
        // pack_to_int32's docstring: codes [1, 2] at 8 bits -> unsigned [129, 130] -> 0x00008281 = 33409
        assertThat(PackedInt32.packRows(new int[] {1, 2}, 1, 2, 8)).containsExactly(33409);
    }

    @Test
    void packsFourBitCodesFromTheLowBitsUp() {
        // codes -8..7 become 0..15; eight per word, the first in bits 0-3
        int[] codes = {-8, -7, 0, 1, 2, 3, 6, 7};
        int expected = 0;
        for (int i = 0; i < 8; i++) {
            expected |= (codes[i] + 8) << (4 * i);
        }
        assertThat(PackedInt32.packRows(codes, 1, 8, 4)).containsExactly(expected);
        assertThat(expected).isEqualTo(0xFEBA9810);
    }

    @Test
    void unpackingReturnsEveryCodeAtEveryWidthAndRaggedShape() {
        SplittableRandom random = new SplittableRandom(5);
        for (int bits = 2; bits <= 8; bits++) {
            int rows = 7;
            int cols = 29; // not a multiple of any codes-per-word, so the last word of each row is padded
            int[] codes = new int[rows * cols];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = random.nextInt(-(1 << (bits - 1)), 1 << (bits - 1));
            }
            int per = 32 / bits;
            int[] rowsPacked = PackedInt32.packRows(codes, rows, cols, bits);
            assertThat(rowsPacked).hasSize(rows * ((cols + per - 1) / per));
            assertThat(PackedInt32.unpackRows(rowsPacked, rows, cols, bits)).containsExactly(codes);
            int[] columnsPacked = PackedInt32.packColumns(codes, rows, cols, bits);
            assertThat(columnsPacked).hasSize(((rows + per - 1) / per) * cols);
            assertThat(PackedInt32.unpackColumns(columnsPacked, rows, cols, bits)).containsExactly(codes);
        }
    }
}
