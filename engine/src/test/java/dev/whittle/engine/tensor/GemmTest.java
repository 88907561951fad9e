package dev.whittle.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GemmTest {

    /** Shapes (m, n, k): edge sizes, sizes off the vector/tile/panel multiples, k below and above the k-block. */
    static Stream<Arguments> shapes() {
        List<int[]> shapes = new ArrayList<>(List.of(
                new int[] {1, 1, 1}, new int[] {1, 17, 5}, new int[] {17, 1, 5}, new int[] {3, 5, 1},
                new int[] {1, 300, 700}, new int[] {2, 129, 257}, new int[] {4, 1000, 64}, new int[] {5, 33, 300},
                new int[] {7, 47, 255}, new int[] {13, 31, 513}, new int[] {64, 96, 256}, new int[] {65, 97, 257},
                new int[] {130, 70, 600}, new int[] {200, 190, 33}, new int[] {37, 300, 1030},
                // either side of the switch between dot-product tiles and the packed path (B stored [n x k])
                new int[] {Gemm.DOT_ROWS - 1, 45, 70}, new int[] {Gemm.DOT_ROWS, 45, 70},
                // either side of the switch between streaming B and packing it (B stored [k x n])
                new int[] {Gemm.STREAM_ROWS - 1, 77, 40}, new int[] {Gemm.STREAM_ROWS, 77, 40},
                // more A than one packing holds: taken in groups of rows
                new int[] {300, 20, 16_000}));
        Random32 random = new Random32(11);
        for (int i = 0; i < 8; i++) {
            shapes.add(new int[] {random.nextInt(1, 150), random.nextInt(1, 150), random.nextInt(1, 700)});
        }
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : shapes) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    cases.add(Arguments.of(transA, transB, s[0], s[1], s[2], cases.size() % 2 == 0));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} accumulate={5}")
    @MethodSource("shapes")
    void matchesAScalarDoublePrecisionProduct(boolean transA, boolean transB, int m, int n, int k, boolean accumulate) {
        Random32 random = new Random32(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        // Offsets and leading dimensions wider than the rows, so strides are exercised too.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 5, ldc = n + 2;
        int aOff = 4, bOff = 9, cOff = 6;
        float[] a = random.floats(aOff + aRows * lda);
        float[] b = random.floats(bOff + bRows * ldb);
        float[] c = random.floats(cOff + m * ldc);
        float[] before = c.clone();

        Gemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                    abs += Math.abs(av * bv);
                }
                int ci = cOff + i * ldc + j;
                if (accumulate) {
                    sum += before[ci];
                    abs += Math.abs(before[ci]);
                }
                // fp32 accumulation: error relative to the sum of |terms|, not to the (possibly cancelling) result.
                assertThat((double) c[ci]).as("c[%d][%d]", i, j).isCloseTo(sum, offset(2e-6 * abs + 1e-30));
            }
        }
        // Padding between rows of C is never written.
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                assertThat(c[cOff + i * ldc + j]).isEqualTo(before[cOff + i * ldc + j]);
            }
        }
        assertThat(c[0]).isEqualTo(before[0]);
    }

    /**
     * Batched decoding relies on it: below {@link Gemm#DOT_ROWS} rows, a linear layer's output row is the same bits
     * whether the row is multiplied alone or with others (whichever register tile it lands in), and both match a
     * scalar double-precision dot product to fp32 accuracy.
     */
    @Test
    void aFewRowsGiveEachRowTheBitsItGetsAlone() {
        int n = 23, k = 203; // neither a multiple of the tile nor of the vector
        Random32 random = new Random32(5);
        float[] w = random.floats(n * k);
        for (int m : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 13, 32, Gemm.DOT_ROWS - 1}) {
            float[] x = random.floats(m * k);
            float[] y = new float[m * n];
            Gemm.gemm(false, true, m, n, k, x, 0, k, w, 0, k, y, 0, n, false);
            for (int i = 0; i < m; i++) {
                float[] alone = new float[n];
                Gemm.gemm(false, true, 1, n, k, x, i * k, k, w, 0, k, alone, 0, n, false);
                for (int j = 0; j < n; j++) {
                    assertThat(y[i * n + j]).as("m %d row %d column %d", m, i, j).isEqualTo(alone[j]);
                    double expected = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        expected += (double) x[i * k + p] * w[j * k + p];
                        abs += Math.abs((double) x[i * k + p] * w[j * k + p]);
                    }
                    assertThat((double) alone[j]).isCloseTo(expected, offset(2e-6 * abs));
                }
            }
        }
    }

    @Test
    void emptyDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4};
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, true);
        assertThat(c).containsExactly(1, 2, 3, 4);
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, false);
        assertThat(c).containsExactly(0, 0, 0, 0);
    }

    @Test
    void refusesMatricesThatDoNotFitTheirArrays() {
        float[] small = new float[7];
        assertThatThrownBy(() -> Gemm.gemm(false, true, 2, 3, 4, small, 0, 4, new float[12], 0, 4, new float[6], 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A (2 x 4");
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 3, 4, new float[8], 0, 4, new float[12], 0, 2, new float[6], 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leading dimension of B is 2");
    }
}
