package dev.whittle.engine.train.optim;

import dev.whittle.engine.tensor.Parallel;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}: the decay shrinks the
 * weight directly ({@code w *= 1 - lr * wd}) instead of entering the gradient. Frozen parameters are skipped;
 * pruned entries of a masked parameter get neither gradient nor update and stay exactly zero.
 */
public final class AdamW {

    /** Hyper-parameters; {@code weightDecay} applies only to parameters whose {@link Parameter#decays()} is set. */
    public record Config(double beta1, double beta2, double epsilon, double weightDecay) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + " and " + beta2);
            }
            if (!(epsilon > 0) || weightDecay < 0) {
                throw new IllegalArgumentException("need epsilon > 0 and weight decay >= 0, got " + epsilon + " and "
                        + weightDecay);
            }
        }

        /** The usual settings for language-model training: betas 0.9 / 0.95, epsilon 1e-8, decay 0.1. */
        public static Config languageModel() {
            return new Config(0.9, 0.95, 1e-8, 0.1);
        }
    }

    private static final int CHUNK = 1 << 14;

    private final Config config;
    private final List<Parameter> parameters;
    private final Map<Parameter, float[]> firstMoment = new IdentityHashMap<>();
    private final Map<Parameter, float[]> secondMoment = new IdentityHashMap<>();
    private long step;

    public AdamW(ParameterSet parameters, Config config) {
        this.config = config;
        this.parameters = parameters.trainable();
        for (Parameter p : this.parameters) {
            firstMoment.put(p, new float[p.size()]);
            secondMoment.put(p, new float[p.size()]);
        }
    }

    public Config config() {
        return config;
    }

    /** How many updates were applied. */
    public long step() {
        return step;
    }

    /** The parameters this optimiser updates, in order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The running mean of gradients of {@code p} (live array, for checkpoints). */
    public float[] firstMoment(Parameter p) {
        return moment(firstMoment, p);
    }

    /** The running mean of squared gradients of {@code p} (live array, for checkpoints). */
    public float[] secondMoment(Parameter p) {
        return moment(secondMoment, p);
    }

    /** Sets the update count, when resuming from a checkpoint whose moments were copied into place. */
    public void restoreStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        this.step = step;
    }

    /** Applies one update with learning rate {@code lr} from the accumulated gradients (which it leaves as is). */
    public void update(double lr) {
        step++;
        double b1 = config.beta1();
        double b2 = config.beta2();
        float beta1 = (float) b1;
        float beta2 = (float) b2;
        float oneMinusBeta1 = (float) (1 - b1);
        float oneMinusBeta2 = (float) (1 - b2);
        // Bias corrections folded into the step size and the denominator, as PyTorch does.
        float stepSize = (float) (lr / (1 - Math.pow(b1, step)));
        float invSqrtCorrection2 = (float) (1 / Math.sqrt(1 - Math.pow(b2, step)));
        float eps = (float) config.epsilon();
        for (Parameter p : parameters) {
            float[] w = p.value();
            float[] g = p.grad();
            float[] m = firstMoment.get(p);
            float[] v = secondMoment.get(p);
            SparsityMask mask = p.mask();
            if (mask != null) {
                mask.zero(g);
            }
            float shrink = p.decays() ? (float) (1 - lr * config.weightDecay()) : 1f;
            Parallel.forChunks(w.length, CHUNK, (start, end) -> {
                for (int i = start; i < end; i++) {
                    float gi = g[i];
                    float mi = beta1 * m[i] + oneMinusBeta1 * gi;
                    float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
                    m[i] = mi;
                    v[i] = vi;
                    w[i] = w[i] * shrink - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtCorrection2 + eps);
                }
            });
            if (mask != null) {
                mask.zero(w);
                mask.zero(m);
                mask.zero(v);
            }
        }
    }

    private static float[] moment(Map<Parameter, float[]> moments, Parameter p) {
        float[] m = moments.get(p);
        if (m == null) {
            throw new IllegalArgumentException(p.name() + " is not updated by this optimiser");
        }
        return m;
    }
}
