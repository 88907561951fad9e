package dev.whittle.engine.train.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;

import java.util.ArrayList;
import java.util.List;

/**
 * What a DISTILL trains on: a registered JSONL {@code dataset} (by id or name) whose lines hold a prompt and a
 * response in {@code promptField} and {@code responseField}, or a conversation in {@code messagesField} (chat form,
 * rendered with the model's chat template, see {@link Conversation}), or a {@code builtIn} recovery set; the first
 * {@code limit} examples when given. Which form a dataset has is read from its first line: the prompt field when it
 * is a string, else the messages field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "The examples: a registered JSONL dataset (prompt/response lines, or conversations in chat "
        + "form) or a built-in recovery set.")
public record DistillData(
        @Schema(description = "A registered JSONL dataset, by id or name. Leave out for a built-in set. Each line is "
                + "either an object with string fields promptField and responseField, or a conversation "
                + "{\"messages\": [{\"role\": \"system|user|assistant\", \"content\": \"...\"}, ...]} "
                + "(the first line says which). A conversation is rendered with the model's chat template "
                + "(tokenizer_config.json's chat_template; a model without one is refused) and trained on its final "
                + "assistant turn: the loss falls on that turn's tokens only, earlier turns are context.",
                example = "my-qa")
        String dataset,
        @Schema(description = "A recovery set the platform provides (from the reference corpus), instead of a dataset.")
        BuiltInSet builtIn,
        @Schema(description = "The string field holding each line's prompt.", defaultValue = DEFAULT_PROMPT_FIELD)
        String promptField,
        @Schema(description = "The string field holding each line's response.", defaultValue = DEFAULT_RESPONSE_FIELD)
        String responseField,
        @Schema(description = "The field holding each line's conversation (a list of {role, content}), for a dataset "
                + "in chat form.", defaultValue = DEFAULT_MESSAGES_FIELD)
        String messagesField,
        @Schema(description = "Train on the first this many examples only; default all.", example = "500")
        @Min(1) Integer limit) {

    public static final String DEFAULT_PROMPT_FIELD = "prompt";
    public static final String DEFAULT_RESPONSE_FIELD = "response";
    public static final String DEFAULT_MESSAGES_FIELD = "messages";

    public DistillData {
        promptField = promptField == null ? DEFAULT_PROMPT_FIELD : promptField;
        responseField = responseField == null ? DEFAULT_RESPONSE_FIELD : responseField;
        messagesField = messagesField == null ? DEFAULT_MESSAGES_FIELD : messagesField;
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
                || !responseField.equals(DEFAULT_RESPONSE_FIELD) || !messagesField.equals(DEFAULT_MESSAGES_FIELD))) {
            problems.add(new DistillProblem("data", "promptField, responseField and messagesField apply to a dataset"));
        }
        return problems;
    }
}
