package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiple choice by log-likelihood: each choice, after the delimiter, is scored as a continuation of the prompt.
 * acc picks the choice with the highest log-likelihood, acc_norm the highest log-likelihood per UTF-8 byte of the
 * choice's text (lm-evaluation-harness's acc_norm, by bytes). Ties go to the first choice. The choices of a document
 * share its prompt, so {@link LogLikelihood} runs the prompt once and each choice only extends it (when the prompt's
 * tokens are the same for every choice, as they are unless a choice merges with the prompt's last characters).
 */
final class ChoiceScoring {

    private final Tokenizer tokenizer;
    private final LogLikelihood scorer;
    private final int maxPositions;

    ChoiceScoring(Tokenizer tokenizer, LogLikelihood scorer, int maxPositions) {
        this.tokenizer = tokenizer;
        this.scorer = scorer;
        this.maxPositions = maxPositions;
    }

    private record Prepared(Doc doc, String prompt, List<LogLikelihood.Request> requests, boolean truncated,
                            List<String> choices, int gold) {
    }

    List<SampleRecord> score(List<Doc> docs, PromptBuilder prompts, String groupBy, Metric primary, int batchSize,
                             SampleProgress progress) {
        List<SampleRecord> records = new ArrayList<>();
        for (int start = 0; start < docs.size(); start += batchSize) {
            progress.checkCancelled();
            List<Doc> batch = docs.subList(start, Math.min(docs.size(), start + batchSize));
            List<Prepared> prepared = new ArrayList<>();
            List<LogLikelihood.Request> requests = new ArrayList<>();
            for (Doc doc : batch) {
                Prepared p = prepare(doc, prompts);
                prepared.add(p);
                requests.addAll(p.requests());
            }
            List<LogLikelihood.Result> results = scorer.score(requests, progress.within(batch.size()));
            int next = 0;
            for (Prepared p : prepared) {
                List<ChoiceScore> choices = new ArrayList<>();
                for (int c = 0; c < p.choices().size(); c++) {
                    LogLikelihood.Result r = results.get(next++);
                    choices.add(new ChoiceScore(p.choices().get(c), r.logLikelihood(), r.tokenLogProbs().length,
                            p.choices().get(c).getBytes(StandardCharsets.UTF_8).length, r.greedy()));
                }
                records.add(record(records.size(), p, choices, groupBy, primary));
            }
            progress.advance(batch.size());
        }
        return records;
    }

    /**
     * Each choice, after the delimiter, as lm-evaluation-harness tokenizes it ({@link LogLikelihood.Request#fromText}:
     * prompt and choice encoded together, split where the prompt's own encoding ends); prompts that would not fit
     * with the longest choice lose tokens at the front.
     */
    private Prepared prepare(Doc doc, PromptBuilder prompts) {
        String prompt = prompts.context(doc);
        List<String> choices = prompts.choices(doc);
        int gold = prompts.gold(doc, choices);
        List<LogLikelihood.Request> whole;
        try {
            whole = LogLikelihood.Request.fromText(tokenizer, prompt,
                    choices.stream().map(choice -> prompts.delimiter() + choice).toList());
        } catch (IllegalArgumentException e) {
            throw new DatasetException("document " + doc.id() + ": " + e.getMessage(), e);
        }
        int longest = whole.stream().mapToInt(r -> r.continuation().length).max().orElse(0);
        List<LogLikelihood.Request> fitted = new ArrayList<>();
        boolean truncated = false;
        for (LogLikelihood.Request r : whole) {
            int[] context = PromptTokens.fit(r.context(), longest, maxPositions, doc.id());
            truncated |= context.length < r.context().length;
            fitted.add(new LogLikelihood.Request(context, r.continuation()));
        }
        return new Prepared(doc, prompt, fitted, truncated, choices, gold);
    }

    private static SampleRecord record(int index, Prepared p, List<ChoiceScore> choices, String groupBy, Metric primary) {
        int best = 0;
        int bestNormalized = 0;
        for (int c = 1; c < choices.size(); c++) {
            if (choices.get(c).logLikelihood() > choices.get(best).logLikelihood()) {
                best = c;
            }
            if (perByte(choices.get(c)) > perByte(choices.get(bestNormalized))) {
                bestNormalized = c;
            }
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put(Metric.ACC.id(), best == p.gold() ? 1.0 : 0.0);
        scores.put(Metric.ACC_NORM.id(), bestNormalized == p.gold() ? 1.0 : 0.0);
        return new SampleRecord(index, p.doc().id(), groupBy == null ? null : p.doc().text(groupBy), p.prompt(),
                p.choices().get(p.gold()), null, p.choices().get(best), List.copyOf(choices), best,
                scores.get(primary.id()) == 1.0, p.truncated(), scores);
    }

    private static double perByte(ChoiceScore choice) {
        return choice.logLikelihood() / choice.bytes();
    }
}
