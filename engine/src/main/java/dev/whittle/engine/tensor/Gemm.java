package dev.whittle.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product on row-major {@code float[]} with offsets and leading dimensions:
 * {@code C[m x n] = op(A)[m x k] . op(B)[k x n]}, plus the old C when {@code accumulate}.
 * <p>
 * The blocked path packs A into strips of {@link #MR} rows (depth-major, once per call) and B, {@link #KC} deep,
 * into panels {@link #NR} columns wide, and runs a register tile of MR rows by two vectors: per depth step two
 * loads of B, eight broadcasts of A and sixteen FMAs. C is split into tiles of whole panels that the threads of
 * {@link Parallel} claim, the caller included. Each element of C is summed in the same order whatever the tiling
 * or thread count, so results repeat bit for bit. Few rows pack nothing: with B stored {@code [n x k]} (a linear
 * layer while decoding or on a short prompt, fewer than {@link #DOT_ROWS} rows) each entry is a dot product
 * along k, and with B stored {@code [k x n]} (fewer than {@link #STREAM_ROWS} rows) B is streamed in place.
 */
public final class Gemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of the register tile. */
    static final int MR = 8;
    /** Columns of the register tile and width of a packed panel of B: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed block: a strip of A (MR x KC, 8 KiB) stays in L1 while it sweeps the block of B. */
    static final int KC = 256;
    /** Most panels in one tile of C: its packed block of B (KC x 8 NR floats, 256 KiB) stays in L2. */
    private static final int MAX_TILE_PANELS = 8;
    /** Fewer rows than this with B stored [n x k] take the dot-product path (measured: it wins up to ~128). */
    static final int DOT_ROWS = 128;

    /** Fewer rows than this with B stored [k x n] read B unpacked (measured: packing costs more up to ~32). */
    static final int STREAM_ROWS = 32;

    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[KC * NR * MAX_TILE_PANELS]);
    /** Most floats of A packed at once (16 MiB); larger A is taken in groups of rows. */
    private static final int PACKED_A_FLOATS = 1 << 22;
    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private Gemm() {
    }

    /**
     * @param transA A is stored {@code [k x m]} (row stride lda) instead of {@code [m x k]}
     * @param transB B is stored {@code [n x k]} (row stride ldb) instead of {@code [k x n]}; a linear layer
     *               {@code y = x W^T} with W {@code [out x in]} is {@code gemm(false, true, T, out, in, x, 0, in,
     *               w, 0, in, y, 0, out, false)}
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        // A's element (i, p) lies at aOff + i * rowStep + p * depthStep, whichever way it is stored.
        int rowStep = transA ? 1 : lda;
        int depthStep = transA ? lda : 1;
        if (transB && m < DOT_ROWS) {
            dotRows(m, n, k, a, aOff, rowStep, depthStep, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else if (!transB && m < STREAM_ROWS) {
            streamRows(m, n, k, a, aOff, rowStep, depthStep, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            blocked(transB, m, n, k, a, aOff, rowStep, depthStep, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    /**
     * Whether a row of A gets the same bits in C from a product of {@code rows} rows as from one of {@code otherRows}
     * rows, B stored {@code [n x k]} (a linear layer): each path sums every element in a fixed order, but the
     * dot-product path and the blocked path sum in different orders. Batched inference groups rows by this so a
     * sequence's results do not depend on what runs beside it.
     */
    public static boolean sameRowResults(int rows, int otherRows) {
        return (rows < DOT_ROWS) == (otherRows < DOT_ROWS);
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("gemm: " + name + " has a negative size " + rows + " x " + cols);
        }
        if (rows > 0 && cols > 0 && ld < cols) {
            throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld
                    + ", less than its " + cols + " stored columns");
        }
        long last = rows == 0 || cols == 0 ? off : off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException("gemm: " + name + " (" + rows + " x " + cols + ", offset " + off
                    + ", leading dimension " + ld + ") does not fit its array of " + x.length);
        }
    }

    // ---------------------------------------------------------------- blocked path

    private static void blocked(boolean transB, int m, int n, int k, float[] a, int aOff, int rowStep, int depthStep,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        // Rows are taken in groups whose packed A fits the buffer; usually the whole of A is one group.
        int groupRows = Math.max(MR, Math.min(m, PACKED_A_FLOATS / k) / MR * MR);
        float[] packedA = packedABuffer((int) Math.min((long) (groupRows + MR) * k, Integer.MAX_VALUE));
        for (int g0 = 0; g0 < m; g0 += groupRows) {
            int g1 = Math.min(m, g0 + groupRows);
            int rowBlocks = (g1 - g0 + MR - 1) / MR;
            int gBase = g0;
            Parallel.forRange(rowBlocks, (r0, r1) -> {
                for (int rb = r0; rb < r1; rb++) {
                    int i = gBase + rb * MR;
                    packA(a, aOff + i * rowStep, rowStep, depthStep, Math.min(MR, g1 - i), k, packedA, rb * k * MR);
                }
            });
            multiplyPacked(transB, g0, g1, n, k, packedA, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    /** Rows g0..g1 of C, their A packed: tiles of whole panels that the threads claim one at a time. */
    private static void multiplyPacked(boolean transB, int g0, int g1, int n, int k, float[] packedA,
                                       float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int threads = Parallel.threads();
        int panels = (n + NR - 1) / NR;
        // Column tiles of whole panels, a multiple of the thread count when there are enough panels to share.
        int colTiles = (panels + MAX_TILE_PANELS - 1) / MAX_TILE_PANELS;
        if (panels >= threads) {
            colTiles = (colTiles + threads - 1) / threads * threads;
        }
        // Row tiles only when the columns alone give fewer than four tiles a thread (each row tile repacks B);
        // several tiles a thread keep the threads even when a neighbour process takes a core for a while.
        int rowBlocks = (g1 - g0 + MR - 1) / MR;
        int rowTiles = Math.min(rowBlocks, Math.max(1, (4 * threads + colTiles - 1) / colTiles));
        int blocksPerRowTile = (rowBlocks + rowTiles - 1) / rowTiles;
        int tiles = ((rowBlocks + blocksPerRowTile - 1) / blocksPerRowTile) * colTiles;
        int finalColTiles = colTiles;
        Parallel.forChunks(tiles, 1, (t0, t1) -> {
            float[] packedB = PACKED_B.get();
            for (int t = t0; t < t1; t++) {
                int rb0 = t / finalColTiles * blocksPerRowTile;
                int rb1 = Math.min(rowBlocks, rb0 + blocksPerRowTile);
                int colTile = t % finalColTiles;
                int j0 = (int) ((long) colTile * panels / finalColTiles) * NR;
                int j1 = Math.min(n, (int) ((long) (colTile + 1) * panels / finalColTiles) * NR);
                tile(transB, g0, g1, rb0, rb1, j0, j1, k, packedA, b, bOff, ldb, c, cOff, ldc, accumulate, packedB);
            }
        });
    }

    /** C over row blocks rb0..rb1 (of the group starting at row g0) and columns j0..j1, all of k, KC at a time. */
    private static void tile(boolean transB, int g0, int g1, int rb0, int rb1, int j0, int j1, int k, float[] packedA,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate,
                             float[] packedB) {
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            packB(transB, b, bOff, ldb, pc, kc, j0, j1, packedB);
            boolean add = accumulate || pc > 0;
            for (int rb = rb0; rb < rb1; rb++) {
                int i = g0 + rb * MR;
                int rows = Math.min(MR, g1 - i);
                int aBase = rb * k * MR + pc * MR;
                for (int j = j0, panel = 0; j < j1; j += NR, panel += kc * NR) {
                    int cols = Math.min(NR, j1 - j);
                    if (rows == MR && cols == NR) {
                        kernel(kc, packedA, aBase, packedB, panel, c, cOff + i * ldc + j, ldc, add);
                    } else {
                        float[] edge = EDGE.get();
                        kernel(kc, packedA, aBase, packedB, panel, edge, 0, NR, false);
                        for (int r = 0; r < rows; r++) {
                            int ci = cOff + (i + r) * ldc + j;
                            for (int q = 0; q < cols; q++) {
                                c[ci + q] = add ? c[ci + q] + edge[r * NR + q] : edge[r * NR + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs {@code rows <= MR} rows of A (row r at {@code base + r * rowStep}, depth step {@code depthStep}) over
     * all of k as {@code [k][MR]}: the MR values the kernel broadcasts at each depth lie together, and rows a
     * power of two apart no longer fight over the same L1 sets. Missing rows are zeros.
     */
    private static void packA(float[] a, int base, int rowStep, int depthStep, int rows, int k, float[] packed, int out) {
        if (rows < MR) {
            java.util.Arrays.fill(packed, out, out + k * MR, 0f);
        }
        if (depthStep == 1) {
            for (int r = 0; r < rows; r++) {
                int src = base + r * rowStep;
                for (int p = 0; p < k; p++) {
                    packed[out + p * MR + r] = a[src + p];
                }
            }
        } else { // A stored [k x m]: the MR values of one depth are already adjacent
            for (int p = 0; p < k; p++) {
                System.arraycopy(a, base + p * depthStep, packed, out + p * MR, rows);
            }
        }
    }

    private static float[] packedABuffer(int floats) {
        float[] buffer = PACKED_A.get();
        if (buffer.length < floats) {
            buffer = new float[floats];
            PACKED_A.set(buffer);
        }
        return buffer;
    }

    /**
     * Packs B[pc..pc+kc, j0..j1) into panels of NR columns, each {@code kc x NR} row-major, the last one padded
     * with zeros.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int j1,
                              float[] packed) {
        for (int j = j0, panel = 0; j < j1; j += NR, panel += kc * NR) {
            int cols = Math.min(NR, j1 - j);
            if (transB) { // B stored [n x k]: column q of the panel is row j + q of B
                int p0 = 0;
                if (L == 16 && cols == NR) { // sixteen rows of B at a time, transposed in registers
                    for (; p0 + 16 <= kc; p0 += 16) {
                        int src = bOff + j * ldb + pc + p0;
                        transpose16(b, src, ldb, packed, panel + p0 * NR);
                        transpose16(b, src + 16 * ldb, ldb, packed, panel + p0 * NR + 16);
                    }
                }
                for (int q = 0; q < cols; q++) {
                    int src = bOff + (j + q) * ldb + pc;
                    for (int p = p0; p < kc; p++) {
                        packed[panel + p * NR + q] = b[src + p];
                    }
                }
            } else if (cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + j;
                    FloatVector.fromArray(S, b, src).intoArray(packed, panel + p * NR);
                    FloatVector.fromArray(S, b, src + L).intoArray(packed, panel + p * NR + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, bOff + (pc + p) * ldb + j, packed, panel + p * NR, cols);
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(packed, panel + p * NR + cols, panel + (p + 1) * NR, 0f);
                }
            }
        }
    }

    /** Index vectors for {@link #transpose16}: swap blocks of d lanes between rows d apart (two-source selects). */
    private static final FloatVector LOW_8 = swapIndex(8, true), HIGH_8 = swapIndex(8, false);
    private static final FloatVector LOW_4 = swapIndex(4, true), HIGH_4 = swapIndex(4, false);
    private static final FloatVector LOW_2 = swapIndex(2, true), HIGH_2 = swapIndex(2, false);
    private static final FloatVector LOW_1 = swapIndex(1, true), HIGH_1 = swapIndex(1, false);

    private static FloatVector swapIndex(int d, boolean low) {
        float[] index = new float[L];
        for (int l = 0; l < L; l++) {
            boolean lower = (l & d) == 0;
            index[l] = low ? (lower ? l : L + l - d) : (lower ? l + d : L + l);
        }
        return FloatVector.fromArray(S, index, 0);
    }

    /**
     * Writes the transpose of the 16 x 16 block at {@code b[src + r * ld + c]} to {@code packed[out + c * NR + r]}
     * (16 lanes only): four stages that swap blocks of 8, 4, 2, 1 lanes between rows as far apart. About twice
     * as fast as scalar copies, which cost ~9% of a linear layer's product at 512 rows.
     */
    private static void transpose16(float[] b, int src, int ld, float[] packed, int out) {
        FloatVector r0 = FloatVector.fromArray(S, b, src), r1 = FloatVector.fromArray(S, b, src + ld);
        FloatVector r2 = FloatVector.fromArray(S, b, src + 2 * ld), r3 = FloatVector.fromArray(S, b, src + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S, b, src + 4 * ld), r5 = FloatVector.fromArray(S, b, src + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S, b, src + 6 * ld), r7 = FloatVector.fromArray(S, b, src + 7 * ld);
        FloatVector r8 = FloatVector.fromArray(S, b, src + 8 * ld), r9 = FloatVector.fromArray(S, b, src + 9 * ld);
        FloatVector r10 = FloatVector.fromArray(S, b, src + 10 * ld), r11 = FloatVector.fromArray(S, b, src + 11 * ld);
        FloatVector r12 = FloatVector.fromArray(S, b, src + 12 * ld), r13 = FloatVector.fromArray(S, b, src + 13 * ld);
        FloatVector r14 = FloatVector.fromArray(S, b, src + 14 * ld), r15 = FloatVector.fromArray(S, b, src + 15 * ld);
        FloatVector t;
        t = LOW_8.selectFrom(r0, r8);
        r8 = HIGH_8.selectFrom(r0, r8);
        r0 = t;
        t = LOW_8.selectFrom(r1, r9);
        r9 = HIGH_8.selectFrom(r1, r9);
        r1 = t;
        t = LOW_8.selectFrom(r2, r10);
        r10 = HIGH_8.selectFrom(r2, r10);
        r2 = t;
        t = LOW_8.selectFrom(r3, r11);
        r11 = HIGH_8.selectFrom(r3, r11);
        r3 = t;
        t = LOW_8.selectFrom(r4, r12);
        r12 = HIGH_8.selectFrom(r4, r12);
        r4 = t;
        t = LOW_8.selectFrom(r5, r13);
        r13 = HIGH_8.selectFrom(r5, r13);
        r5 = t;
        t = LOW_8.selectFrom(r6, r14);
        r14 = HIGH_8.selectFrom(r6, r14);
        r6 = t;
        t = LOW_8.selectFrom(r7, r15);
        r15 = HIGH_8.selectFrom(r7, r15);
        r7 = t;
        t = LOW_4.selectFrom(r0, r4);
        r4 = HIGH_4.selectFrom(r0, r4);
        r0 = t;
        t = LOW_4.selectFrom(r1, r5);
        r5 = HIGH_4.selectFrom(r1, r5);
        r1 = t;
        t = LOW_4.selectFrom(r2, r6);
        r6 = HIGH_4.selectFrom(r2, r6);
        r2 = t;
        t = LOW_4.selectFrom(r3, r7);
        r7 = HIGH_4.selectFrom(r3, r7);
        r3 = t;
        t = LOW_4.selectFrom(r8, r12);
        r12 = HIGH_4.selectFrom(r8, r12);
        r8 = t;
        t = LOW_4.selectFrom(r9, r13);
        r13 = HIGH_4.selectFrom(r9, r13);
        r9 = t;
        t = LOW_4.selectFrom(r10, r14);
        r14 = HIGH_4.selectFrom(r10, r14);
        r10 = t;
        t = LOW_4.selectFrom(r11, r15);
        r15 = HIGH_4.selectFrom(r11, r15);
        r11 = t;
        t = LOW_2.selectFrom(r0, r2);
        r2 = HIGH_2.selectFrom(r0, r2);
        r0 = t;
        t = LOW_2.selectFrom(r1, r3);
        r3 = HIGH_2.selectFrom(r1, r3);
        r1 = t;
        t = LOW_2.selectFrom(r4, r6);
        r6 = HIGH_2.selectFrom(r4, r6);
        r4 = t;
        t = LOW_2.selectFrom(r5, r7);
        r7 = HIGH_2.selectFrom(r5, r7);
        r5 = t;
        t = LOW_2.selectFrom(r8, r10);
        r10 = HIGH_2.selectFrom(r8, r10);
        r8 = t;
        t = LOW_2.selectFrom(r9, r11);
        r11 = HIGH_2.selectFrom(r9, r11);
        r9 = t;
        t = LOW_2.selectFrom(r12, r14);
        r14 = HIGH_2.selectFrom(r12, r14);
        r12 = t;
        t = LOW_2.selectFrom(r13, r15);
        r15 = HIGH_2.selectFrom(r13, r15);
        r13 = t;
        t = LOW_1.selectFrom(r0, r1);
        r1 = HIGH_1.selectFrom(r0, r1);
        r0 = t;
        t = LOW_1.selectFrom(r2, r3);
        r3 = HIGH_1.selectFrom(r2, r3);
        r2 = t;
        t = LOW_1.selectFrom(r4, r5);
        r5 = HIGH_1.selectFrom(r4, r5);
        r4 = t;
        t = LOW_1.selectFrom(r6, r7);
        r7 = HIGH_1.selectFrom(r6, r7);
        r6 = t;
        t = LOW_1.selectFrom(r8, r9);
        r9 = HIGH_1.selectFrom(r8, r9);
        r8 = t;
        t = LOW_1.selectFrom(r10, r11);
        r11 = HIGH_1.selectFrom(r10, r11);
        r10 = t;
        t = LOW_1.selectFrom(r12, r13);
        r13 = HIGH_1.selectFrom(r12, r13);
        r12 = t;
        t = LOW_1.selectFrom(r14, r15);
        r15 = HIGH_1.selectFrom(r14, r15);
        r14 = t;
        r0.intoArray(packed, out + 0);
        r1.intoArray(packed, out + NR);
        r2.intoArray(packed, out + 2 * NR);
        r3.intoArray(packed, out + 3 * NR);
        r4.intoArray(packed, out + 4 * NR);
        r5.intoArray(packed, out + 5 * NR);
        r6.intoArray(packed, out + 6 * NR);
        r7.intoArray(packed, out + 7 * NR);
        r8.intoArray(packed, out + 8 * NR);
        r9.intoArray(packed, out + 9 * NR);
        r10.intoArray(packed, out + 10 * NR);
        r11.intoArray(packed, out + 11 * NR);
        r12.intoArray(packed, out + 12 * NR);
        r13.intoArray(packed, out + 13 * NR);
        r14.intoArray(packed, out + 14 * NR);
        r15.intoArray(packed, out + 15 * NR);
    }

    /**
     * The register tile: C[MR x 2 vectors] (+)= A[MR x kc] . panel[kc x NR], A packed {@code [kc][MR]} from
     * {@code aBase}. Stores are written out inline: a helper taking vectors as arguments was not inlined here and
     * boxed them, costing 5x.
     */
    private static void kernel(int kc, float[] a, int aBase, float[] bp, int bBase, float[] c, int cBase, int ldc,
                               boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0, ap = aBase, bi = bBase; p < kc; p++, ap += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, a[ap + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, a[ap + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, a[ap + 7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        int r0 = cBase, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, r0));
            c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, r1));
            c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, r2));
            c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, r3));
            c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, r4));
            c41 = c41.add(FloatVector.fromArray(S, c, r4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, r5));
            c51 = c51.add(FloatVector.fromArray(S, c, r5 + L));
            c60 = c60.add(FloatVector.fromArray(S, c, r6));
            c61 = c61.add(FloatVector.fromArray(S, c, r6 + L));
            c70 = c70.add(FloatVector.fromArray(S, c, r7));
            c71 = c71.add(FloatVector.fromArray(S, c, r7 + L));
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
    }

    // ---------------------------------------------------------------- few rows, B stored [k x n]

    /**
     * C = A B for a few rows with B read where it lies: column strips of four vectors split over the threads,
     * four rows of A at a time (16 accumulators: four loads of B, four broadcasts of A, sixteen FMAs per depth
     * step); the last strip of a row is masked.
     */
    private static void streamRows(int m, int n, int k, float[] a, int aOff, int rowStep, int depthStep,
                                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int strip = 4 * L;
        int strips = (n + strip - 1) / strip;
        Parallel.forChunks(strips, Math.max(1, strips / (4 * Parallel.threads())), (s0, s1) -> {
            for (int st = s0; st < s1; st++) {
                int j = st * strip;
                for (int i = 0; i < m; i += 4) {
                    streamTile(k, a, aOff + i * rowStep, rowStep, depthStep, Math.min(4, m - i),
                            b, bOff + j, ldb, Math.min(strip, n - j), c, cOff + i * ldc + j, ldc, accumulate);
                }
            }
        });
    }

    /** C[rows x cols] (+)= A[rows x k] . B[k x cols] for rows <= 4 and cols <= 4 vectors; missing rows repeat the last. */
    private static void streamTile(int k, float[] a, int aBase, int rowStep, int depthStep, int rows,
                                   float[] b, int bBase, int ldb, int cols, float[] c, int cBase, int ldc,
                                   boolean accumulate) {
        var m0 = S.indexInRange(0, cols);
        var m1 = S.indexInRange(L, cols);
        var m2 = S.indexInRange(2 * L, cols);
        var m3 = S.indexInRange(3 * L, cols);
        int a0 = aBase, a1 = aBase + Math.min(1, rows - 1) * rowStep;
        int a2 = aBase + Math.min(2, rows - 1) * rowStep, a3 = aBase + Math.min(3, rows - 1) * rowStep;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0, bi = bBase, ap = 0; p < k; p++, bi += ldb, ap += depthStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi, m0);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L, m1);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L, m2);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * L, m3);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
            c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            c32 = b2.fma(x, c32);
            c33 = b3.fma(x, c33);
        }
        // Written from the last row down, so a repeated row ends with its own (identical) values.
        for (int r = rows - 1; r >= 0; r--) {
            FloatVector x0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
            FloatVector x1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
            FloatVector x2 = r == 0 ? c02 : r == 1 ? c12 : r == 2 ? c22 : c32;
            FloatVector x3 = r == 0 ? c03 : r == 1 ? c13 : r == 2 ? c23 : c33;
            int ci = cBase + r * ldc;
            if (accumulate) {
                x0 = x0.add(FloatVector.fromArray(S, c, ci, m0));
                x1 = x1.add(FloatVector.fromArray(S, c, ci + L, m1));
                x2 = x2.add(FloatVector.fromArray(S, c, ci + 2 * L, m2));
                x3 = x3.add(FloatVector.fromArray(S, c, ci + 3 * L, m3));
            }
            x0.intoArray(c, ci, m0);
            x1.intoArray(c, ci + L, m1);
            x2.intoArray(c, ci + 2 * L, m2);
            x3.intoArray(c, ci + 3 * L, m3);
        }
    }

    // ---------------------------------------------------------------- few rows, B stored [n x k]

    /**
     * C[i][j] = A_i . B_j as dot products along k, nothing packed: each thread takes chunks of rows of B, and each
     * group of four rows of B meets every row of A while it sits in L1, so B (the weights, while decoding) is read
     * from memory once for all rows. Register tiles of four rows of A by two of B: eight accumulators and their loads
     * fit AVX2's sixteen registers, where the 4 x 4 tile this replaced needed sixteen accumulators and eight loads
     * (measured single-threaded on AVX2: 0.6-0.9 of the FMA ceiling against 0.55-0.8, and steadier from one JVM to the
     * next). Then two rows by four and one by four (decoding one sequence: memory bound, four streams of B) for the
     * last rows. Every element is the same chain whatever its tile:
     * lane-wise FMAs along k in order, the lanes summed in lane order, the tail added scalar; so a row's results do
     * not depend on how many rows come with it ({@link #sameRowResults}).
     */
    private static void dotRows(int m, int n, int k, float[] a, int aOff, int rowStep, int depthStep,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        float[] rowsOfA;
        int aBase;
        int lda;
        if (depthStep == 1) {
            rowsOfA = a;
            aBase = aOff;
            lda = rowStep;
        } else { // A stored [k x m]: gather its few rows so the dot products read them contiguously
            rowsOfA = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    rowsOfA[i * k + p] = a[aOff + i + p * depthStep];
                }
            }
            aBase = 0;
            lda = k;
        }
        int chunk = Math.max(4, (n / (4 * Parallel.threads()) + 3) / 4 * 4);
        Parallel.forChunks(n, chunk, (j0, j1) -> {
            float[] lanes = new float[16 * L];
            for (int j = j0; j < j1; j += 4) {
                int cols = Math.min(4, j1 - j);
                // missing rows of B repeat the last one and are not stored
                int b0 = bOff + j * ldb, b1 = b0 + Math.min(1, cols - 1) * ldb;
                int b2 = b0 + Math.min(2, cols - 1) * ldb, b3 = b0 + Math.min(3, cols - 1) * ldb;
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    int a0 = aBase + i * lda;
                    dot4x2(k, rowsOfA, a0, lda, b, b0, b1, lanes, 0);
                    if (cols > 2) {
                        dot4x2(k, rowsOfA, a0, lda, b, b2, b3, lanes, 2);
                    }
                    finish(k, rowsOfA, a0, lda, 4, b, b0, b1, b2, b3, cols, lanes, c, cOff + i * ldc + j, ldc,
                            accumulate);
                }
                if (i + 2 <= m) {
                    int a0 = aBase + i * lda;
                    dot2x4(k, rowsOfA, a0, a0 + lda, b, b0, b1, b2, b3, lanes);
                    finish(k, rowsOfA, a0, lda, 2, b, b0, b1, b2, b3, cols, lanes, c, cOff + i * ldc + j, ldc,
                            accumulate);
                    i += 2;
                }
                if (i < m) {
                    dot1x4(k, rowsOfA, aBase + i * lda, b, b0, b1, b2, b3, cols, lanes, c, cOff + i * ldc + j,
                            accumulate);
                }
            }
        });
    }

    /**
     * Lane-wise sums over whole vectors of k of rows a0 + r lda (r < 4) of A times rows b0, b1 of B, into
     * {@code lanes[(4 r + q0 + q) L ..]}: columns q0 and q0 + 1 of a 4 x 4 tile.
     */
    private static void dot4x2(int k, float[] a, int a0, int lda, float[] b, int b0, int b1, float[] lanes, int q0) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int p = 0, bound = S.loopBound(k); p < bound; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
        }
        s00.intoArray(lanes, q0 * L);
        s01.intoArray(lanes, (q0 + 1) * L);
        s10.intoArray(lanes, (4 + q0) * L);
        s11.intoArray(lanes, (5 + q0) * L);
        s20.intoArray(lanes, (8 + q0) * L);
        s21.intoArray(lanes, (9 + q0) * L);
        s30.intoArray(lanes, (12 + q0) * L);
        s31.intoArray(lanes, (13 + q0) * L);
    }

    /** As {@link #dot4x2} for rows a0, a1 of A by four rows of B, into {@code lanes[(4 r + q) L ..]}. */
    private static void dot2x4(int k, float[] a, int a0, int a1, float[] b, int b0, int b1, int b2, int b3,
                               float[] lanes) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        for (int p = 0, bound = S.loopBound(k); p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        s00.intoArray(lanes, 0);
        s01.intoArray(lanes, L);
        s02.intoArray(lanes, 2 * L);
        s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);
        s11.intoArray(lanes, 5 * L);
        s12.intoArray(lanes, 6 * L);
        s13.intoArray(lanes, 7 * L);
    }

    /**
     * {@code c[0 .. cols)} (+)= x . B_q for one row x of A and rows b0..b3 of B, finished in place as {@link #finish}
     * does (decoding one sequence: memory bound, four streams of B; kept whole so the common case pays no more).
     */
    private static void dot1x4(int k, float[] x, int xBase, float[] b, int b0, int b1, int b2, int b3, int cols,
                               float[] lanes, float[] c, int ci, boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xBase + p);
            s0 = xv.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = xv.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = xv.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = xv.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L);
        s2.intoArray(lanes, 2 * L);
        s3.intoArray(lanes, 3 * L);
        float d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (int l = 0; l < L; l++) { // lane order, as in finish
            d0 += lanes[l];
            d1 += lanes[L + l];
            d2 += lanes[2 * L + l];
            d3 += lanes[3 * L + l];
        }
        for (; p < k; p++) {
            float xp = x[xBase + p];
            d0 += xp * b[b0 + p];
            d1 += xp * b[b1 + p];
            d2 += xp * b[b2 + p];
            d3 += xp * b[b3 + p];
        }
        c[ci] = accumulate ? c[ci] + d0 : d0;
        if (cols > 1) {
            c[ci + 1] = accumulate ? c[ci + 1] + d1 : d1;
        }
        if (cols > 2) {
            c[ci + 2] = accumulate ? c[ci + 2] + d2 : d2;
        }
        if (cols > 3) {
            c[ci + 3] = accumulate ? c[ci + 3] + d3 : d3;
        }
    }

    /**
     * Finishes a tile of up to 4 x 4: each element's lanes summed in lane order (through memory, so the bits are the
     * same whether or not C2 compiled the kernel; reduceLanes differs), plus the tail of k past the last whole
     * vector, scalar; then stored (or added to C) for the {@code rows} rows and {@code cols} columns that are real.
     */
    private static void finish(int k, float[] a, int a0, int lda, int rows, float[] b, int b0, int b1, int b2, int b3,
                               int cols, float[] lanes, float[] c, int cBase, int ldc, boolean accumulate) {
        int tail = S.loopBound(k);
        for (int r = 0; r < rows; r++) {
            int ar = a0 + r * lda;
            for (int q = 0; q < cols; q++) {
                float sum = 0;
                for (int l = (4 * r + q) * L, end = l + L; l < end; l++) {
                    sum += lanes[l];
                }
                int bq = q == 0 ? b0 : q == 1 ? b1 : q == 2 ? b2 : b3;
                for (int p = tail; p < k; p++) {
                    sum += a[ar + p] * b[bq + p];
                }
                int ci = cBase + r * ldc + q;
                c[ci] = accumulate ? c[ci] + sum : sum;
            }
        }
    }
}
