package dev.whittle.engine.quant;

/** Round to nearest: each group's min and max give its scale and zero point, and every weight is rounded alone. */
public final class RtnQuantization {

    private RtnQuantization() {
    }

    /** Quantizes {@code weight} ({@code [rows x cols]}, read only). */
    public static QuantizedMatrix quantize(float[] weight, int rows, int cols, QuantizationScheme scheme) {
        int groups = scheme.groups(cols);
        float[] scales = new float[rows * groups];
        int[] zeros = new int[rows * groups];
        GroupParameters.fit(weight, rows, cols, scheme, scales, zeros);
        byte[] codes = new byte[rows * cols];
        int width = scheme.groupWidth(cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = r * groups + c / width;
                codes[r * cols + c] = (byte) scheme.quantize(weight[r * cols + c], scales[g], zeros[g]);
            }
        }
        return new QuantizedMatrix(rows, cols, scheme, codes, scales, zeros);
    }
}
