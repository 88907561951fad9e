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

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Batched generation against {@link Generator} run alone on each prompt, which is itself checked against full recomputation. */
class BatchGeneratorTest {

    @TempDir
    static Path tmp;
    static Decoder decoder;
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        Path dir = tmp.resolve("m");
        TestModels.write(dir, Family.LLAMA, 12, TestModels.options());
        decoder = DecoderLoader.load(dir, Progress.NONE);
        tokenizer = Tokenizer.load(dir);
    }

    @Test
    void eachSequenceGetsWhatItWouldGetAloneWithItsOwnLimitStopsAndSampling() {
        Generator alone = new Generator(decoder, tokenizer);
        String free = alone.generate("a b", new Generator.Settings(24, 1.0f, 1f, 3, List.of()), s -> { },
                Progress.NONE).text();
        List<BatchGenerator.Request> requests = new ArrayList<>();
        String[] prompts = {"the cat sat", "hello", "a b", "the quick brown fox jumps over", "x", "a b", "one two three"};
        for (int i = 0; i < prompts.length; i++) {
            Generator.Settings settings = switch (i % 4) {
                case 0 -> Generator.Settings.greedy(5 + i);
                case 1 -> new Generator.Settings(12, 1.1f, 0.9f, 100 + i, List.of());
                case 2 -> new Generator.Settings(24, 1.0f, 1f, 3, List.of(free.substring(4, 6)));
                default -> Generator.Settings.greedy(0);
            };
            requests.add(new BatchGenerator.Request(tokenizer.encode(prompts[i], true), settings));
        }

        List<Generator.Result> batched = new BatchGenerator(decoder, tokenizer, 3).generate(requests, Progress.NONE);

        assertThat(batched).hasSize(requests.size());
        boolean stopped = false;
        for (int i = 0; i < requests.size(); i++) {
            Generator.Result expected = alone.generate(requests.get(i).prompt(), requests.get(i).settings(), s -> { },
                    Progress.NONE);
            assertThat(batched.get(i).tokens()).as("sequence %d", i).containsExactly(expected.tokens());
            assertThat(batched.get(i).text()).as("sequence %d", i).isEqualTo(expected.text());
            assertThat(batched.get(i).reason()).as("sequence %d", i).isEqualTo(expected.reason());
            stopped |= expected.reason() == Generator.StopReason.STOP_STRING;
        }
        assertThat(stopped).as("some sequence ended at its stop string").isTrue();
    }
}
