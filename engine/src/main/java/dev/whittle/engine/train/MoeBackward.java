package dev.whittle.engine.train;

import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGlu;
import dev.whittle.engine.model.SwiGluMlp;
import dev.whittle.engine.tensor.Ops;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The backward pass of {@link MoeFeedForward#forward}, read against it in reverse: the shared expert and its sigmoid
 * gate, each expert over the rows routed to it (gathered, one GEMM per projection, scattered back, as the forward
 * ran it), then the mixing weights back through the optional top-k renormalisation, the softmax and the router. The
 * {@link RouterLosses} add their gradients at the router probabilities (load balancing) and logits (z-loss).
 *
 * <p>The forward keeps the routing of every layer but not each expert's intermediates (one scratch serves all
 * experts), so the backward recomputes an expert's gate, up and output from its gathered rows before differentiating
 * it: one extra expert forward per step, in exchange for activations that do not grow with the number of experts.
 */
final class MoeBackward {

    private final int experts;
    private final int maxTopK;
    private final int widestIntermediate;
    private final RouterLosses losses;
    private final Function<float[], float[]> grad;
    private int capacity = -1;
    /** Per step: the load-balancing gradient at each probability, {@code experts x f_j / N}, scaled by its weight. */
    private final double[] balanceGrad;
    private double zGradScale;
    private final int[] expertStart;
    private int[] assignment = new int[0];
    private float[] gathered = new float[0];
    private float[] dGathered = new float[0];
    private float[] dOut = new float[0];
    private float[] expertOut = new float[0];
    private float[] dProduct = new float[0];
    private float[] dWeights = new float[0];
    private float[] dLogits = new float[0];
    private float[] sharedGate = new float[0];
    private final SwiGluMlp.Activations expert;
    private final SwiGluMlp.Activations shared;

    /** @param grad the gradient array of a weight, or null when it is frozen */
    MoeBackward(List<MoeFeedForward> layers, RouterLosses losses, Function<float[], float[]> grad) {
        this.losses = losses;
        this.grad = grad;
        MoeFeedForward first = layers.getFirst();
        this.experts = first.experts().size();
        int widest = 0;
        int widestShared = 0;
        int topK = 0;
        SwiGluMlp widestExpert = first.experts().getFirst();
        SwiGluMlp widestSharedExpert = null;
        for (MoeFeedForward layer : layers) {
            if (layer.experts().size() != experts) {
                throw new IllegalArgumentException("every sparse layer must have the same number of experts");
            }
            topK = Math.max(topK, layer.topK());
            if (layer.experts().getFirst().intermediate() > widest) {
                widest = layer.experts().getFirst().intermediate();
                widestExpert = layer.experts().getFirst();
            }
            if (layer.sharedExpert() != null && layer.sharedExpert().intermediate() > widestShared) {
                widestShared = layer.sharedExpert().intermediate();
                widestSharedExpert = layer.sharedExpert();
            }
        }
        this.maxTopK = topK;
        this.widestIntermediate = Math.max(widest, widestShared);
        this.balanceGrad = new double[experts];
        this.expertStart = new int[experts + 1];
        this.expert = widestExpert.newActivations();
        this.shared = widestSharedExpert == null ? null : widestSharedExpert.newActivations();
    }

    /** The sparse layers of the decoder's blocks, in order (empty for a dense decoder). */
    static List<MoeFeedForward> sparseLayers(List<DecoderBlock> blocks) {
        return blocks.stream().filter(b -> b.mlp() instanceof MoeFeedForward).map(b -> (MoeFeedForward) b.mlp())
                .toList();
    }

    /** Weights that multiply a token's activations: the router, its top-k experts, the shared expert and gate. */
    static double activeWeightsPerToken(MoeFeedForward layer) {
        double hidden = layer.router().in();
        double active = hidden * layer.experts().size()
                + layer.topK() * 3 * hidden * layer.experts().getFirst().intermediate();
        if (layer.sharedExpert() != null) {
            active += 3 * hidden * layer.sharedExpert().intermediate() + hidden;
        }
        return active;
    }

    /**
     * Floats per row the layer's forward activations hold in a training state (router logits and probabilities,
     * the routing, the expert scratch, the shared expert's buffers).
     */
    static long forwardFloatsPerRow(MoeFeedForward layer) {
        long hidden = layer.router().in();
        long shared = layer.sharedExpert() == null ? 0 : 3L * layer.sharedExpert().intermediate() + 1;
        return 2L * layer.experts().size() + 3L * layer.topK() + 2 * hidden
                + 3L * layer.experts().getFirst().intermediate() + shared;
    }

    /** Floats per row of this backward's work buffers and recomputed expert intermediates for the layer. */
    static long workFloatsPerRow(MoeFeedForward layer) {
        long hidden = layer.router().in();
        long intermediate = layer.experts().getFirst().intermediate();
        long shared = layer.sharedExpert() == null ? 0 : 3L * layer.sharedExpert().intermediate() + 1;
        return 4 * hidden + 4 * intermediate + 2L * layer.topK() + layer.experts().size() + shared;
    }

    /**
     * Before the layers' backward of one step over {@code rows} rows: the router losses of the forward that left
     * {@code state}, and the share of their gradient each layer will add, {@code weight} times the gradient of
     * (coefficient x loss) (the caller's weight of this micro-batch). Returns the weighted coefficients' sum of the
     * two losses: {@code loadBalancing x balance + zLoss x z}, unweighted.
     */
    double beginStep(List<DecoderBlock> blocks, ForwardState state, int rows, double weight) {
        Arrays.fill(balanceGrad, 0);
        zGradScale = 0;
        if (!losses.any()) {
            return 0;
        }
        double[] routed = new double[experts];
        double[] probability = new double[experts];
        double z = 0;
        long pairs = 0;
        for (int position = 0; position < blocks.size(); position++) {
            if (!(blocks.get(position).mlp() instanceof MoeFeedForward layer)) {
                continue;
            }
            MoeFeedForward.Activations a = (MoeFeedForward.Activations) state.block(position).mlp;
            for (int i = 0; i < rows * layer.topK(); i++) {
                routed[a.chosen[i]]++;
            }
            for (int r = 0; r < rows; r++) {
                for (int ex = 0; ex < experts; ex++) {
                    probability[ex] += a.probabilities[r * experts + ex];
                }
                double lse = Ops.logSumExp(a.routerLogits, r * experts, experts);
                z += lse * lse;
            }
            pairs += rows;
        }
        double balance = 0;
        for (int ex = 0; ex < experts; ex++) {
            balance += experts * (routed[ex] / pairs) * (probability[ex] / pairs);
            balanceGrad[ex] = weight * losses.loadBalancing() * experts * (routed[ex] / pairs) / pairs;
        }
        zGradScale = weight * losses.zLoss() * 2.0 / pairs;
        return losses.loadBalancing() * balance + losses.zLoss() * z / pairs;
    }

    /**
     * {@code dy} is the gradient of the layer's output over {@code rows} rows of input {@code x}; writes that of x
     * into {@code dx} and adds every weight gradient.
     */
    void backward(MoeFeedForward layer, MoeFeedForward.Activations a, int rows, float[] x, float[] dy, float[] dx) {
        ensure(rows, layer.router().in());
        int hidden = layer.router().in();
        int topK = layer.topK();
        Arrays.fill(dx, 0, rows * hidden, 0f);
        if (layer.sharedExpert() != null) {
            sharedExpert(layer, rows, x, dy, dx);
        }
        MoeFeedForward.groupByExpert(rows * topK, a.chosen, experts, expertStart, assignment);
        for (int ex = 0; ex < experts; ex++) {
            int start = expertStart[ex];
            int count = expertStart[ex + 1] - start;
            if (count > 0) {
                routedExpert(layer.experts().get(ex), a, topK, start, count, hidden, x, dy, dx);
            }
        }
        router(layer, a, rows, x, dx);
    }

    /**
     * One expert over its {@code count} routed slots: recomputes its output y on the gathered rows, takes
     * {@code d weight = dy . y} for the router, and back-propagates {@code weight x dy} through the SwiGLU.
     */
    private void routedExpert(SwiGluMlp mlp, MoeFeedForward.Activations a, int topK, int start, int count, int hidden,
                              float[] x, float[] dy, float[] dx) {
        for (int j = 0; j < count; j++) {
            int row = assignment[start + j] / topK;
            System.arraycopy(x, row * hidden, gathered, j * hidden, hidden);
        }
        mlp.forward(count, gathered, expertOut, expert, ForwardHooks.NONE);
        for (int j = 0; j < count; j++) {
            int slot = assignment[start + j];
            int row = slot / topK;
            dWeights[slot] = Ops.dot(hidden, dy, row * hidden, expertOut, j * hidden);
            float w = a.weights[slot];
            for (int c = 0; c < hidden; c++) {
                dOut[j * hidden + c] = w * dy[row * hidden + c];
            }
        }
        swiGluBackward(mlp, expert, count, gathered, dOut, dGathered);
        for (int j = 0; j < count; j++) {
            int row = assignment[start + j] / topK;
            Ops.add(hidden, dx, row * hidden, dGathered, j * hidden, dx, row * hidden);
        }
    }

    /** {@code out += sigmoid(x . w_gate) * shared(x)} backwards, adding into dx. */
    private void sharedExpert(MoeFeedForward layer, int rows, float[] x, float[] dy, float[] dx) {
        int hidden = layer.router().in();
        SwiGluMlp mlp = layer.sharedExpert();
        Linear gate = layer.sharedExpertGate();
        mlp.forward(rows, x, expertOut, shared, ForwardHooks.NONE);
        gate.forward(rows, x, 0, sharedGate, 0, ForwardHooks.NONE);
        for (int r = 0; r < rows; r++) {
            float g = (float) (1 / (1 + Math.exp(-sharedGate[r])));
            float dg = Ops.dot(hidden, dy, r * hidden, expertOut, r * hidden);
            sharedGate[r] = dg * g * (1 - g);
            for (int c = 0; c < hidden; c++) {
                dOut[r * hidden + c] = g * dy[r * hidden + c];
            }
        }
        linear(gate, rows, x, sharedGate, dx, true);
        swiGluBackward(mlp, shared, rows, x, dOut, dGathered);
        Ops.add(rows * hidden, dx, 0, dGathered, 0, dx, 0);
    }

    /**
     * From the mixing weights' gradients to the router's: through {@code w_s = p_s / sum_t p_t} when the top-k is
     * renormalised ({@code dp_s = (dw_s - sum_t dw_t w_t) / sum_t p_t}), the load-balancing term at every
     * probability, the softmax ({@code dl_j = p_j (dp_j - sum_k p_k dp_k)}) and the z-loss at the logits
     * ({@code 2 lse p_j} per pair).
     */
    private void router(MoeFeedForward layer, MoeFeedForward.Activations a, int rows, float[] x, float[] dx) {
        int topK = layer.topK();
        double[] dp = new double[experts];
        for (int r = 0; r < rows; r++) {
            int off = r * experts;
            System.arraycopy(balanceGrad, 0, dp, 0, experts);
            if (layer.normalizesTopK()) {
                double sum = 0;
                double mixed = 0;
                for (int s = 0; s < topK; s++) {
                    sum += a.probabilities[off + a.chosen[r * topK + s]];
                    mixed += (double) dWeights[r * topK + s] * a.weights[r * topK + s];
                }
                for (int s = 0; s < topK; s++) {
                    dp[a.chosen[r * topK + s]] += (dWeights[r * topK + s] - mixed) / sum;
                }
            } else {
                for (int s = 0; s < topK; s++) {
                    dp[a.chosen[r * topK + s]] += dWeights[r * topK + s];
                }
            }
            double expected = 0;
            for (int ex = 0; ex < experts; ex++) {
                expected += a.probabilities[off + ex] * dp[ex];
            }
            double z = zGradScale == 0 ? 0 : zGradScale * Ops.logSumExp(a.routerLogits, off, experts);
            for (int ex = 0; ex < experts; ex++) {
                double p = a.probabilities[off + ex];
                dLogits[off + ex] = (float) (p * (dp[ex] - expected) + z * p);
            }
        }
        linear(layer.router(), rows, x, dLogits, dx, true);
    }

    /** {@code down(silu(gate(x)) * up(x))} backwards from the activations the last {@code forward} of it left. */
    private void swiGluBackward(SwiGluMlp mlp, SwiGluMlp.Activations a, int rows, float[] x, float[] dy, float[] dx) {
        linear(mlp.down(), rows, a.product, dy, dProduct, false);
        SwiGlu.backward(rows * mlp.intermediate(), a.gate, 0, a.up, 0, dProduct, 0, a.gate, 0, a.up, 0);
        linear(mlp.gate(), rows, x, a.gate, dx, false);
        linear(mlp.up(), rows, x, a.up, dx, true);
    }

    private void linear(Linear layer, int rows, float[] x, float[] dy, float[] dx, boolean accumulate) {
        layer.backward(rows, x, 0, dy, 0, dx, 0, accumulate, grad.apply(layer.weight()),
                layer.bias() == null ? null : grad.apply(layer.bias()));
    }

    private void ensure(int rows, int hidden) {
        expert.ensure(rows);
        if (shared != null) {
            shared.ensure(rows);
        }
        if (rows <= capacity) {
            return;
        }
        assignment = new int[Math.multiplyExact(rows, maxTopK)];
        gathered = new float[Math.multiplyExact(rows, hidden)];
        dGathered = new float[rows * hidden];
        dOut = new float[rows * hidden];
        expertOut = new float[rows * hidden];
        dProduct = new float[Math.multiplyExact(rows, widestIntermediate)];
        dWeights = new float[rows * maxTopK];
        dLogits = new float[Math.multiplyExact(rows, experts)];
        sharedGate = new float[rows];
        capacity = rows;
    }
}
