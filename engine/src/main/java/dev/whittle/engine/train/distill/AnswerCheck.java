package dev.whittle.engine.train.distill;

import dev.whittle.engine.eval.metric.AnswerMatch;

import java.util.List;

/** Decides, per example, whether the teacher's regenerated response replaces the dataset's original. */
@FunctionalInterface
public interface AnswerCheck {

    /** GSM8K's marker before a final answer. */
    String FINAL_ANSWER_MARKER = "####";

    boolean keepTeacher(String original, String teacher);

    /**
     * The default: the original's final answer (the text after its last {@value #FINAL_ANSWER_MARKER} when it
     * has one, else the whole original response) occurs in the teacher's response, both normalised as SQuAD
     * normalises answers (lower case, no punctuation or articles, single spaces) and matched on word
     * boundaries. A teacher that drifts from the dataset's answer is not trusted; the original is kept.
     */
    static AnswerCheck finalAnswerAppears() {
        return (original, teacher) -> AnswerMatch.lenientMatch(teacher, List.of(finalAnswer(original)));
    }

    /** Every teacher response is kept. */
    static AnswerCheck always() {
        return (original, teacher) -> !teacher.isBlank();
    }

    /** The part of a response the default check looks for. */
    static String finalAnswer(String response) {
        int marker = response.lastIndexOf(FINAL_ANSWER_MARKER);
        return marker < 0 ? response : response.substring(marker + FINAL_ANSWER_MARKER.length());
    }
}
