package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How few-shot examples are picked from their split. */
public enum FewShotSampler {
    /** The first k documents in order (MMLU's protocol: the 5 dev rows of the subject). */
    FIRST,
    /** k documents drawn at random with the task's seed and the document's index, never the document itself. */
    RANDOM;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<FewShotSampler> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(FewShotSampler::id).toList();
    }
}
