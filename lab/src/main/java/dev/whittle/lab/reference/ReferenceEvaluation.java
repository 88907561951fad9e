package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.lab.corpus.Arithmetic;
import dev.whittle.lab.corpus.Biographer;
import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.TextPerplexity;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The reference model's evaluation, with the engine's scoring primitives on the sets in reference/eval:
 * <ul>
 *   <li>closed-book QA on the held-out people and in-context retrieval on unseen people: greedy generation after
 *       the prompt (bos in front) up to a newline or the end of text, correct when the trimmed text equals the
 *       answer or one of its aliases exactly;</li>
 *   <li>4-way multiple choice: the choice whose {@code " " + choice} has the highest log-likelihood after the
 *       prompt ({@link LogLikelihood}, tokenized as lm-evaluation-harness does);</li>
 *   <li>closed-book QA on the trained half, a diagnostic (those answers were seen in training);</li>
 *   <li>WikiText-2 test: rolling perplexity over non-overlapping windows of the model's context, and bits per byte.</li>
 * </ul>
 */
public final class ReferenceEvaluation {

    /** The project's copy of the WikiText-2 test text (the eval package's built-in data). */
    public static final String WIKITEXT_RESOURCE = "/dev/whittle/engine/eval/data/wikitext2/wiki.test.raw";
    /** The bar each knowledge task must reach. */
    public static final double BAR = 0.8;
    private static final int MAX_ANSWER_TOKENS = 16;
    /** Fixes which items a limited evaluation scores, so numbers taken at different checkpoints compare. */
    private static final long SUBSET_SEED = 2026;

    /** One task's result, with a few of its items as examples. */
    public record TaskScore(String task, int correct, int total, List<Example> examples) {
        public double accuracy() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }
    }

    /** One item: what was asked (the question), what was expected and what the model answered. */
    public record Example(String question, String expected, String answer, boolean correct) {
    }

    /** WikiText-2 numbers; null fields when the text was not given. */
    public record WikiText(double tokenPerplexity, double wordPerplexity, double bitsPerByte, long predictedTokens,
                           int windows, int seqlen) {
    }

    /** Everything measured; {@code limit} is the items per task (0: all). */
    public record Scores(TaskScore closedBook, TaskScore inContext, TaskScore multipleChoice,
                         TaskScore closedBookTrained, WikiText wikiText, int limit) {
        /** Whether every knowledge task reaches {@link #BAR}. */
        public boolean meetsBars() {
            return closedBook.accuracy() >= BAR && inContext.accuracy() >= BAR && multipleChoice.accuracy() >= BAR;
        }
    }

    private final Decoder decoder;
    private final Tokenizer tokenizer;
    private final Generator generator;

    public ReferenceEvaluation(Decoder decoder, Tokenizer tokenizer) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.generator = new Generator(decoder, tokenizer);
    }

    /**
     * Runs every task on the sets in {@code evalDir}; {@code wikiText} may be null to skip perplexity;
     * {@code limit} > 0 scores that many items per task, a fixed random sample (a quick look mid-training).
     */
    public Scores run(Path evalDir, String wikiText, int limit, Progress progress) throws IOException {
        List<KnowledgeEvalSets.ClosedBook> closed = subset(KnowledgeEvalSets.read(
                evalDir.resolve(KnowledgeEvalSets.CLOSED_BOOK), KnowledgeEvalSets.ClosedBook.class), limit);
        List<KnowledgeEvalSets.InContext> context = subset(KnowledgeEvalSets.read(
                evalDir.resolve(KnowledgeEvalSets.IN_CONTEXT), KnowledgeEvalSets.InContext.class), limit);
        List<KnowledgeEvalSets.MultipleChoice> choices = subset(KnowledgeEvalSets.read(
                evalDir.resolve(KnowledgeEvalSets.MULTIPLE_CHOICE), KnowledgeEvalSets.MultipleChoice.class), limit);
        List<KnowledgeEvalSets.ClosedBook> trained = subset(KnowledgeEvalSets.read(
                evalDir.resolve(KnowledgeEvalSets.CLOSED_BOOK_TRAINED), KnowledgeEvalSets.ClosedBook.class), limit);

        TaskScore closedBook = generation("closed-book QA (held-out people)", closed.stream()
                .map(q -> new Asked(q.question(), q.prompt(), q.answer(), q.aliases())).toList(), progress);
        TaskScore inContext = generation("in-context retrieval (unseen people)", context.stream()
                .map(q -> new Asked(q.question(), q.prompt(), q.answer(), q.aliases())).toList(), progress);
        TaskScore multipleChoice = multipleChoice(choices, progress);
        TaskScore closedBookTrained = generation("closed-book QA (trained people, diagnostic)", trained.stream()
                .map(q -> new Asked(q.question(), q.prompt(), q.answer(), q.aliases())).toList(), progress);
        WikiText wiki = wikiText == null ? null : perplexity(wikiText, progress);
        return new Scores(closedBook, inContext, multipleChoice, closedBookTrained, wiki, limit);
    }

    /**
     * The MoE reference's arithmetic domain: each held-out problem asked in the first phrasing, greedy generation as
     * for closed-book questions.
     */
    public TaskScore arithmetic(List<Arithmetic.Problem> problems, Progress progress) {
        return generation("arithmetic (held-out problems)", problems.stream().map(p -> {
            Biographer.QuestionAnswer qa = p.question(0);
            return new Asked(qa.question(), qa.prompt(), qa.answer(), List.of());
        }).toList(), progress);
    }

    /** The project's WikiText-2 test text, or that of {@code file} when given. */
    public static String wikiText(Path file) throws IOException {
        if (file != null) {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        try (InputStream in = ReferenceEvaluation.class.getResourceAsStream(WIKITEXT_RESOURCE)) {
            if (in == null) {
                throw new IOException("the WikiText-2 test text is not on the classpath (" + WIKITEXT_RESOURCE
                        + "): give its path with --wikitext");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private record Asked(String question, String prompt, String answer, List<String> aliases) {
    }

    private TaskScore generation(String task, List<Asked> items, Progress progress) {
        Generator.Settings settings = new Generator.Settings(MAX_ANSWER_TOKENS, 0f, 1f, 0, List.of("\n"));
        int correct = 0;
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            progress.checkCancelled();
            Asked item = items.get(i);
            String answer = generator.generate(item.prompt(), settings, piece -> { }, Progress.NONE).text().strip();
            boolean ok = answer.equals(item.answer()) || item.aliases().contains(answer);
            correct += ok ? 1 : 0;
            if (examples.size() < 3 || (!ok && examples.stream().filter(e -> !e.correct()).count() < 2)) {
                examples.add(new Example(item.question(), item.answer(), answer, ok));
            }
            progress.report(task, i + 1, items.size(), null);
        }
        return new TaskScore(task, correct, items.size(), examples);
    }

    private TaskScore multipleChoice(List<KnowledgeEvalSets.MultipleChoice> items, Progress progress) {
        List<LogLikelihood.Request> requests = new ArrayList<>();
        for (KnowledgeEvalSets.MultipleChoice item : items) {
            for (String choice : item.choices()) {
                requests.add(LogLikelihood.Request.fromText(tokenizer, item.prompt(), " " + choice));
            }
        }
        List<LogLikelihood.Result> results = new LogLikelihood(decoder).score(requests, progress);
        int correct = 0;
        int k = 0;
        List<Example> examples = new ArrayList<>();
        for (KnowledgeEvalSets.MultipleChoice item : items) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < item.choices().size(); c++) {
                double score = results.get(k++).logLikelihood();
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            boolean ok = best == item.gold();
            correct += ok ? 1 : 0;
            if (examples.size() < 3) {
                examples.add(new Example(item.question() + " " + item.choices(), item.choices().get(item.gold()),
                        item.choices().get(best), ok));
            }
        }
        return new TaskScore("4-way multiple choice (held-out people)", correct, items.size(), examples);
    }

    private WikiText perplexity(String text, Progress progress) {
        int seqlen = decoder.config().maxPositionEmbeddings();
        TextPerplexity p = TextPerplexity.measure(decoder, tokenizer, text, seqlen, seqlen, 0, progress);
        return new WikiText(p.tokenPerplexity(), p.wordPerplexity(), p.bitsPerByte(), p.tokens().predictedTokens(),
                p.tokens().windows(), seqlen);
    }

    /**
     * {@code limit} items drawn at random with a fixed seed, in file order (all when limit is 0 or not smaller).
     * Not every k-th item: the sets cycle through the six attributes, so a stride sharing a factor with six would
     * skip whole attributes (every 10th in-context item asks about only three of them).
     */
    static <T> List<T> subset(List<T> items, int limit) {
        if (limit <= 0 || limit >= items.size()) {
            return items;
        }
        List<Integer> positions = new ArrayList<>(IntStream.range(0, items.size()).boxed().toList());
        Collections.shuffle(positions, new SplittableRandom(SUBSET_SEED));
        return positions.subList(0, limit).stream().sorted().map(items::get).toList();
    }
}
