package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the model is asked, by request type; fields of the other types are null.
 * <ul>
 *   <li>{@code loglikelihood}: {@code choices} (templates, the same for every document, as MMLU's letters) or
 *   {@code choicesField} (a list field), and {@code goldField} (the gold choice's index, or its text).</li>
 *   <li>{@code generate_until}: {@code answerField} and optional {@code aliasesField} (the accepted answers),
 *   {@code until} (stop strings) and {@code maxTokens}.</li>
 *   <li>{@code rolling_perplexity}: {@code textField}; {@code seqlen} (window length, capped at the model's
 *   positions; null: the model's positions) and {@code stride} (null: {@code seqlen}, non-overlapping windows).</li>
 *   <li>{@code speculative}: {@code draftLengths} (the k the draft proposes per target forward, each run in turn;
 *   default 1..8), {@code until} and {@code maxTokens} (of the greedy generation, as {@code generate_until}).</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestSpec(RequestType type, List<String> choices, String choicesField, String goldField,
                          String answerField, String aliasesField, List<String> until, Integer maxTokens,
                          String textField, Integer seqlen, Integer stride, List<Integer> draftLengths) {

    public static final int DEFAULT_MAX_TOKENS = 32;
    public static final List<String> DEFAULT_UNTIL = List.of("\n");
    public static final String DEFAULT_TEXT_FIELD = "text";
    public static final List<Integer> DEFAULT_DRAFT_LENGTHS = List.of(1, 2, 3, 4, 5, 6, 7, 8);

    public RequestSpec {
        choices = choices == null ? null : List.copyOf(choices);
        until = until == null ? null : List.copyOf(until);
        draftLengths = draftLengths == null ? null : List.copyOf(draftLengths);
    }
}
