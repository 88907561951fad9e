package dev.whittle.engine.eval.task;

/**
 * How a document becomes a prompt (templates in {@link PromptTemplate}'s syntax).
 *
 * @param description     put once in front of the whole prompt, few-shot examples included (may use fields)
 * @param text            the document's question part; the model continues it
 * @param targetDelimiter between the text and the answer, in few-shot examples and in front of each scored choice
 */
public record PromptSpec(String description, String text, String targetDelimiter) {

    public static final String DEFAULT_TARGET_DELIMITER = " ";
}
