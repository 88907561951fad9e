package dev.whittle.engine.model;

import java.util.List;
import java.util.function.UnaryOperator;

/** The dense Llama/Mistral/Qwen MLP: {@code down(silu(gate(x)) * up(x))}. */
public record SwiGluMlp(Linear gate, Linear up, Linear down) implements FeedForward {

    public SwiGluMlp {
        if (gate.out() != up.out() || down.in() != gate.out() || gate.in() != up.in() || down.out() != gate.in()) {
            throw new IllegalArgumentException("MLP shapes do not chain: gate " + gate.out() + "x" + gate.in()
                    + ", up " + up.out() + "x" + up.in() + ", down " + down.out() + "x" + down.in());
        }
    }

    public int intermediate() {
        return gate.out();
    }

    @Override
    public void forward(int rows, float[] x, float[] out, FeedForward.Activations activations, ForwardHooks hooks) {
        Activations a = (Activations) activations;
        a.ensure(rows);
        gate.forward(rows, x, 0, a.gate, 0, hooks);
        up.forward(rows, x, 0, a.up, 0, hooks);
        SwiGlu.forward(rows * intermediate(), a.gate, 0, a.up, 0, a.product, 0);
        down.forward(rows, a.product, 0, out, 0, hooks);
    }

    @Override
    public Activations newActivations() {
        return new Activations(intermediate());
    }

    /** The same MLP with each projection replaced by {@code change} of it. */
    public SwiGluMlp withLinears(UnaryOperator<Linear> change) {
        return new SwiGluMlp(change.apply(gate), change.apply(up), change.apply(down));
    }

    @Override
    public List<Linear> linears() {
        return List.of(gate, up, down);
    }

    /** {@code gate = x Wg^T}, {@code up = x Wu^T}, {@code product = silu(gate) * up}, each {@code [rows x intermediate]}. */
    public static final class Activations implements FeedForward.Activations {
        private final int intermediate;
        public float[] gate = new float[0];
        public float[] up = new float[0];
        public float[] product = new float[0];

        Activations(int intermediate) {
            this.intermediate = intermediate;
        }

        @Override
        public void ensure(int rows) {
            int size = BlockActivations.size(rows, intermediate);
            if (gate.length < size) {
                gate = new float[size];
                up = new float[size];
                product = new float[size];
            }
        }
    }
}
