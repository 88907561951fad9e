package dev.whittle.engine.train.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.TensorSelection;
import dev.whittle.engine.train.lora.LoraConfig;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;

/** Which weights a DISTILL trains: all of them ({@code full}), or LoRA adapters ({@code lora}); {@code type} says which. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DistillAdapter.Full.class, name = DistillAdapter.Full.NAME),
        @JsonSubTypes.Type(value = DistillAdapter.Lora.class, name = DistillAdapter.Lora.NAME)})
@Schema(description = "full: every weight learns (pruned ones stay zero); lora: low-rank adapters, merged under the "
        + "pruning mask into the output and also written as a PEFT adapter folder.", discriminatorProperty = "type",
        oneOf = {DistillAdapter.Full.class, DistillAdapter.Lora.class},
        discriminatorMapping = {
                @DiscriminatorMapping(value = DistillAdapter.Full.NAME, schema = DistillAdapter.Full.class),
                @DiscriminatorMapping(value = DistillAdapter.Lora.NAME, schema = DistillAdapter.Lora.class)})
public sealed interface DistillAdapter {

    /** Every weight; the default. */
    DistillAdapter FULL = new Full();

    /** The engine's adapter, LoRA initialised from {@code seed}. */
    FineTune.Adapter fineTune(long seed);

    /** Targets that name no linear layer of the model. */
    default List<DistillProblem> problems(ModelConfig config) {
        return List.of();
    }

    @Schema(description = "Every weight learns; pruned weights stay exactly zero.")
    record Full() implements DistillAdapter {
        public static final String NAME = "full";

        @Override
        public FineTune.Adapter fineTune(long seed) {
            return new FineTune.Adapter.Full();
        }
    }

    @Schema(description = "LoRA (PEFT's names): the update of each target is (alpha / rank) B A.")
    record Lora(
            @Schema(description = "The adapters' rank r.", defaultValue = "16") @Min(1) @Max(4096) Integer rank,
            @Schema(description = "lora_alpha: the update is scaled by alpha / rank.", defaultValue = "32")
            @DecimalMin(value = "0", inclusive = false) Double alpha,
            @Schema(description = "Dropout on the adapters' input while training.", defaultValue = "0.05")
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double dropout,
            @Schema(description = "Target modules by last name (q_proj, v_proj, ...) or full module name.",
                    defaultValue = "[\"q_proj\", \"v_proj\"]") List<String> targets) implements DistillAdapter {

        public static final String NAME = "lora";

        public Lora {
            rank = rank == null ? 16 : rank;
            alpha = alpha == null ? 32.0 : alpha;
            dropout = dropout == null ? 0.05 : dropout;
            targets = targets == null || targets.isEmpty() ? List.of("q_proj", "v_proj") : List.copyOf(targets);
        }

        @Override
        public FineTune.Adapter fineTune(long seed) {
            return new FineTune.Adapter.Lora(new LoraConfig(rank, alpha, dropout, targets, seed));
        }

        @Override
        public List<DistillProblem> problems(ModelConfig config) {
            List<String> modules = TensorSelection.candidates(config).stream()
                    .map(name -> name.substring(0, name.length() - ".weight".length())).toList();
            List<DistillProblem> problems = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                LoraConfig one = new LoraConfig(1, 1, 0, List.of(targets.get(i)), 0);
                if (modules.stream().noneMatch(one::targets)) {
                    problems.add(new DistillProblem("adapter.targets[" + i + "]", "'" + targets.get(i)
                            + "' names no linear layer of the model's blocks (e.g. q_proj, k_proj, v_proj, o_proj, "
                            + "gate_proj, up_proj, down_proj)"));
                }
            }
            return problems;
        }
    }
}
