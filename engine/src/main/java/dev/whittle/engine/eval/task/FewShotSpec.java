package dev.whittle.engine.eval.task;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Few-shot examples in front of each prompt.
 *
 * @param k         how many (0: none)
 * @param split     where they come from; null: the evaluated split, never using the document itself
 * @param sampler   how they are picked
 * @param seed      the random sampler's seed
 * @param separator between examples, and between the last example and the document
 * @param sameGroup draw only from documents with the same {@code groupBy} value (MMLU: the same subject)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FewShotSpec(int k, String split, FewShotSampler sampler, long seed, String separator, boolean sameGroup) {

    public static final long DEFAULT_SEED = 1234;
    public static final String DEFAULT_SEPARATOR = "\n\n";

    public static FewShotSpec none() {
        return new FewShotSpec(0, null, FewShotSampler.FIRST, DEFAULT_SEED, DEFAULT_SEPARATOR, false);
    }

    public FewShotSpec withSeed(long newSeed) {
        return new FewShotSpec(k, split, sampler, newSeed, separator, sameGroup);
    }
}
