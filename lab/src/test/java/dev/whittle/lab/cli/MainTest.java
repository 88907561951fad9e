package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.TextPerplexity;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import dev.whittle.engine.testing.TestTokenizers;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest extends CliTest {

    static Path text;

    @BeforeAll
    static void writeText() throws IOException {
        text = tmp.resolve("text.txt");
        Files.writeString(text, TestTokenizers.TRAINING_TEXT.repeat(3));
    }

    @Test
    void inspectDescribesTheModelFolder() {
        assertThat(run("inspect", model.toString())).isZero();
        assertThat(out()).contains("LlamaForCausalLM").contains("2 layers, hidden 64, 4 heads (2 kv) x 16")
                .contains("sha256").contains("layer 1");
    }

    @Test
    void perplexityPrintsWhatTheEvaluationComputes() throws IOException {
        assertThat(run("perplexity", model.toString(), text.toString(), "--seqlen", "64")).isZero();

        TextPerplexity expected = TextPerplexity.measure(DecoderLoader.load(model, Progress.NONE), Tokenizer.load(model),
                Files.readString(text), 64, 64, 0, Progress.NONE);
        assertThat(out()).contains("token perplexity " + Main.number(expected.tokenPerplexity()))
                .contains("word perplexity").contains("bits per byte");
    }

    @Test
    void generateStreamsThePromptAndItsContinuation() {
        assertThat(run("generate", model.toString(), "the cat", "--max-tokens", "8", "--temperature", "0.8",
                "--seed", "4")).isZero();
        assertThat(out()).startsWith("the cat");
        assertThat(err()).contains("generated");
    }

    @Test
    void scorePrintsOneLineOfLogLikelihoodPerContinuation() {
        assertThat(run("score", model.toString(), "--context", "the cat", "--continuation", " sat",
                "--continuation", " ran away")).isZero();
        assertThat(out().lines().filter(l -> l.contains("loglikelihood"))).hasSize(2);
    }

    @Test
    void aMissingModelFolderIsAUserErrorNamingThePathWithoutAStackTrace() {
        assertThat(run("perplexity", tmp.resolve("nope").toString(), text.toString())).isEqualTo(2);
        assertThat(err()).contains("nope").contains("not a model folder").doesNotContain("\tat ");
    }

    @Test
    void aModelFolderWithCorruptWeightsIsAUserError() throws IOException {
        Path broken = tmp.resolve("broken");
        TestModels.write(broken, Family.QWEN2, 1, TestModels.options());
        Files.write(broken.resolve("model.safetensors"), new byte[] {1, 2, 3});

        assertThat(run("score", broken.toString(), "--context", "a", "--continuation", "b")).isEqualTo(2);
        assertThat(err()).contains("model.safetensors").doesNotContain("\tat ");
    }

    @Test
    void anUnknownOptionOrCommandPrintsTheUsage() {
        assertThat(run("generate", model.toString(), "hi", "--tokens", "3")).isEqualTo(2);
        assertThat(err()).contains("unknown option --tokens").contains("usage:");
        assertThat(run("train")).isEqualTo(2);
    }

    @Test
    void helpAfterACommandPrintsTheUsageAndSucceeds() {
        assertThat(run("quantize", "--help")).isZero();
        assertThat(out()).contains("quantize MODEL OUT --method rtn|gptq").contains("prune MODEL OUT");
    }
}
