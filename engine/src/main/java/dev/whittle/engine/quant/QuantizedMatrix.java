package dev.whittle.engine.quant;

/**
 * A weight matrix {@code [rows x cols]} as integer codes: {@code codes[r * cols + c]} (signed, as the scheme's
 * range), with the scale and zero point of each row's groups ({@code [rows x groups]}, row-major).
 */
public record QuantizedMatrix(int rows, int cols, QuantizationScheme scheme, byte[] codes, float[] scales,
                              int[] zeros) {

    public QuantizedMatrix {
        int groups = scheme.groups(cols);
        if (codes.length != (long) rows * cols || scales.length != (long) rows * groups
                || zeros.length != scales.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix in " + groups
                    + " groups per row, given " + codes.length + " codes and " + scales.length + " scales");
        }
    }

    public int groups() {
        return scheme.groups(cols);
    }

    /** The weights the codes stand for, {@code (q - z) s}, in fp32. */
    public float[] dequantize() {
        float[] w = new float[codes.length];
        int width = scheme.groupWidth(cols);
        int groups = groups();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = r * groups + c / width;
                w[r * cols + c] = QuantizationScheme.dequantize(codes[r * cols + c], scales[g], zeros[g]);
            }
        }
        return w;
    }
}
