package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.Folders;
import dev.whittle.lab.reference.ReferenceEvaluation;
import dev.whittle.lab.reference.ReferenceExport;
import dev.whittle.lab.reference.ReferencePipeline;
import dev.whittle.lab.reference.ReferenceTraining;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code train-reference} and {@code eval-reference}: the project's reference model (reference/README.md and
 * {@code lab.reference}). Training lines go to stdout (redirect them to a log for a long run).
 */
final class ReferenceCommand {

    static final String USAGE = """
              train-reference [--model whittle-ref|whittle-ref-moe] [--run-dir .cache/reference-run] [--minutes N]
                              [--out reference/model] [--export-only]
                              [--checkpoint-minutes 5] [--tokenizer reference/tokenizer] [--eval-dir reference/eval]
                              [--corpus-cache .cache/corpus] [--wikitext FILE] [--ceiling-gflops G]
                              [--upcycle-from reference/model] (whittle-ref-moe: the dense model it starts from)
                                                              trains whittle-ref (resuming from the run folder), publishes it when done
              eval-reference [MODEL | --run-dir DIR] [--limit N] [--eval-dir reference/eval] [--wikitext FILE]
                             [--no-wikitext] [--output FILE]  knowledge tasks and WikiText-2 of a model folder or a run's checkpoint
            """;
    static final Set<String> TRAIN_OPTIONS = Set.of("model", "run-dir", "minutes", "out", "checkpoint-minutes", "tokenizer",
            "eval-dir", "corpus-cache", "wikitext", "ceiling-gflops", "upcycle-from");
    static final Set<String> EVAL_OPTIONS = Set.of("model", "run-dir", "limit", "eval-dir", "wikitext", "output", "tokenizer",
            "corpus-cache", "upcycle-from");

    private final PrintStream out;
    private final Progress progress;

    ReferenceCommand(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    /** Removes a value-less {@code --flag} from {@code args}; returns whether it was there. */
    static boolean takeFlag(List<String> args, String flag) {
        return args.removeIf(a -> a.equals("--" + flag));
    }

    void train(List<String> rawArgs) throws IOException {
        List<String> args = new ArrayList<>(rawArgs);
        boolean exportOnly = takeFlag(args, "export-only");
        Arguments a = new Arguments("train-reference", args, TRAIN_OPTIONS);
        a.expectPositionals(0);
        double minutes = a.doubleOption("minutes", 1e9);
        double checkpointMinutes = a.doubleOption("checkpoint-minutes", 5);
        double ceiling = a.doubleOption("ceiling-gflops", 0);
        if (!(minutes > 0) || !(checkpointMinutes > 0) || ceiling < 0) {
            throw new Arguments.UsageException("train-reference: --minutes and --checkpoint-minutes must be positive, "
                    + "--ceiling-gflops not negative");
        }
        ReferencePipeline pipeline = pipeline(a);
        if (exportOnly) {
            pipeline.export(out, progress);
            return;
        }
        ReferenceTraining.Outcome outcome = pipeline.train(ReferenceTraining.Budget.minutes(minutes, checkpointMinutes),
                ceiling, out, progress);
        if (!outcome.finished()) {
            out.printf(Locale.ROOT, "run continues: %d of %d updates done; run the same command again to resume%n",
                    outcome.updates(), outcome.totalUpdates());
        }
    }

    void evaluate(List<String> rawArgs) throws IOException {
        List<String> args = new ArrayList<>(rawArgs);
        boolean withWikiText = !takeFlag(args, "no-wikitext");
        Arguments a = new Arguments("eval-reference", args, EVAL_OPTIONS);
        a.expectPositionals(1);
        Path evalDir = Path.of(a.option("eval-dir", "reference/eval"));
        Path wikiText = a.option("wikitext", null) == null ? null : Path.of(a.option("wikitext", null));
        int limit = a.intOption("limit", 0);
        String model = a.option("run-dir", null) == null ? a.positional(0, "MODEL (a model folder) or --run-dir DIR") : null;
        ReferenceEvaluation.Scores scores;
        if (model != null) {
            scores = ReferencePipeline.evaluate(Main.modelDir(model), evalDir, wikiText, limit, withWikiText, progress);
        } else {
            ReferencePipeline pipeline = pipeline(a);
            Path snapshot = Files.createTempDirectory("whittle-ref-snapshot").resolve("model");
            try {
                pipeline.snapshot(snapshot, progress);
                scores = ReferencePipeline.evaluate(snapshot, evalDir, wikiText, limit, withWikiText, progress);
            } finally {
                Folders.deleteRecursively(snapshot.getParent());
            }
        }
        if (progress instanceof ConsoleProgress console) {
            console.finishLine();
        }
        print(scores);
        String output = a.option("output", null);
        if (output != null) {
            Files.writeString(Path.of(output), new JsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(scores));
        }
    }

    private void print(ReferenceEvaluation.Scores s) {
        for (ReferenceEvaluation.TaskScore t : List.of(s.closedBook(), s.inContext(), s.multipleChoice(),
                s.closedBookTrained())) {
            out.printf(Locale.ROOT, "%-46s %.4f  (%d / %d)%n", t.task(), t.accuracy(), t.correct(), t.total());
        }
        if (s.wikiText() != null) {
            out.printf(Locale.ROOT, "%-46s %.4f%n", "WikiText-2 token perplexity", s.wikiText().tokenPerplexity());
            out.printf(Locale.ROOT, "%-46s %.4f%n", "WikiText-2 word perplexity", s.wikiText().wordPerplexity());
            out.printf(Locale.ROOT, "%-46s %.4f%n", "WikiText-2 bits per byte", s.wikiText().bitsPerByte());
        }
        out.println("bars (>= 0.8 on the three knowledge tasks): " + (s.meetsBars() ? "met" : "not met"));
    }

    private static ReferencePipeline pipeline(Arguments a) throws IOException {
        ReferencePipeline.Paths paths = new ReferencePipeline.Paths(
                Path.of(a.option("run-dir", ".cache/reference-run")),
                Path.of(a.option("out", "reference/model")),
                Path.of(a.option("tokenizer", "reference/tokenizer")),
                Path.of(a.option("eval-dir", "reference/eval")),
                a.option("wikitext", null) == null ? null : Path.of(a.option("wikitext", null)));
        Path corpusCache = Path.of(a.option("corpus-cache", ".cache/corpus"));
        return switch (a.option("model", "whittle-ref")) {
            case "whittle-ref" -> ReferencePipeline.whittleRef(paths, corpusCache);
            case "whittle-ref-moe" -> ReferencePipeline.whittleRefMoe(paths, corpusCache,
                    Path.of(a.option("upcycle-from", "reference/model")));
            default -> throw new Arguments.UsageException("--model is whittle-ref or whittle-ref-moe, not "
                    + a.option("model", null));
        };
    }
}
