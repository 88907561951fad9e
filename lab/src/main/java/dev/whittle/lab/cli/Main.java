package dev.whittle.lab.cli;

import dev.whittle.engine.Progress;
import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.eval.TextPerplexity;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.inspect.ModelInspector;
import dev.whittle.engine.inspect.ModelReport;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.lab.corpus.NaturalTextCache;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./whittle cli COMMAND ...}: inspect, evaluate and run a Hugging Face model folder from the terminal.
 * Results go to stdout, progress and statistics to stderr. A mistake of the caller (a bad path, a model that
 * cannot be read, a wrong option) prints one message and exits with 2; a failure of the engine exits with 1.
 */
public final class Main {

    static final String USAGE = """
            usage: whittle cli COMMAND ...
              inspect MODEL                                   config, shapes, files (sha256) and zeros of a model folder
              perplexity MODEL TEXTFILE [--seqlen N] [--stride N] [--limit-windows N]
                                                              rolling-window perplexity (default: non-overlapping 2048)
              generate MODEL PROMPT [--max-tokens N] [--temperature T] [--top-p P] [--seed S] [--stop STR]...
                                                              streams the continuation of PROMPT (greedy by default)
              score MODEL --context TEXT --continuation TEXT [--continuation TEXT]...
                                                              log-likelihood of each continuation after the context
            """ + EvalCommand.USAGE_LINE + PruneCommand.USAGE + QuantizeCommand.USAGE + ReferenceCommand.USAGE
            + CalibrationTextCommand.USAGE + CustomerQaCommand.USAGE;

    private final PrintStream out;
    private final PrintStream err;
    private final ConsoleProgress progress;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.progress = new ConsoleProgress(err);
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    /** Runs one command; returns the exit code. */
    int run(String[] args) {
        if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) { // `whittle cli quantize --help`
            out.print(USAGE);
            return 0;
        }
        try {
            switch (command) {
                case "inspect" -> inspect(new Arguments(command, rest, Set.of()));
                case "perplexity" -> perplexity(new Arguments(command, rest, Set.of("seqlen", "stride", "limit-windows")));
                case "generate" -> generate(new Arguments(command, rest,
                        Set.of("max-tokens", "temperature", "top-p", "seed", "stop")));
                case "score" -> score(new Arguments(command, rest, Set.of("context", "continuation")));
                case "eval" -> {
                    Arguments a = new Arguments(command, rest,
                            Set.of("task", "task-file", "suite", "limit", "seed", "batch-size", "output", "target"));
                    new EvalCommand(out, err, progress).run(a, modelDir(a.positional(0, "MODEL (a model folder)")));
                }
                case "prune" -> {
                    Arguments a = new Arguments(command, rest, PruneCommand.OPTIONS);
                    new PruneCommand(out, progress).run(a, modelDir(a.positional(0, "MODEL (a model folder)")));
                }
                case "quantize" -> {
                    Arguments a = new Arguments(command, rest, QuantizeCommand.OPTIONS);
                    new QuantizeCommand(out, progress).run(a, modelDir(a.positional(0, "MODEL (a model folder)")));
                }
                case "train-reference" -> new ReferenceCommand(out, progress).train(rest);
                case "eval-reference" -> new ReferenceCommand(out, progress).evaluate(rest);
                case "calibration-text" -> new CalibrationTextCommand(out)
                        .run(new Arguments(command, rest, CalibrationTextCommand.OPTIONS));
                case "customer-qa" -> new CustomerQaCommand(out)
                        .run(new Arguments(command, rest, CustomerQaCommand.OPTIONS));
                default -> throw new Arguments.UsageException("unknown command '" + command + "'");
            }
            return 0;
        } catch (Arguments.UsageException e) {
            progress.finishLine();
            err.println("whittle: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (IOException | ModelFormatException | IllegalArgumentException | UnsupportedOperationException
                 | NaturalTextCache.Missing e) {
            progress.finishLine();
            err.println("whittle " + command + ": " + describe(e));
            return 2;
        } catch (OutOfMemoryError e) {
            progress.finishLine();
            err.println("whittle " + command + ": out of memory; give the JVM more (WHITTLE_JAVA_OPTS=-Xmx...) or use shorter inputs");
            return 1;
        }
    }

    private void inspect(Arguments a) throws IOException {
        Path dir = modelDir(a.positional(0, "MODEL (a model folder)"));
        a.expectPositionals(1);
        ModelReport r = ModelInspector.inspect(dir, progress);
        progress.finishLine();
        ModelReport.Architecture c = r.architecture();
        out.println("model        " + r.path());
        out.println("architecture " + c.architecture() + " (" + c.modelType() + ")"
                + (c.torchDtype() == null ? "" : ", " + c.torchDtype()));
        out.printf(Locale.ROOT, "shape        %d layers, hidden %d, %d heads (%d kv) x %d, intermediate %d, vocab %d%s%n",
                c.layers(), c.hiddenSize(), c.attentionHeads(), c.keyValueHeads(), c.headDim(), c.intermediateSize(),
                c.vocabSize(), c.tiedEmbeddings() ? ", tied head" : "");
        if (c.mixtureOfExperts()) {
            out.printf(Locale.ROOT, "experts      %d, %d per token, intermediate %d%n", c.experts(), c.expertsPerToken(),
                    c.expertIntermediateSize());
        }
        out.printf(Locale.ROOT, "rope         theta %s%s, %d positions%n", c.ropeTheta(),
                c.ropeScaling() == null ? "" : ", scaling " + c.ropeScaling(), c.maxPositionEmbeddings());
        out.printf(Locale.ROOT, "parameters   %s in the weights, %s implied by the config%n", count(r.parameterCount()),
                count(r.configParameterCount()));
        out.printf(Locale.ROOT, "weights      %d tensors, %.3f GB, dtypes %s, zeros %.2f%%%n", r.tensors().size(),
                r.tensorBytes() / 1e9, r.dtypes(), 100 * r.zeroFraction());
        for (ModelReport.FileReport f : r.files()) {
            out.printf(Locale.ROOT, "file         %-32s %12d bytes  sha256 %s%n", f.name(), f.bytes(), f.sha256());
        }
        for (ModelReport.LayerReport layer : r.layers()) {
            out.printf(Locale.ROOT, "layer %-4d   %s parameters, zeros %.2f%%%n", layer.index(), count(layer.parameters()),
                    100 * layer.zeroFraction());
        }
    }

    private void perplexity(Arguments a) throws IOException {
        Path dir = modelDir(a.positional(0, "MODEL (a model folder)"));
        Path textFile = Path.of(a.positional(1, "TEXTFILE (the text to score)"));
        a.expectPositionals(2);
        int seqlen = a.intOption("seqlen", 2048);
        int stride = a.intOption("stride", seqlen);
        int limit = a.intOption("limit-windows", 0);
        String text = readText(textFile);
        Tokenizer tokenizer = Tokenizer.load(dir);
        Decoder decoder = DecoderLoader.loadForInference(dir, progress);
        long start = System.nanoTime();
        TextPerplexity p = TextPerplexity.measure(decoder, tokenizer, text, seqlen, stride, limit, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.finishLine();
        var r = p.tokens();
        out.printf(Locale.ROOT, "windows          %d x %d tokens (stride %d), %d of %d tokens covered%n", r.windows(),
                Math.min(seqlen, r.coveredTokens()), stride, r.coveredTokens(), tokenizer.encode(text, true).length);
        out.println("token perplexity " + number(p.tokenPerplexity()));
        out.println("word perplexity  " + number(p.wordPerplexity()));
        out.printf(Locale.ROOT, "bits per byte    %.4f%n", p.bitsPerByte());
        out.printf(Locale.ROOT, "total NLL        %.4f nats over %d predicted tokens, %d words, %d bytes%n",
                r.totalNll(), r.predictedTokens(), p.words(), p.bytes());
        err.printf(Locale.ROOT, "%.1f s, %.1f tokens/s%n", seconds, (double) r.windows() * Math.min(seqlen, r.coveredTokens()) / seconds);
    }

    private void generate(Arguments a) throws IOException {
        Path dir = modelDir(a.positional(0, "MODEL (a model folder)"));
        String prompt = a.positional(1, "PROMPT (the text to continue)");
        a.expectPositionals(2);
        Generator.Settings settings = new Generator.Settings(a.intOption("max-tokens", 128),
                a.floatOption("temperature", 0f), a.floatOption("top-p", 1f), a.longOption("seed", 0), a.all("stop"));
        Tokenizer tokenizer = Tokenizer.load(dir);
        Decoder decoder = DecoderLoader.loadForInference(dir, progress);
        progress.finishLine();
        out.print(prompt);
        out.flush();
        Generator.Result r = new Generator(decoder, tokenizer).generate(prompt, settings, piece -> {
            out.print(piece);
            out.flush();
        }, Progress.NONE);
        out.println();
        err.printf(Locale.ROOT, "[%d prompt tokens, %.1f tokens/s prefill; %d generated, %.1f tokens/s; stopped: %s]%n",
                r.promptTokens(), r.promptTokens() / r.prefillSeconds(), r.tokens().length,
                r.tokens().length / Math.max(1e-9, r.decodeSeconds()), r.reason().toString().toLowerCase(Locale.ROOT));
    }

    private void score(Arguments a) throws IOException {
        Path dir = modelDir(a.positional(0, "MODEL (a model folder)"));
        a.expectPositionals(1);
        String context = a.option("context", null);
        List<String> continuations = a.all("continuation");
        if (context == null || continuations.isEmpty()) {
            throw new Arguments.UsageException("score: give --context and at least one --continuation");
        }
        Tokenizer tokenizer = Tokenizer.load(dir);
        Decoder decoder = DecoderLoader.loadForInference(dir, progress);
        progress.finishLine();
        List<LogLikelihood.Request> requests = new ArrayList<>();
        for (String continuation : continuations) {
            requests.add(LogLikelihood.Request.fromText(tokenizer, context, continuation));
        }
        List<LogLikelihood.Result> results = new LogLikelihood(decoder).score(requests, progress);
        progress.finishLine();
        for (int i = 0; i < results.size(); i++) {
            LogLikelihood.Result r = results.get(i);
            out.printf(Locale.ROOT, "%-30s loglikelihood %10.4f  tokens %3d  greedy %s%n", quote(continuations.get(i)),
                    r.logLikelihood(), r.tokenLogProbs().length, r.greedy() ? "yes" : "no");
            StringBuilder perToken = new StringBuilder("  per token:");
            for (double lp : r.tokenLogProbs()) {
                perToken.append(String.format(Locale.ROOT, " %.4f", lp));
            }
            out.println(perToken);
        }
    }

    /** A model folder that exists and has a config.json, or a user error naming what is missing. */
    static Path modelDir(String arg) throws IOException {
        Path dir = Path.of(arg);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(arg, null, "not a model folder (no such directory)");
        }
        if (!Files.isRegularFile(dir.resolve(ModelConfig.FILE_NAME))) {
            throw new NoSuchFileException(dir.resolve(ModelConfig.FILE_NAME).toString(), null,
                    "not a model folder (no config.json)");
        }
        return dir;
    }

    private static String readText(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such text file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() == null ? "no such file" : n.getReason());
        }
        if (e instanceof java.nio.charset.MalformedInputException) {
            return "the text file is not valid UTF-8";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Four decimals, or scientific notation for the huge perplexities of untrained or broken models. */
    static String number(double value) {
        return String.format(Locale.ROOT, Math.abs(value) < 1e6 ? "%.4f" : "%.4e", value);
    }

    private static String quote(String s) {
        String oneLine = s.replace("\n", "\\n");
        return "\"" + (oneLine.length() > 26 ? oneLine.substring(0, 25) + "…" : oneLine) + "\"";
    }

    private static String count(long n) {
        if (n >= 1e9) {
            return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        }
        return n >= 1e6 ? String.format(Locale.ROOT, "%.1fM", n / 1e6) : String.format(Locale.ROOT, "%,d", n);
    }
}
