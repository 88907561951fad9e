package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.metric.AnswerMatch;
import dev.whittle.engine.eval.metric.Metric;
import dev.whittle.engine.generate.BatchGenerator;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
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
    private final Decoder decoder;
    private final int maxPositions;

    GenerationScoring(Tokenizer tokenizer, Decoder decoder, int maxPositions) {
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.maxPositions = maxPositions;
    }

    /** Generates for up to {@code batchSize} documents at once ({@link BatchGenerator}); records in document order. */
    List<SampleRecord> score(List<Doc> docs, PromptBuilder prompts, String groupBy, Metric primary, int maxTokens,
                             List<String> until, int batchSize, SampleProgress progress) {
        Generator.Settings settings = new Generator.Settings(maxTokens, 0, 1, 0, until);
        List<BatchGenerator.Request> requests = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Boolean> truncated = new ArrayList<>();
        for (Doc doc : docs) {
            texts.add(prompts.context(doc));
            int[] full = tokenizer.encode(texts.getLast(), true);
            if (full.length == 0) {
                throw new DatasetException("document " + doc.id() + ": the prompt encodes to no tokens");
            }
            int[] ids = PromptTokens.fit(full, maxTokens, maxPositions, doc.id());
            requests.add(new BatchGenerator.Request(ids, settings));
            truncated.add(ids.length < full.length);
        }
        List<Generator.Result> results = new BatchGenerator(decoder, tokenizer, batchSize)
                .generate(requests, progress.within(docs.size()));
        List<SampleRecord> records = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            Doc doc = docs.get(i);
            List<String> answers = prompts.answers(doc);
            String output = results.get(i).text().strip();
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put(Metric.EXACT_MATCH.id(), AnswerMatch.exactMatch(output, answers) ? 1.0 : 0.0);
            scores.put(Metric.LENIENT_MATCH.id(), AnswerMatch.lenientMatch(output, answers) ? 1.0 : 0.0);
            scores.put(Metric.F1.id(), AnswerMatch.f1(output, answers));
            records.add(new SampleRecord(records.size(), doc.id(), groupBy == null ? null : doc.text(groupBy),
                    texts.get(i), answers.getFirst(), List.copyOf(answers.subList(1, answers.size())), output,
                    null, null, scores.get(primary.id()) == 1.0, truncated.get(i), scores));
        }
        progress.advance(docs.size());
        return records;
    }
}
