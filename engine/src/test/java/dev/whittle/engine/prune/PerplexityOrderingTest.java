package dev.whittle.engine.prune;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.TextPerplexity;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.testing.ReferenceModel;
import dev.whittle.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The papers' headline result on the project's trained reference model, as far as it holds at 5.5M parameters:
 * WikiText-2 test perplexity at 50% unstructured sparsity puts SparseGPT (which reconstructs each layer's output on
 * the calibration data) at or below both Wanda and magnitude (for LLaMA-7B the papers report 7.22, 7.26 and 17.29).
 * Wanda against magnitude is printed, not asserted: on this model it depends on the calibration text. With the
 * shipped Brown Corpus excerpt Wanda comes out 0.4% worse than magnitude (dense 234.8, SparseGPT 240.5, Wanda 245.5,
 * magnitude 244.5); with the Brown Corpus plus nlp-corpus (which may not be republished, so it is not shipped) it
 * came out ahead (243.9 against 244.5). Calibration follows the papers, general English (they use C4): 128 windows of the model's context from the
 * engine's shipped {@code natural-english} set (a Brown Corpus excerpt). Calibrated on the narrow biography text of
 * the built-in {@code knowledge} set instead, SparseGPT fits its reconstruction to biographies and comes out worst on
 * WikiText-2 (measured: dense 234.8, SparseGPT 258.9, Wanda 246.0, magnitude 244.5), so that is not the papers'
 * experiment. Everything it needs is in the repository (the model under {@code reference/model}, the texts on the
 * classpath); it fails, saying what is missing, in a checkout without them. Where it looks: the model at {@code -Dwhittle.referenceModel} or
 * {@code WHITTLE_REFERENCE_MODEL}, else {@code reference/model}, {@code reference/whittle-ref} or
 * {@code models/whittle-ref} in the checkout; the text at {@code -Dwhittle.wikitext2}, else the engine's built-in copy
 * on the classpath. Perplexity is the papers' protocol: non-overlapping windows of the model's context.
 */
class PerplexityOrderingTest {

    private static final String WIKITEXT_RESOURCE = "/dev/whittle/engine/eval/data/wikitext2/wiki.test.raw";

    @TempDir
    Path tmp;

    @Test
    void sparseGptIsNoWorseThanWandaOrMagnitudeAtHalfSparsity() throws IOException {
        Optional<Path> model = ReferenceModel.find();
        assertThat(model).as("no trained reference model: set -Dwhittle.referenceModel=DIR or "
                + "WHITTLE_REFERENCE_MODEL, or commit it under reference/model, reference/whittle-ref or models/whittle-ref").isPresent();
        Optional<String> wikitext = wikitext();
        assertThat(wikitext).as("no WikiText-2 test text: set -Dwhittle.wikitext2=FILE or add the engine's "
                + "built-in copy at " + WIKITEXT_RESOURCE).isPresent();

        Path source = model.get();
        int context = CalibrationSampler.context(ModelConfig.load(source));
        CalibrationSource calibration = new CalibrationSource.BuiltIn(CalibrationSampler.NATURAL_ENGLISH);
        Calibration settings = new Calibration(null, Calibration.BuiltInSet.NATURAL_ENGLISH, null, null, context, null);
        Pruner pruner = new Pruner(new CalibrationSampler());

        Map<String, Double> perplexity = new LinkedHashMap<>();
        perplexity.put("dense", perplexity(source, wikitext.get(), context));
        for (PruneParameters method : List.of(PruneFixtures.sparseGpt(0.5, null, settings),
                PruneFixtures.wanda(0.5, null, settings), PruneFixtures.magnitude(0.5, null, null))) {
            Path out = pruner.prune(source, tmp.resolve(method.name()), method, calibration, Progress.NONE).model();
            perplexity.put(method.name(), perplexity(out, wikitext.get(), context));
        }
        List<String> parts = new ArrayList<>();
        perplexity.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.3f", k, v)));
        String summary = "WikiText-2 perplexity at 50% (" + calibration.describe() + "): " + String.join(", ", parts);
        System.out.println(summary);
        assertThat(perplexity.get("sparsegpt")).as(summary).isLessThanOrEqualTo(perplexity.get("wanda"));
        assertThat(perplexity.get("sparsegpt")).as(summary).isLessThan(perplexity.get("magnitude"));
        assertThat(perplexity.get("wanda")).as(summary).isLessThan(perplexity.get("dense") * 1.10);
    }

    private static double perplexity(Path model, String text, int context) throws IOException {
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            return TextPerplexity.measure(DecoderLoader.load(model, Progress.NONE), tokenizer, text, context, context, 0,
                    Progress.NONE).tokenPerplexity();
        }
    }

    private static Optional<String> wikitext() throws IOException {
        String configured = System.getProperty("whittle.wikitext2");
        if (configured != null) {
            return Optional.of(Files.readString(Path.of(configured), StandardCharsets.UTF_8).replace("\r\n", "\n"));
        }
        try (InputStream in = PerplexityOrderingTest.class.getResourceAsStream(WIKITEXT_RESOURCE)) {
            return in == null ? Optional.empty()
                    : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n"));
        }
    }
}
