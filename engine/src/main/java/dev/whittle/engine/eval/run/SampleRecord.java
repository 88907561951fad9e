package dev.whittle.engine.eval.run;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What happened on one sample, for storage and inspection; fields that do not apply to the request type are null.
 *
 * @param index     the sample's position in the run
 * @param docId     the document's id (rolling perplexity: the document's id and window number)
 * @param group     the document's {@code groupBy} value
 * @param prompt    the full text the model saw (few-shot examples included), before any truncation
 * @param target    the gold choice's text, or the gold answer
 * @param aliases   the other accepted answers (generation)
 * @param output    the generated text, or the text of the choice the model picked (by acc)
 * @param choices   every choice's score (multiple choice)
 * @param predicted the index of the choice picked by acc (multiple choice)
 * @param correct   whether the sample scored 1 on the task's headline metric (null for perplexity windows)
 * @param truncated whether the prompt was cut at the front to fit the model's positions
 * @param scores    the sample's value of each metric of its kind (perplexity windows: nll, tokens, token_perplexity)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SampleRecord(int index, String docId, String group, String prompt, String target, List<String> aliases,
                           String output, List<ChoiceScore> choices, Integer predicted, Boolean correct,
                           Boolean truncated, Map<String, Double> scores) {
}
