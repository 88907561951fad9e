package dev.whittle.lab.reference;

import dev.whittle.engine.model.LlamaConfigJson;
import dev.whittle.engine.model.MixtralConfigJson;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.RouterLosses;
import dev.whittle.engine.train.optim.AdamW;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shape of a reference model and how it is trained: the Llama dimensions, the context, the batch and the
 * optimiser's settings. {@link #whittleRef()} is the committed model's plan (reference/model/README.md says why);
 * tests use tiny plans of the same kind.
 *
 * @param hidden        hidden size
 * @param layers        decoder blocks
 * @param heads         attention heads (head size {@code hidden / heads})
 * @param kvHeads       key/value heads (grouped-query attention)
 * @param intermediate  SwiGLU intermediate size
 * @param context       tokens per training window, and the model's max_position_embeddings
 * @param sequences     windows per update (one micro-batch)
 * @param peakLr        learning rate after warmup
 * @param minLr         learning rate at the end of the cosine
 * @param warmupUpdates updates of linear warmup
 * @param weightDecay   AdamW's decoupled decay (the blocks' matrices, not norms or embeddings: the trainer's convention)
 * @param maxGradNorm   global-norm clipping bound
 * @param seed          seeds the initial weights and the window order
 * @param experts       a Mixture-of-Experts model's sparse layers (every MLP then one, Mixtral's layout), or null
 *                      for a dense Llama
 */
public record ReferencePlan(int hidden, int layers, int heads, int kvHeads, int intermediate, int context,
                            int sequences, double peakLr, double minLr, int warmupUpdates, double weightDecay,
                            double maxGradNorm, long seed, Experts experts) {

    /**
     * Every MLP a Mixtral sparse layer of {@code count} experts of the plan's intermediate size, {@code topK} per token,
     * trained with the router losses of these coefficients ({@code loadBalancing} is written to config.json as
     * {@code router_aux_loss_coef}).
     */
    public record Experts(int count, int topK, double loadBalancing, double zLoss) {
        public Experts {
            if (topK < 1 || topK > count) {
                throw new IllegalArgumentException("top-k " + topK + " of " + count + " experts");
            }
            new RouterLosses(loadBalancing, zLoss);
        }
    }

    /** A dense plan. */
    public ReferencePlan(int hidden, int layers, int heads, int kvHeads, int intermediate, int context, int sequences,
                         double peakLr, double minLr, int warmupUpdates, double weightDecay, double maxGradNorm,
                         long seed) {
        this(hidden, layers, heads, kvHeads, intermediate, context, sequences, peakLr, minLr, warmupUpdates,
                weightDecay, maxGradNorm, seed, null);
    }

    public ReferencePlan {
        if (hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || intermediate <= 0 || context <= 1
                || sequences <= 0) {
            throw new IllegalArgumentException("every dimension must be positive (context > 1): " + this);
        }
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("hidden " + hidden + " must split into " + heads
                    + " heads of even size, and the heads into " + kvHeads + " key/value groups");
        }
    }

    /**
     * whittle-ref: hidden 256, 6 blocks of 8 query heads sharing 4 key/value heads (size 32), SwiGLU 704, context
     * 256; updates of 16 windows (4,096 tokens), peak rate 2e-3 after 100 updates, cosine to 2e-4, decay 0.1,
     * clipping at 1.
     */
    public static ReferencePlan whittleRef() {
        return new ReferencePlan(256, 6, 8, 4, 704, 256, 16, 2e-3, 2e-4, 100, 0.1, 1.0, 2026);
    }

    /**
     * whittle-ref's reading drill: the same shape and batch, a short warmup to 1e-3 (half the first phase's peak)
     * and a cosine to 1e-4; {@code seed} orders the windows.
     */
    public static ReferencePlan whittleRefReading(long seed) {
        return new ReferencePlan(256, 6, 8, 4, 704, 256, 16, 1e-3, 1e-4, 50, 0.1, 1.0, seed);
    }

    /**
     * whittle-ref-moe: whittle-ref's attention, context and batch, with every MLP a Mixtral layer of 8 experts of 352
     * (half the dense width), 2 per token: as many active weights per token as whittle-ref (15.2M parameters in all,
     * 6.1M active), load balancing 0.01 and z-loss 0.001. It continues from whittle-ref's upcycled weights, so its
     * rates are the reading drill's ({@link #whittleRefReading}); {@code seed} orders the windows.
     * reference/README.md says why.
     */
    public static ReferencePlan whittleRefMoe(long seed) {
        return new ReferencePlan(256, 6, 8, 4, 352, 256, 16, 1e-3, 1e-4, 50, 0.1, 1.0, seed, MOE_EXPERTS);
    }

    private static final Experts MOE_EXPERTS = new Experts(8, 2, 0.01, 0.001);

    /** The router losses training adds (none for a dense plan). */
    public RouterLosses routerLosses() {
        return experts == null ? RouterLosses.NONE : new RouterLosses(experts.loadBalancing(), experts.zLoss());
    }

    public int tokensPerUpdate() {
        return sequences * context;
    }

    public AdamW.Config optimizer() {
        return new AdamW.Config(0.9, 0.95, 1e-8, weightDecay);
    }

    /** The Hugging Face config.json of this shape, with the tokenizer's vocabulary and bos/eos ids. */
    public ModelConfig modelConfig(Tokenizer tokenizer) {
        ObjectNode json = LlamaConfigJson.of(hidden, intermediate, layers, heads, kvHeads, tokenizer.vocabSize(), context,
                true);
        if (experts != null) {
            MixtralConfigJson.of(json, experts.count(), experts.topK(), experts.loadBalancing());
        }
        json.put("initializer_range", 0.02);
        if (tokenizer.bosTokenId() != null) {
            json.put("bos_token_id", tokenizer.bosTokenId());
        }
        if (!tokenizer.eosTokenIds().isEmpty()) {
            json.put("eos_token_id", tokenizer.eosTokenIds().iterator().next());
        }
        json.put("torch_dtype", "float32");
        return ModelConfig.of(json);
    }
}
