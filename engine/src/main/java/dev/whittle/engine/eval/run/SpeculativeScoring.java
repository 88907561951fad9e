package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.eval.metric.MetricValue;
import dev.whittle.engine.generate.BanditDraftPolicy;
import dev.whittle.engine.generate.DraftPolicy;
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
 * speed-up only. Beside the fixed lengths, an adaptive length ({@link BanditDraftPolicy}, capped at the longest k)
 * runs on the same prompts with one bandit for the whole run.
 */
final class SpeculativeScoring {

    /**
     * Every sample's records, each draft length's metrics (by id), the adaptive policy's metrics and what its bandit
     * learnt, and the total seconds of each way.
     */
    record Scored(List<SampleRecord> records, Map<Integer, Map<String, MetricValue>> byDraftLength,
                  Map<String, MetricValue> adaptive, List<BanditDraftPolicy.ArmStatistics> arms,
                  double meanAdaptiveDraftLength, double targetSeconds, Map<Integer, Double> speculativeSeconds,
                  double adaptiveSeconds, int mismatches) {
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
        List<Way> ways = new ArrayList<>();
        for (int k : draftLengths) {
            ways.add(new Way(SpeculativeKeys.draftLengthGroup(k), DraftPolicy.fixed(k)));
        }
        // One bandit for the whole run: it learns across prompts which stop rule suits this draft and target.
        BanditDraftPolicy bandit = new BanditDraftPolicy(longest);
        Way adaptive = new Way(SpeculativeKeys.ADAPTIVE_GROUP, bandit);
        ways.add(adaptive);
        List<SampleRecord> records = new ArrayList<>();
        double targetSeconds = 0;
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
            for (Way way : ways) {
                start = System.nanoTime();
                SpeculativeGenerator.Result result = speculative.generate(ids, settings, way.policy, piece -> { },
                        progress.within(0));
                way.add(result.acceptance(), aloneSeconds, (System.nanoTime() - start) / 1e9, scores);
                same &= Arrays.equals(result.generation().tokens(), expected.tokens());
            }
            if (!same) {
                mismatches++;
            }
            records.add(new SampleRecord(records.size(), doc.id(), null, prompt, null, null,
                    expected.text().strip(), null, null, same, ids.length < full.length, scores));
            progress.advance(1);
        }
        Map<Integer, Map<String, MetricValue>> byDraftLength = new LinkedHashMap<>();
        Map<Integer, Double> speculativeSeconds = new LinkedHashMap<>();
        for (int i = 0; i < draftLengths.size(); i++) {
            byDraftLength.put(draftLengths.get(i), ways.get(i).metrics());
            speculativeSeconds.put(draftLengths.get(i), ways.get(i).seconds);
        }
        return new Scored(records, byDraftLength, adaptive.metrics(), bandit.statistics(),
                adaptive.rounds == 0 ? 0 : (double) adaptive.proposed / adaptive.rounds, targetSeconds,
                speculativeSeconds, adaptive.seconds, mismatches);
    }

    /** One way of drafting over the run's prompts: its per-sample MAL, acceptance rate and speed-up, and totals. */
    private static final class Way {
        final String group;
        final DraftPolicy policy;
        final List<Double> meanAcceptedLengths = new ArrayList<>();
        final List<Double> acceptanceRates = new ArrayList<>();
        final List<Double> speedups = new ArrayList<>();
        double seconds;
        long rounds;
        long proposed;

        Way(String group, DraftPolicy policy) {
            this.group = group;
            this.policy = policy;
        }

        /** A sample's result, {@code seconds} against the target alone's {@code aloneSeconds}, into the scores. */
        void add(SpeculativeGenerator.Acceptance acceptance, double aloneSeconds, double seconds,
                 Map<String, Double> scores) {
            this.seconds += seconds;
            if (acceptance.rounds() > 0) {
                meanAcceptedLengths.add(acceptance.meanAcceptedLength());
                acceptanceRates.add(acceptance.rate());
                scores.put(group + "/" + Metric.MEAN_ACCEPTED_LENGTH.id(), acceptance.meanAcceptedLength());
                scores.put(group + "/" + Metric.ACCEPTANCE_RATE.id(), acceptance.rate());
                rounds += acceptance.rounds();
                proposed += acceptance.proposed();
            }
            double speedup = seconds > 0 ? aloneSeconds / seconds : 1;
            speedups.add(speedup);
            scores.put(group + "/" + Metric.SPEEDUP.id(), speedup);
        }

        /** The means of the per-sample values. */
        Map<String, MetricValue> metrics() {
            if (meanAcceptedLengths.isEmpty()) {
                throw new DatasetException("no prompt's generation went past its first token: nothing for the draft "
                        + "to propose (the target ends each at once; try other prompts or stop strings)");
            }
            Map<String, MetricValue> metrics = new LinkedHashMap<>();
            metrics.put(Metric.MEAN_ACCEPTED_LENGTH.id(), mean(meanAcceptedLengths));
            metrics.put(Metric.ACCEPTANCE_RATE.id(), mean(acceptanceRates));
            metrics.put(Metric.SPEEDUP.id(), mean(speedups));
            return metrics;
        }
    }

    private static MetricValue mean(List<Double> values) {
        return MetricValue.mean(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
