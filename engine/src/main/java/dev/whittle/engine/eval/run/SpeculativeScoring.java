package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.generate.SpeculativeGenerator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluated model as a draft for a target: after each prompt the target generates greedily alone (timed), then
 * with the draft for each draft length k (timed, in the same run). Per sample and k: the mean accepted length, the
 * acceptance rate and the speed-up (target alone over speculative wall time). The tokens must be the target's own;
 * any sample where they are not is counted as a mismatch (it would be a bug, or a logit tie broken differently).
 * A sample whose generation ended at its first token gave the draft nothing to propose: it counts towards the
 * speed-up only.
 */
final class SpeculativeScoring {

    /** Every sample's records, each draft length's metrics (by id), and the total seconds of each way. */
    record Scored(List<SampleRecord> records, Map<Integer, Map<String, MetricValue>> byDraftLength,
                  double targetSeconds, Map<Integer, Double> speculativeSeconds, int mismatches) {
    }

    private final Tokenizer tokenizer;
    private final Generator alone;
    private final SpeculativeGenerator speculative;
    private final int maxPositions;

    SpeculativeScoring(Tokenizer tokenizer, Decoder draft, Decoder target, int maxPositions) {
        this.tokenizer = tokenizer;
        this.alone = new Generator(target, tokenizer);
        this.speculative = new SpeculativeGenerator(target, draft, tokenizer);
        this.maxPositions = Math.min(maxPositions, target.config().maxPositionEmbeddings());
    }

    Scored score(List<Doc> docs, PromptBuilder prompts, List<Integer> draftLengths, int maxTokens, List<String> until,
                 SampleProgress progress) {
        Generator.Settings settings = new Generator.Settings(maxTokens, 0, 1, 0, until);
        int longest = draftLengths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<Integer, List<List<Double>>> perK = new LinkedHashMap<>();
        for (int k : draftLengths) {
            perK.put(k, List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        }
        List<SampleRecord> records = new ArrayList<>();
        double targetSeconds = 0;
        Map<Integer, Double> speculativeSeconds = new LinkedHashMap<>();
        int mismatches = 0;
        for (Doc doc : docs) {
            progress.checkCancelled();
            String prompt = prompts.context(doc);
            int[] full = tokenizer.encode(prompt, true);
            if (full.length == 0) {
                throw new DatasetException("document " + doc.id() + ": the prompt encodes to no tokens");
            }
            // Room for the generated tokens and the longest proposal the verification runs past them.
            int[] ids = PromptTokens.fit(full, maxTokens + longest + 1, maxPositions, doc.id());
            long start = System.nanoTime();
            Generator.Result expected = alone.generate(ids, settings, piece -> { }, progress.within(0));
            double aloneSeconds = (System.nanoTime() - start) / 1e9;
            targetSeconds += aloneSeconds;
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put("target_seconds", aloneSeconds);
            boolean same = true;
            for (int k : draftLengths) {
                start = System.nanoTime();
                SpeculativeGenerator.Result result = speculative.generate(ids, settings, k, piece -> { },
                        progress.within(0));
                double seconds = (System.nanoTime() - start) / 1e9;
                speculativeSeconds.merge(k, seconds, Double::sum);
                same &= Arrays.equals(result.generation().tokens(), expected.tokens());
                List<List<Double>> values = perK.get(k);
                if (result.acceptance().rounds() > 0) {
                    values.get(0).add(result.acceptance().meanAcceptedLength());
                    values.get(1).add(result.acceptance().rate());
                    scores.put(key(k, Metric.MEAN_ACCEPTED_LENGTH), result.acceptance().meanAcceptedLength());
                    scores.put(key(k, Metric.ACCEPTANCE_RATE), result.acceptance().rate());
                }
                double speedup = seconds > 0 ? aloneSeconds / seconds : 1;
                values.get(2).add(speedup);
                scores.put(key(k, Metric.SPEEDUP), speedup);
            }
            if (!same) {
                mismatches++;
            }
            records.add(new SampleRecord(records.size(), doc.id(), null, prompt, null, null,
                    expected.text().strip(), null, null, same, ids.length < full.length, scores));
            progress.advance(1);
        }
        Map<Integer, Map<String, MetricValue>> byDraftLength = new LinkedHashMap<>();
        perK.forEach((k, values) -> {
            if (values.get(0).isEmpty()) {
                throw new DatasetException("no prompt's generation went past its first token: nothing for the draft "
                        + "to propose (the target ends each at once; try other prompts or stop strings)");
            }
            Map<String, MetricValue> metrics = new LinkedHashMap<>();
            metrics.put(Metric.MEAN_ACCEPTED_LENGTH.id(), mean(values.get(0)));
            metrics.put(Metric.ACCEPTANCE_RATE.id(), mean(values.get(1)));
            metrics.put(Metric.SPEEDUP.id(), mean(values.get(2)));
            byDraftLength.put(k, metrics);
        });
        return new Scored(records, byDraftLength, targetSeconds, speculativeSeconds, mismatches);
    }

    private static MetricValue mean(List<Double> values) {
        return MetricValue.mean(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A sample's score of {@code metric} at draft length {@code k}: {@code k=3/mean_accepted_length}. */
    static String key(int k, Metric metric) {
        return group(k) + "/" + metric.id();
    }

    /** The results group of draft length {@code k}. */
    static String group(int k) {
        return "k=" + k;
    }
}
