package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.AnswerMatch;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy generation after the prompt until a stop string, the end of sequence or the token limit; the output,
 * trimmed, is scored against the accepted answers by exact match, lenient match and token F1 ({@link AnswerMatch}).
 */
final class GenerationScoring {

    private final Tokenizer tokenizer;
    private final Generator generator;
    private final int maxPositions;

    GenerationScoring(Tokenizer tokenizer, Generator generator, int maxPositions) {
        this.tokenizer = tokenizer;
        this.generator = generator;
        this.maxPositions = maxPositions;
    }

    List<SampleRecord> score(List<Doc> docs, PromptBuilder prompts, String groupBy, Metric primary, int maxTokens,
                             List<String> until, SampleProgress progress) {
        Generator.Settings settings = new Generator.Settings(maxTokens, 0, 1, 0, until);
        List<SampleRecord> records = new ArrayList<>();
        for (Doc doc : docs) {
            progress.checkCancelled();
            String prompt = prompts.context(doc);
            List<String> answers = prompts.answers(doc);
            int[] full = tokenizer.encode(prompt, true);
            if (full.length == 0) {
                throw new DatasetException("document " + doc.id() + ": the prompt encodes to no tokens");
            }
            int[] ids = PromptTokens.fit(full, maxTokens, maxPositions, doc.id());
            String output = generator.generate(ids, settings, piece -> { }, progress.within(1)).text().strip();
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put(Metric.EXACT_MATCH.id(), AnswerMatch.exactMatch(output, answers) ? 1.0 : 0.0);
            scores.put(Metric.LENIENT_MATCH.id(), AnswerMatch.lenientMatch(output, answers) ? 1.0 : 0.0);
            scores.put(Metric.F1.id(), AnswerMatch.f1(output, answers));
            records.add(new SampleRecord(records.size(), doc.id(), groupBy == null ? null : doc.text(groupBy), prompt,
                    answers.getFirst(), List.copyOf(answers.subList(1, answers.size())), output, null, null,
                    scores.get(primary.id()) == 1.0, ids.length < full.length, scores));
            progress.advance(1);
        }
        return records;
    }
}
