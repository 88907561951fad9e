package dev.whittle.engine.prune.experts;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.MoeFeedForward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Which experts of a Mixture-of-Experts decoder matter least: every calibration window runs through the whole model
 * with {@link ExpertSaliency} watching the routing, then each sparse layer's {@code removed} lowest-scoring experts
 * are chosen (a tie goes to the higher index, so the choice is reproducible). The same count goes from every layer,
 * because a Hugging Face config has one expert count per model.
 */
public final class ExpertScoring {

    /** The saliency an expert is ranked by. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ExpertMetric") // schema names are global: not "Metric"
    public enum Metric {
        /** {@link ExpertSaliency#reap}. */
        REAP("reap"),
        /** {@link ExpertSaliency#frequency}. */
        FREQUENCY("frequency"),
        /** {@link ExpertSaliency#ean}. */
        EAN("ean");

        private final String id;

        Metric(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        double[] of(ExpertSaliency saliency, String router) {
            return switch (this) {
                case REAP -> saliency.reap(router);
                case FREQUENCY -> saliency.frequency(router);
                case EAN -> saliency.ean(router);
            };
        }
    }

    /** One sparse layer: its block, router, each expert's score (by source index) and the experts kept and removed. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ExpertScoresLayer") // schema names are global: not "Layer"
    public record Layer(int block, String router, List<Double> scores, List<Integer> kept, List<Integer> removed) {
    }

    /** The scores and the choice: {@code experts} per layer before, {@code kept} after. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ExpertScores") // schema names are global: not "Result"
    public record Result(Metric metric, int experts, int kept, List<Layer> layers) {

        /** The experts each sparse block keeps, for {@link ExpertRemoval#keep}. */
        public Map<Integer, int[]> keptByBlock() {
            Map<Integer, int[]> byBlock = new LinkedHashMap<>();
            layers.forEach(l -> byBlock.put(l.block(), l.kept().stream().mapToInt(Integer::intValue).toArray()));
            return byBlock;
        }
    }

    private ExpertScoring() {
    }

    /** Scores every expert of {@code decoder} on {@code windows} and chooses {@code removed} per sparse layer. */
    public static Result score(Decoder decoder, List<int[]> windows, int removed, Metric metric, Progress progress) {
        List<DecoderBlock> blocks = decoder.blocks();
        int experts = decoder.config().moe().numExperts();
        ExpertSaliency saliency = new ExpertSaliency(experts);
        ForwardState state = ForwardState.forInference();
        for (int s = 0; s < windows.size(); s++) {
            progress.checkCancelled();
            decoder.forward(Batch.of(windows.get(s)), state, saliency);
            progress.report("score", s + 1, windows.size(), null);
        }
        List<Layer> layers = new ArrayList<>();
        for (int position = 0; position < blocks.size(); position++) {
            if (blocks.get(position).mlp() instanceof MoeFeedForward moe) {
                String router = moe.router().name();
                double[] scores = metric.of(saliency, router);
                List<Integer> gone = IntStream.range(0, experts).boxed()
                        .sorted(Comparator.comparingDouble((Integer e) -> scores[e]).thenComparing(e -> -e))
                        .limit(removed).sorted().toList();
                List<Integer> kept = IntStream.range(0, experts).filter(e -> !gone.contains(e)).boxed().toList();
                layers.add(new Layer(position, router, Arrays.stream(scores).boxed().toList(), kept, gone));
            }
        }
        return new Result(metric, experts, experts - removed, List.copyOf(layers));
    }
}
