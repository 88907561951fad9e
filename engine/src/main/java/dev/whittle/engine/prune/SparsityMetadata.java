package dev.whittle.engine.prune;

import dev.whittle.engine.io.DType;
import dev.whittle.engine.io.OutputTensor;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderTensors;
import dev.whittle.engine.model.Linear;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sparsity of a weight-pruned model as compressed-tensors records it in config.json, so that serving engines
 * (vLLM's 2:4 kernels) and transformers recognise it: {@code quantization_config} with {@code quant_method}
 * "compressed-tensors" and a {@code sparsity_config} of format "dense" (the zeros are stored as they are), the
 * {@code sparsity_structure} ("2:4" or "unstructured"), the {@code targets} ("Linear"), the linears left dense in
 * {@code ignore}, and the {@code global_sparsity}, the share of zeros among all the model's parameters.
 */
public final class SparsityMetadata {

    private SparsityMetadata() {
    }

    /** The {@code quantization_config} of {@code decoder} after pruning the weights {@code pruned} (N:M or not). */
    public static Map<String, Object> quantizationConfig(Decoder decoder, Set<String> pruned, NmSparsity nm) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("quant_method", "compressed-tensors");
        config.put("sparsity_config", sparsityConfig(decoder, pruned, nm));
        return config;
    }

    /** The {@code sparsity_config} alone. */
    public static Map<String, Object> sparsityConfig(Decoder decoder, Set<String> pruned, NmSparsity nm) {
        List<String> ignore = new ArrayList<>();
        for (Linear l : decoder.linears()) {
            if (!pruned.contains(l.name() + ".weight") && !ignore.contains(l.name())) {
                ignore.add(l.name());
            }
        }
        if (!ignore.contains("lm_head")) {
            ignore.add("lm_head"); // never pruned, and a Linear the targets would otherwise cover
        }
        Map<String, Object> sparsity = new LinkedHashMap<>();
        sparsity.put("format", "dense");
        sparsity.put("sparsity_structure", nm == null ? "unstructured" : nm.n() + ":" + nm.m());
        sparsity.put("targets", List.of("Linear"));
        sparsity.put("ignore", ignore);
        sparsity.put("global_sparsity", globalSparsity(decoder));
        sparsity.put("registry_requires_subclass", false);
        return sparsity;
    }

    /** Zeros over all parameters (a tied head counted once, as the checkpoint stores it). */
    static double globalSparsity(Decoder decoder) {
        long zeros = 0;
        long total = 0;
        for (OutputTensor t : DecoderTensors.of(decoder, DType.F32)) {
            for (float v : t.values().get()) {
                zeros += v == 0f ? 1 : 0;
            }
            total += t.numel();
        }
        return total == 0 ? 0 : (double) zeros / total;
    }
}
