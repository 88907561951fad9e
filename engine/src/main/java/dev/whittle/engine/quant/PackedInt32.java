package dev.whittle.engine.quant;

/**
 * compressed-tensors' packing of {@code b}-bit signed codes into int32: each code is offset by {@code 2^(b-1)} to
 * be unsigned, and {@code 32 / b} of them fill one int32 from its least significant bits up (code {@code i} of a
 * word at bit {@code b * i}); the last word of a line is padded with zeros. Weights are packed along their rows
 * ({@code [rows x ceil(cols / per)]}), zero points along their columns ({@code [ceil(rows / per) x cols]}).
 */
public final class PackedInt32 {

    private PackedInt32() {
    }

    /** Codes per int32. */
    public static int perWord(int bits) {
        return 32 / bits;
    }

    /** {@code codes [rows x cols]} packed along each row. */
    public static int[] packRows(int[] codes, int rows, int cols, int bits) {
        int per = perWord(bits);
        int words = (cols + per - 1) / per;
        int[] packed = new int[rows * words];
        int offset = 1 << (bits - 1);
        int mask = (1 << bits) - 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                packed[r * words + c / per] |= ((codes[r * cols + c] + offset) & mask) << (bits * (c % per));
            }
        }
        return packed;
    }

    /** The inverse of {@link #packRows}. */
    public static int[] unpackRows(int[] packed, int rows, int cols, int bits) {
        int per = perWord(bits);
        int words = (cols + per - 1) / per;
        int[] codes = new int[rows * cols];
        int offset = 1 << (bits - 1);
        int mask = (1 << bits) - 1;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                codes[r * cols + c] = ((packed[r * words + c / per] >>> (bits * (c % per))) & mask) - offset;
            }
        }
        return codes;
    }

    /** {@code codes [rows x cols]} packed down each column. */
    public static int[] packColumns(int[] codes, int rows, int cols, int bits) {
        return transpose(packRows(transpose(codes, rows, cols), cols, rows, bits), cols, (rows + perWord(bits) - 1)
                / perWord(bits));
    }

    /** The inverse of {@link #packColumns}. */
    public static int[] unpackColumns(int[] packed, int rows, int cols, int bits) {
        int words = (rows + perWord(bits) - 1) / perWord(bits);
        return transpose(unpackRows(transpose(packed, words, cols), cols, rows, bits), cols, rows);
    }

    private static int[] transpose(int[] m, int rows, int cols) {
        int[] t = new int[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
