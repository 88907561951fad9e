package dev.whittle.engine.prune;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on N:M patterns shared by the pruning tests. */
final class NmChecks {

    private NmChecks() {
    }

    /** Every group of {@code nm.m()} consecutive inputs of every row has exactly {@code nm.n()} zeros. */
    static void assertNm(float[] w, int rows, int cols, NmSparsity nm) {
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += nm.m()) {
                int zeros = 0;
                for (int i = g; i < g + nm.m(); i++) {
                    if (w[r * cols + i] == 0) {
                        zeros++;
                    }
                }
                assertThat(zeros).as("zeros in row %d, columns %d..%d", r, g, g + nm.m() - 1).isEqualTo(nm.n());
            }
        }
    }
}
