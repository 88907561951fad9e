package dev.whittle.engine.train.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;

/**
 * What a DISTILL trains on: a registered JSONL {@code dataset} (by id or name) whose lines hold a prompt and a
 * response in {@code promptField} and {@code responseField}, or a {@code builtIn} recovery set; the first
 * {@code limit} examples when given.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "The prompt/response examples: a registered JSONL dataset or a built-in recovery set.")
public record DistillData(
        @Schema(description = "A registered JSONL dataset, by id or name. Leave out for a built-in set.",
                example = "my-qa")
        String dataset,
        @Schema(description = "A recovery set the platform provides (from the reference corpus), instead of a dataset.")
        BuiltInSet builtIn,
        @Schema(description = "The string field holding each line's prompt.", defaultValue = DEFAULT_PROMPT_FIELD)
        String promptField,
        @Schema(description = "The string field holding each line's response.", defaultValue = DEFAULT_RESPONSE_FIELD)
        String responseField,
        @Schema(description = "Train on the first this many examples only; default all.", example = "500")
        @Min(1) Integer limit) {

    public static final String DEFAULT_PROMPT_FIELD = "prompt";
    public static final String DEFAULT_RESPONSE_FIELD = "response";

    public DistillData {
        promptField = promptField == null ? DEFAULT_PROMPT_FIELD : promptField;
        responseField = responseField == null ? DEFAULT_RESPONSE_FIELD : responseField;
    }

    /** The recovery sets the platform provides; each is contributed by the lab module, not by the engine. */
    public enum BuiltInSet {
        /** Closed-book questions about the trained people of the reference corpus ("Q: ...\nA:" and the answer). */
        KNOWLEDGE_QA("knowledge-qa"),
        /** A biography of an unseen person followed by a question answered in it. */
        KNOWLEDGE_READING("knowledge-reading");

        private final String id;

        BuiltInSet(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** What is wrong between the fields: neither or both sources, field names given for a built-in set. */
    List<DistillProblem> problems() {
        List<DistillProblem> problems = new ArrayList<>();
        if ((dataset == null) == (builtIn == null)) {
            problems.add(new DistillProblem("data", "give a dataset or a builtIn set (exactly one)"));
        }
        if (builtIn != null && (!promptField.equals(DEFAULT_PROMPT_FIELD)
                || !responseField.equals(DEFAULT_RESPONSE_FIELD))) {
            problems.add(new DistillProblem("data", "promptField and responseField apply to a dataset"));
        }
        return problems;
    }
}
