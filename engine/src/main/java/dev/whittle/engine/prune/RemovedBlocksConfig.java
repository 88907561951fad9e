package dev.whittle.engine.prune;

import dev.whittle.engine.model.ModelConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The config.json of a model after some of its blocks were removed: {@code num_hidden_layers} lowered, and the
 * fields that describe layers one by one rewritten so each kept layer keeps its own setting:
 * {@code layer_types} and {@code no_rope_layers} lose the removed entries, {@code mlp_only_layers} is renumbered,
 * {@code max_window_layers} (Qwen: layers below it attend fully) counts the kept layers below it.
 */
final class RemovedBlocksConfig {

    private RemovedBlocksConfig() {
    }

    static ModelConfig rewrite(ModelConfig config, Collection<Integer> removedBlocks) {
        int layers = config.numHiddenLayers();
        Set<Integer> removed = Set.copyOf(removedBlocks);
        ObjectNode json = config.json();
        ModelConfig out = config;
        for (String perLayer : List.of("layer_types", "no_rope_layers")) {
            if (json.get(perLayer) instanceof ArrayNode values && values.size() == layers) {
                List<JsonNode> kept = new ArrayList<>();
                for (int i = 0; i < layers; i++) {
                    if (!removed.contains(i)) {
                        kept.add(values.get(i));
                    }
                }
                out = out.with(perLayer, kept);
            }
        }
        if (json.get("mlp_only_layers") instanceof ArrayNode only) {
            List<Integer> renumbered = new ArrayList<>();
            for (JsonNode v : only) {
                int layer = v.asInt();
                if (!removed.contains(layer) && layer < layers) {
                    renumbered.add(layer - removedBelow(removed, layer));
                }
            }
            out = out.with("mlp_only_layers", renumbered);
        }
        JsonNode maxWindow = json.get("max_window_layers");
        if (maxWindow != null && maxWindow.isIntegralNumber()) {
            int limit = Math.min(maxWindow.asInt(), layers);
            out = out.with("max_window_layers", limit - removedBelow(removed, limit));
        }
        return out.withNumHiddenLayers(layers - removed.size());
    }

    private static int removedBelow(Set<Integer> removed, int layer) {
        return (int) removed.stream().filter(r -> r < layer).count();
    }
}
