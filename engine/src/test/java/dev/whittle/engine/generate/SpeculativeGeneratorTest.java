package dev.whittle.engine.generate;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SpeculativeGeneratorTest {

    static final List<String> PROMPTS = List.of("the cat sat", "a b", "hello there", "x");

    @TempDir
    static Path tmp;
    static Decoder target;
    static Decoder pruned;
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 12, TestModels.options().layers(3));
        target = DecoderLoader.load(dir, Progress.NONE);
        tokenizer = Tokenizer.load(dir);
        // The draft is the target with its last block removed: a pruned copy, agreeing on some tokens only.
        pruned = target.withoutBlocks(List.of(2));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void theOutputIsTheTargetsOwnGreedyOutputTokenForToken(int k) {
        Generator alone = new Generator(target, tokenizer);
        SpeculativeGenerator speculative = new SpeculativeGenerator(target, pruned, tokenizer);
        for (String prompt : PROMPTS) {
            for (int maxTokens : new int[] {0, 1, 7, 24}) {
                int[] ids = tokenizer.encode(prompt, true);
                Generator.Settings settings = Generator.Settings.greedy(maxTokens);
                Generator.Result expected = alone.generate(ids, settings, s -> { }, Progress.NONE);
                StringBuilder streamed = new StringBuilder();

                SpeculativeGenerator.Result result = speculative.generate(ids, settings, k, streamed::append,
                        Progress.NONE);

                assertThat(result.generation().tokens()).as("%s, max %d", prompt, maxTokens)
                        .containsExactly(expected.tokens());
                assertThat(result.generation().text()).isEqualTo(expected.text());
                assertThat(result.generation().reason()).isEqualTo(expected.reason());
                assertThat(streamed.toString()).isEqualTo(expected.text());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void aStopStringEndsSpeculativeGenerationWhereItEndsTheTargets(int k) {
        Generator alone = new Generator(target, tokenizer);
        int[] ids = tokenizer.encode("a b", true);
        String free = alone.generate(ids, Generator.Settings.greedy(40), s -> { }, Progress.NONE).text();
        assertThat(free.length()).isGreaterThan(8);
        Generator.Settings settings = new Generator.Settings(40, 0, 1, 0, List.of(free.substring(5, 7)));
        Generator.Result expected = alone.generate(ids, settings, s -> { }, Progress.NONE);

        SpeculativeGenerator.Result result = new SpeculativeGenerator(target, pruned, tokenizer)
                .generate(ids, settings, k, s -> { }, Progress.NONE);

        assertThat(expected.reason()).isEqualTo(Generator.StopReason.STOP_STRING);
        assertThat(result.generation().reason()).isEqualTo(Generator.StopReason.STOP_STRING);
        assertThat(result.generation().text()).isEqualTo(expected.text());
        assertThat(result.generation().tokens()).containsExactly(expected.tokens());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void aPrunedDraftsMeanAcceptedLengthLiesBetweenOneAndKPlusOne(int k) {
        SpeculativeGenerator.Acceptance acceptance = new SpeculativeGenerator(target, pruned, tokenizer)
                .generate(tokenizer.encode("the cat sat", true), Generator.Settings.greedy(32), k, s -> { },
                        Progress.NONE).acceptance();

        assertThat(acceptance.rounds()).isPositive();
        assertThat(acceptance.proposed()).isEqualTo((long) k * acceptance.rounds());
        assertThat(acceptance.meanAcceptedLength()).isBetween(1.0, k + 1.0);
        assertThat(acceptance.meanAcceptedLength())
                .isCloseTo(1 + (double) acceptance.accepted() / acceptance.rounds(), within(1e-12));
        assertThat(acceptance.rate()).isBetween(0.0, 1.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void aDraftIdenticalToTheTargetHasEveryProposalAccepted(int k) {
        SpeculativeGenerator.Result result = new SpeculativeGenerator(target, target, tokenizer)
                .generate(tokenizer.encode("hello there", true), Generator.Settings.greedy(30), k, s -> { },
                        Progress.NONE);

        assertThat(result.acceptance().rate()).isEqualTo(1.0);
        assertThat(result.acceptance().meanAcceptedLength()).isEqualTo(k + 1.0);
        // 30 tokens: the prefill's, then rounds of k + 1 (the last one cut by the limit).
        assertThat(result.acceptance().rounds()).isEqualTo(Math.ceilDiv(29, k + 1));
    }

    @Test
    void anAdaptiveDraftLengthStillGivesTheTargetsOwnGreedyOutputAndNeverProposesMoreThanItsCap() {
        Generator alone = new Generator(target, tokenizer);
        SpeculativeGenerator speculative = new SpeculativeGenerator(target, pruned, tokenizer);
        BanditDraftPolicy bandit = new BanditDraftPolicy(6);
        long rounds = 0;
        for (String prompt : PROMPTS) {
            int[] ids = tokenizer.encode(prompt, true);
            Generator.Result expected = alone.generate(ids, Generator.Settings.greedy(24), s -> { }, Progress.NONE);

            SpeculativeGenerator.Result result = speculative.generate(ids, Generator.Settings.greedy(24), bandit,
                    s -> { }, Progress.NONE);

            assertThat(result.generation().tokens()).as(prompt).containsExactly(expected.tokens());
            SpeculativeGenerator.Acceptance acceptance = result.acceptance();
            assertThat(acceptance.proposed()).isBetween((long) acceptance.rounds(), 6L * acceptance.rounds());
            assertThat(acceptance.meanAcceptedLength()).isBetween(1.0, 7.0);
            rounds += acceptance.rounds();
        }
        // The bandit learnt from every round, across the prompts.
        assertThat(bandit.statistics().stream().mapToLong(BanditDraftPolicy.ArmStatistics::pulls).sum())
                .isEqualTo(rounds);
    }

    /** A rule that stops after every first proposal, under a cap of 8, must draft exactly as k = 1 does. */
    @Test
    void aRuleThatAlwaysStopsAtOnceDraftsAsDraftLengthOne() {
        DraftPolicy stopAtOnce = new DraftPolicy() {
            @Override
            public int maxLength() {
                return 8;
            }

            @Override
            public StopRule nextRound() {
                return step -> true;
            }

            @Override
            public void verified(int proposed, int accepted) {
                assertThat(proposed).isEqualTo(1);
            }
        };
        SpeculativeGenerator speculative = new SpeculativeGenerator(target, pruned, tokenizer);
        int[] ids = tokenizer.encode("the cat sat", true);

        SpeculativeGenerator.Result once = speculative.generate(ids, Generator.Settings.greedy(20), stopAtOnce,
                s -> { }, Progress.NONE);
        SpeculativeGenerator.Result one = speculative.generate(ids, Generator.Settings.greedy(20), 1, s -> { },
                Progress.NONE);

        assertThat(once.acceptance()).isEqualTo(one.acceptance());
        assertThat(once.generation().tokens()).containsExactly(one.generation().tokens());
    }

    @Test
    void aDraftWithAnotherVocabularyIsRefused() throws IOException {
        Path dir = tmp.resolve("other-vocab");
        TestModels.write(dir, Family.LLAMA, 3, TestModels.options().vocab(300));
        Decoder other = DecoderLoader.load(dir, Progress.NONE);

        assertThatThrownBy(() -> new SpeculativeGenerator(target, other, tokenizer))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
    }
}
