package dev.whittle.engine.model;

import dev.whittle.engine.tensor.Ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sparse Mixture-of-Experts MLP as transformers defines it (Mixtral, Qwen2-MoE, Qwen3-MoE): the router scores every
 * expert, a softmax over the experts gives probabilities, each token keeps its {@code topK} most probable experts
 * (renormalised to sum to one when {@code normalizeTopK}), and the output is their probability-weighted SwiGLU
 * outputs. Qwen2-MoE adds a shared expert scaled by {@code sigmoid(x . shared_expert_gate)}.
 *
 * <p>Each expert runs once over the rows routed to it (gathered, one GEMM per projection, scattered back), not per
 * token. The routing of the last forward stays in {@link Activations} and is reported to
 * {@link ForwardHooks#routing} and {@link ForwardHooks#expertOutput}, which expert pruning scores from.
 */
public final class MoeFeedForward implements FeedForward {

    private final Linear router;
    private final List<SwiGluMlp> experts;
    private final int topK;
    private final boolean normalizeTopK;
    private final SwiGluMlp sharedExpert;
    private final Linear sharedExpertGate;

    /**
     * @param router           {@code [experts x hidden]}, no bias
     * @param sharedExpert     Qwen2-MoE's always-on expert, or null
     * @param sharedExpertGate {@code [1 x hidden]} scaling the shared expert, null exactly when it is
     */
    public MoeFeedForward(Linear router, List<SwiGluMlp> experts, int topK, boolean normalizeTopK,
                          SwiGluMlp sharedExpert, Linear sharedExpertGate) {
        this.router = router;
        this.experts = List.copyOf(experts);
        this.topK = topK;
        this.normalizeTopK = normalizeTopK;
        this.sharedExpert = sharedExpert;
        this.sharedExpertGate = sharedExpertGate;
        int hidden = router.in();
        if (router.out() != this.experts.size()) {
            throw new IllegalArgumentException(router.name() + " scores " + router.out() + " experts but there are "
                    + this.experts.size());
        }
        if (topK < 1 || topK > this.experts.size()) {
            throw new IllegalArgumentException("top-k " + topK + " must be between 1 and " + this.experts.size());
        }
        for (SwiGluMlp expert : this.experts) {
            if (expert.intermediate() != this.experts.getFirst().intermediate()) {
                throw new IllegalArgumentException("experts of one layer must share their intermediate size: "
                        + expert.gate().name() + " has " + expert.intermediate());
            }
            if (expert.down().out() != hidden) {
                throw new IllegalArgumentException(expert.down().name() + " outputs " + expert.down().out()
                        + " values, the router reads " + hidden);
            }
        }
        if ((sharedExpert == null) != (sharedExpertGate == null)) {
            throw new IllegalArgumentException("a shared expert needs its gate and a gate its shared expert");
        }
        if (sharedExpert != null && (sharedExpert.down().out() != hidden || sharedExpertGate.out() != 1
                || sharedExpertGate.in() != hidden)) {
            throw new IllegalArgumentException("shared expert shapes do not match hidden size " + hidden);
        }
    }

    public Linear router() {
        return router;
    }

    public List<SwiGluMlp> experts() {
        return experts;
    }

    public int topK() {
        return topK;
    }

    public boolean normalizesTopK() {
        return normalizeTopK;
    }

    /** The shared expert, or null. */
    public SwiGluMlp sharedExpert() {
        return sharedExpert;
    }

    /** The shared expert's sigmoid gate, or null. */
    public Linear sharedExpertGate() {
        return sharedExpertGate;
    }

    private int hidden() {
        return router.in();
    }

    @Override
    public void forward(int rows, float[] x, float[] out, FeedForward.Activations activations, ForwardHooks hooks) {
        Activations a = (Activations) activations;
        a.ensure(rows);
        int hidden = hidden();
        route(rows, x, a, hooks);
        Arrays.fill(out, 0, rows * hidden, 0f);
        int e = experts.size();
        groupByExpert(rows * topK, a.chosen, e, a.expertStart, a.assignment);
        for (int ex = 0; ex < e; ex++) {
            int start = a.expertStart[ex];
            int count = a.expertStart[ex + 1] - start;
            if (count == 0) {
                continue;
            }
            for (int j = 0; j < count; j++) {
                int row = a.assignment[start + j] / topK;
                a.expertRows[j] = row;
                System.arraycopy(x, row * hidden, a.gathered, j * hidden, hidden);
            }
            experts.get(ex).forward(count, a.gathered, a.expertOut, a.expert, hooks);
            hooks.expertOutput(router.name(), ex, a.expertRows, a.expertOut, count, hidden);
            for (int j = 0; j < count; j++) {
                int slot = a.assignment[start + j];
                Ops.axpy(hidden, a.weights[slot], a.expertOut, j * hidden, out, (slot / topK) * hidden);
            }
        }
        if (sharedExpert != null) {
            sharedExpert.forward(rows, x, a.expertOut, a.shared, hooks);
            sharedExpertGate.forward(rows, x, 0, a.sharedGate, 0, hooks);
            for (int r = 0; r < rows; r++) {
                float g = (float) (1 / (1 + Math.exp(-a.sharedGate[r])));
                Ops.axpy(hidden, g, a.expertOut, r * hidden, out, r * hidden);
            }
        }
    }

    /**
     * Counting sort of the {@code assignments} (row, slot) pairs by the expert {@code chosen} for each, so each expert
     * reads a contiguous list: expert {@code ex} has the slots {@code assignment[expertStart[ex] .. expertStart[ex + 1])}
     * (slot {@code i} is row {@code i / topK}), in row order. {@code expertStart} has {@code experts + 1} entries.
     */
    public static void groupByExpert(int assignments, int[] chosen, int experts, int[] expertStart, int[] assignment) {
        Arrays.fill(expertStart, 0, experts + 1, 0);
        for (int i = 0; i < assignments; i++) {
            expertStart[chosen[i] + 1]++;
        }
        for (int ex = 0; ex < experts; ex++) {
            expertStart[ex + 1] += expertStart[ex];
        }
        int[] fill = Arrays.copyOf(expertStart, experts);
        for (int i = 0; i < assignments; i++) {
            assignment[fill[chosen[i]]++] = i;
        }
    }

    /** Router logits, softmax, top-k (ties to the lower index) and the optional renormalisation, into {@code a}. */
    private void route(int rows, float[] x, Activations a, ForwardHooks hooks) {
        int e = experts.size();
        router.forward(rows, x, 0, a.routerLogits, 0, hooks);
        for (int r = 0; r < rows; r++) {
            int off = r * e;
            System.arraycopy(a.routerLogits, off, a.probabilities, off, e);
            Ops.softmax(a.probabilities, off, e);
            float sum = 0;
            for (int s = 0; s < topK; s++) {
                int best = -1;
                for (int ex = 0; ex < e; ex++) {
                    if (!taken(a.chosen, r * topK, s, ex) && (best < 0 || a.probabilities[off + ex] > a.probabilities[off + best])) {
                        best = ex;
                    }
                }
                a.chosen[r * topK + s] = best;
                a.weights[r * topK + s] = a.probabilities[off + best];
                sum += a.probabilities[off + best];
            }
            if (normalizeTopK) {
                for (int s = 0; s < topK; s++) {
                    a.weights[r * topK + s] /= sum;
                }
            }
        }
        hooks.routing(router.name(), rows, topK, a.chosen, a.weights);
    }

    private static boolean taken(int[] chosen, int off, int count, int expert) {
        for (int s = 0; s < count; s++) {
            if (chosen[off + s] == expert) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Activations newActivations() {
        return new Activations(this);
    }

    /** Router, then each expert's linears (gate, up, down), then the shared expert and its gate. */
    @Override
    public List<Linear> linears() {
        List<Linear> all = new ArrayList<>();
        all.add(router);
        experts.forEach(expert -> all.addAll(expert.linears()));
        if (sharedExpert != null) {
            all.addAll(sharedExpert.linears());
            all.add(sharedExpertGate);
        }
        return all;
    }

    /**
     * The routing of the last forward over {@code rows} rows: {@code routerLogits} and {@code probabilities}
     * {@code [rows x experts]}; {@code chosen} and {@code weights} {@code [rows x topK]} (the experts each row went
     * to, best first, and their mixing weights). The rest is scratch for the expert GEMMs.
     */
    public static final class Activations implements FeedForward.Activations {
        private final int hidden;
        private final int experts;
        private final int topK;
        private int capacity = -1;
        public float[] routerLogits = new float[0];
        public float[] probabilities = new float[0];
        public int[] chosen = new int[0];
        public float[] weights = new float[0];
        private final int[] expertStart;
        private int[] assignment = new int[0];
        private int[] expertRows = new int[0];
        private float[] gathered = new float[0];
        private float[] expertOut = new float[0];
        private float[] sharedGate = new float[0];
        private final SwiGluMlp.Activations expert;
        private final SwiGluMlp.Activations shared;

        Activations(MoeFeedForward layer) {
            this.hidden = layer.hidden();
            this.experts = layer.experts.size();
            this.topK = layer.topK;
            this.expertStart = new int[experts + 1];
            this.expert = layer.experts.getFirst().newActivations();
            this.shared = layer.sharedExpert == null ? null : layer.sharedExpert.newActivations();
        }

        @Override
        public void ensure(int rows) {
            expert.ensure(rows);
            if (shared != null) {
                shared.ensure(rows);
            }
            if (rows <= capacity) {
                return;
            }
            routerLogits = new float[BlockActivations.size(rows, experts)];
            probabilities = new float[BlockActivations.size(rows, experts)];
            chosen = new int[BlockActivations.size(rows, topK)];
            weights = new float[BlockActivations.size(rows, topK)];
            assignment = new int[BlockActivations.size(rows, topK)];
            expertRows = new int[rows];
            gathered = new float[BlockActivations.size(rows, hidden)];
            expertOut = new float[BlockActivations.size(rows, hidden)];
            sharedGate = new float[rows];
            capacity = rows;
        }
    }
}
