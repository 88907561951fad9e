package dev.whittle.engine.train.lora;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.io.SafetensorsWriter;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.LowRankAdapter;
import dev.whittle.engine.train.DecoderParameters;
import dev.whittle.engine.train.optim.Parameter;
import dev.whittle.engine.train.optim.ParameterSet;
import dev.whittle.engine.train.optim.SparsityMask;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A decoder with LoRA adapters on its target layers: train it with {@code new DecoderTraining(model.decoder(),
 * model.parameters())} (only the adapters learn), then {@link #merged} for a model that loads anywhere and
 * {@link #writePeftAdapter} for the adapter folder PEFT loads on the base model.
 * <p>
 * Initialised as PEFT does: A uniform in {@code [-1/sqrt(in), 1/sqrt(in))} (its kaiming-uniform with
 * {@code a = sqrt(5)}), B zero, so the adapted model starts equal to the base.
 */
public final class LoraModel {

    /** The safetensors file of a PEFT adapter folder, and its config. */
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    private static final String PEFT_PREFIX = "base_model.model.";

    private final Decoder decoder;
    private final LoraConfig config;
    private final Map<String, Linear> adapted = new LinkedHashMap<>();

    private LoraModel(Decoder decoder, LoraConfig config) {
        this.decoder = decoder;
        this.config = config;
        for (Linear linear : decoder.linears()) {
            if (linear.adapter() != null) {
                adapted.put(linear.name(), linear);
            }
        }
    }

    /** Adapters on every layer of {@code base} that the config targets; fails naming a target that matches none. */
    public static LoraModel attach(Decoder base, LoraConfig config) {
        for (String target : config.targets()) {
            boolean found = base.linears().stream().anyMatch(l -> LoraConfig.matches(l.name(), target));
            if (!found) {
                throw new IllegalArgumentException("no linear layer of the model is named " + target
                        + " (targets are module names such as q_proj, v_proj, gate_proj)");
            }
        }
        Random random = new Random(config.seed());
        Decoder withAdapters = base.withLinears(linear -> {
            if (!config.targets(linear.name())) {
                return linear;
            }
            float[] a = new float[config.rank() * linear.in()];
            double bound = 1 / Math.sqrt(linear.in());
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            float[] b = new float[linear.out() * config.rank()];
            return linear.withAdapter(new LowRankAdapter(config.rank(), linear.in(), linear.out(), a, b, config.alpha(),
                    config.dropout(), config.seed() ^ linear.name().hashCode()));
        });
        return new LoraModel(withAdapters, config);
    }

    /** The decoder that runs base + adapters (the base's arrays shared). */
    public Decoder decoder() {
        return decoder;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapted layers by module name. */
    public Map<String, Linear> adaptedLayers() {
        return Map.copyOf(adapted);
    }

    /** The adapters' A and B trainable, every base weight frozen. */
    public ParameterSet parameters() {
        return DecoderParameters.of(decoder).map(name -> !name.contains(".lora_"), Parameter::frozen);
    }

    /**
     * The base with each adapter merged into its weight ({@code W + alpha/r B A}) and no adapters, the base's own
     * arrays untouched. Entries that are exactly zero in the base weight (pruned) stay exactly zero, so a sparse
     * model stays as sparse, with the same N:M pattern.
     */
    public Decoder merged() {
        return decoder.withLinears(linear -> {
            if (linear.adapter() == null) {
                return linear;
            }
            float[] weight = linear.adapter().mergedInto(linear.weight());
            SparsityMask.ofZeros(linear.weight()).zero(weight);
            return new Linear(linear.name(), linear.out(), linear.in(), weight, linear.bias());
        });
    }

    /**
     * A PEFT adapter folder: {@value #ADAPTER_CONFIG} ({@code peft_type LORA}, r, lora_alpha, lora_dropout,
     * target_modules, base_model_name_or_path) and {@value #ADAPTER_WEIGHTS} with PEFT's tensor names
     * ({@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}). PEFT adds the update unmasked: on
     * a pruned base, the merged model is the one that keeps the sparsity.
     */
    public void writePeftAdapter(Path dir, String baseModelNameOrPath) throws IOException {
        Files.createDirectories(dir);
        List<OutputTensor> tensors = new ArrayList<>();
        for (Linear linear : adapted.values()) {
            LowRankAdapter adapter = linear.adapter();
            tensors.add(OutputTensor.of(PEFT_PREFIX + linear.name() + ".lora_A.weight", DType.F32,
                    new long[]{adapter.rank(), linear.in()}, adapter.a()));
            tensors.add(OutputTensor.of(PEFT_PREFIX + linear.name() + ".lora_B.weight", DType.F32,
                    new long[]{linear.out(), adapter.rank()}, adapter.b()));
        }
        SafetensorsWriter.write(dir.resolve(ADAPTER_WEIGHTS), tensors, Map.of("format", "pt"));
        JsonMapper json = new JsonMapper();
        ObjectNode peft = json.createObjectNode();
        peft.put("peft_type", "LORA");
        peft.put("task_type", "CAUSAL_LM");
        peft.put("base_model_name_or_path", baseModelNameOrPath);
        peft.put("r", config.rank());
        peft.put("lora_alpha", config.alpha());
        peft.put("lora_dropout", config.dropout());
        var targets = peft.putArray("target_modules");
        config.targets().forEach(targets::add);
        peft.put("bias", "none");
        peft.put("fan_in_fan_out", false);
        peft.put("inference_mode", true);
        peft.put("init_lora_weights", true);
        peft.put("use_rslora", false);
        peft.put("use_dora", false);
        peft.putObject("rank_pattern");
        peft.putObject("alpha_pattern");
        peft.putNull("modules_to_save");
        Files.writeString(dir.resolve(ADAPTER_CONFIG), json.writerWithDefaultPrettyPrinter().writeValueAsString(peft));
    }
}
