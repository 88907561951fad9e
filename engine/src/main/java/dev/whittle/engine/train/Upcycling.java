package dev.whittle.engine.train;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.model.MoeConfig;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starting weights for a Mixtral-layout MoE made from a trained dense Llama of the same attention shape ("sparse
 * upcycling", Komatsuzaki et al. 2023, with experts made by splitting the dense MLP's neurons as LLaMA-MoE does):
 * embeddings, norms and attention are copied; each expert of intermediate size {@code m} takes {@code m} of the dense
 * MLP's {@code n} neurons (its gate and up rows, its down column), scaled by {@code n / m} so that any one expert is an
 * unbiased estimate of the dense MLP and the renormalised top-k mixture starts close to it. When {@code m} divides
 * {@code n}, experts come in groups of {@code n / m} that split one random permutation of the neurons between them,
 * so every neuron is in exactly one expert of each group; otherwise each expert draws its own subset. The routers
 * start from {@link Initialisation}'s random weights. Continued training then lets the experts diverge.
 */
public final class Upcycling {

    private static final Pattern EXPERT = Pattern.compile(
            "model\\.layers\\.(\\d+)\\.block_sparse_moe\\.experts\\.(\\d+)\\.(w1|w2|w3)\\.weight");
    private static final Pattern ROUTER = Pattern.compile("model\\.layers\\.\\d+\\.block_sparse_moe\\.gate\\.weight");

    private Upcycling() {
    }

    /**
     * A decoder of {@code moe}'s shape (a Mixtral config) with {@code dense}'s weights spread over its experts;
     * {@code seed} draws the neuron splits and the routers.
     */
    public static Decoder decoder(Checkpoint dense, ModelConfig denseConfig, ModelConfig moe, long seed) {
        MoeConfig experts = moe.moe();
        if (experts == null || denseConfig.moe() != null) {
            throw new IllegalArgumentException("upcycling makes a MoE model from a dense one");
        }
        int n = denseConfig.intermediateSize();
        int m = experts.expertIntermediateSize();
        if (m > n) {
            throw new IllegalArgumentException("experts of " + m + " neurons cannot be cut from a dense MLP of " + n);
        }
        Decoder random = Initialisation.randomDecoder(moe, seed);
        return DecoderLoader.load(moe, (name, shape) -> {
            Matcher expert = EXPERT.matcher(name);
            if (expert.matches()) {
                int layer = Integer.parseInt(expert.group(1));
                int e = Integer.parseInt(expert.group(2));
                int[] neurons = neurons(n, m, layer, e, seed);
                String mlp = "model.layers." + layer + ".mlp.";
                return switch (expert.group(3)) {
                    case "w1" -> rows(dense.floats(mlp + "gate_proj.weight"), denseConfig.hiddenSize(), neurons);
                    case "w3" -> rows(dense.floats(mlp + "up_proj.weight"), denseConfig.hiddenSize(), neurons);
                    default -> columns(dense.floats(mlp + "down_proj.weight"), n, neurons, (float) n / m);
                };
            }
            if (ROUTER.matcher(name).matches()) {
                String router = name.substring(0, name.length() - ".weight".length());
                return random.linears().stream().filter(l -> l.name().equals(router)).findFirst().orElseThrow().weight();
            }
            return dense.floats(name);
        }, Progress.NONE);
    }

    /** The dense neurons expert {@code e} of {@code layer} takes. */
    static int[] neurons(int n, int m, int layer, int e, long seed) {
        boolean grouped = n % m == 0;
        int group = grouped ? e / (n / m) : e;
        int[] permutation = new int[n];
        for (int i = 0; i < n; i++) {
            permutation[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 31L * layer + group);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
        int[] chosen = new int[m];
        System.arraycopy(permutation, grouped ? (e % (n / m)) * m : 0, chosen, 0, m);
        Arrays.sort(chosen);
        return chosen;
    }

    private static float[] rows(float[] weight, int in, int[] neurons) {
        float[] out = new float[neurons.length * in];
        for (int r = 0; r < neurons.length; r++) {
            System.arraycopy(weight, neurons[r] * in, out, r * in, in);
        }
        return out;
    }

    private static float[] columns(float[] weight, int in, int[] neurons, float scale) {
        int outRows = weight.length / in;
        float[] out = new float[outRows * neurons.length];
        for (int r = 0; r < outRows; r++) {
            for (int c = 0; c < neurons.length; c++) {
                out[r * neurons.length + c] = weight[r * in + neurons[c]] * scale;
            }
        }
        return out;
    }
}
