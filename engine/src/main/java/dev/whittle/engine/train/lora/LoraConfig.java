package dev.whittle.engine.train.lora;

import java.util.List;

/**
 * What PEFT's {@code LoraConfig} says: the rank r, {@code lora_alpha} (the update is scaled by alpha / r), the
 * dropout on the adapter's input, and the target modules by their last name ({@code q_proj}, {@code v_proj}) or
 * full module name ({@code model.layers.0.self_attn.q_proj}).
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, long seed) {

    public LoraConfig {
        targets = List.copyOf(targets);
        if (rank < 1 || !(alpha > 0) || !(dropout >= 0 && dropout < 1) || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs rank >= 1, alpha > 0, dropout in [0, 1) and at least one "
                    + "target module, got rank " + rank + ", alpha " + alpha + ", dropout " + dropout + ", targets "
                    + targets);
        }
    }

    /** Whether the module called {@code name} is a target. */
    public boolean targets(String name) {
        return targets.stream().anyMatch(target -> matches(name, target));
    }

    /** As PEFT matches a list of target modules: the whole name, or its last dotted parts. */
    static boolean matches(String name, String target) {
        return name.equals(target) || name.endsWith("." + target);
    }
}
