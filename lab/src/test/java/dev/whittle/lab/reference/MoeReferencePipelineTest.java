package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.Arithmetic;
import dev.whittle.lab.corpus.TrainingMix;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference recipe on a Mixture-of-Experts plan: trained by the same pipeline, published as a Mixtral. */
class MoeReferencePipelineTest {

    @TempDir
    Path dir;

    @Test
    void aMoePlanTrainsWithTheArithmeticDomainAndPublishesAMixtralWithRoutingInItsCard() throws IOException {
        TinyReference tiny = new TinyReference(dir);
        ReferencePlan plan = new ReferencePlan(32, 2, 4, 2, 32, 32, 4, 1e-2, 1e-3, 5, 0.1, 1.0, 7,
                new ReferencePlan.Experts(4, 2, 0.01, 0.001));
        TrainingMix.Config mix = new TrainingMix.Config(3, 12, 2, 0.3).withArithmetic(2 * new Arithmetic().trained().size());
        ReferencePipeline pipeline = new ReferencePipeline(List.of(new ReferencePhase("pretrain", plan, mix, false)),
                tiny.paths("moe"), tiny.tokenizer, tiny::mix);
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        ReferenceTraining.Outcome outcome = pipeline.train(ReferenceTraining.Budget.minutes(1e9, 1e9),
                new PrintStream(log, true), Progress.NONE);

        assertThat(outcome.finished()).isTrue();
        PackedStream stream = pipeline.stream(pipeline.phases().getFirst(), Progress.NONE);
        assertThat(stream.tokensByKind().get(TrainingMix.Kind.ARITHMETIC)).isPositive();
        List<LossLog.Row> rows = LossLog.read(dir.resolve("moe").resolve("pretrain").resolve(ReferenceTraining.LOSS_FILE));
        double first = rows.subList(0, 10).stream().mapToDouble(LossLog.Row::loss).average().orElseThrow();
        double last = rows.subList(rows.size() - 10, rows.size()).stream().mapToDouble(LossLog.Row::loss).average()
                .orElseThrow();
        assertThat(last).isLessThan(0.8 * first);
        Path published = dir.resolve("moe-model");
        ModelConfig config = ModelConfig.load(published);
        assertThat(config.family()).isEqualTo(Family.MIXTRAL);
        assertThat(config.moe().numExperts()).isEqualTo(4);
        assertThat(Files.readString(published.resolve(ReferenceExport.CARD)))
                .contains("## Mixture of experts", "Arithmetic on held-out problems", "## Routing by domain",
                        "| arithmetic |", "# whittle-ref-moe", "MixtralForCausalLM");
    }
}
