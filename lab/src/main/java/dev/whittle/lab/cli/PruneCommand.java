package dev.whittle.lab.cli;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.whittle.engine.Progress;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.engine.prune.PhaseTimes;
import dev.whittle.engine.prune.PruneParameters;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import dev.whittle.engine.prune.PruneStatistics;
import dev.whittle.engine.prune.Pruner;
import dev.whittle.lab.corpus.KnowledgeCalibration;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code whittle cli prune MODEL OUT --method M ...}: prunes a model folder into a new one and prints what it
 * became (sparsity, parameters, multiply-accumulates, size) and where the time went; {@code --stats FILE} also
 * writes the full statistics as JSON. The options are the fields of {@link PruneParameters} (a PRUNE stage of the
 * API), kebab-cased ({@code --block-size} for {@code blockSize}), with those of its {@link Calibration} at the top
 * level; {@code --dataset} is a text or {@code .jsonl} file. They are checked as the API checks a submission.
 */
final class PruneCommand {

    /** The engine's built-in calibration sets and the reference corpus's {@code knowledge}. */
    static final CalibrationSampler SAMPLER = new CalibrationSampler(List.of(new KnowledgeCalibration()));

    private static final String METHODS = String.join(", ", java.util.Arrays.stream(
            PruneParameters.class.getAnnotation(JsonSubTypes.class).value()).map(JsonSubTypes.Type::name).toList());

    private static final Set<String> CALIBRATION_FIELDS = fields(Calibration.class);
    private static final Set<String> FIELDS = parameterFields();

    static final Set<String> OPTIONS = options();

    static final String USAGE = """
              prune MODEL OUT --method magnitude|wanda|sparsegpt|block-removal|width|reap|frequency|ean|merge-experts
                    [--sparsity S] [--nm N:M] [--scope layer|global] [--block-size N] [--dampening D] [--blocks N]
                    [--experts F] [--metric angular-distance|block-influence] [--tokens last|all] [--mlp-ratio F]
                    [--head-ratio F] [--include RE]... [--exclude RE]...
                    [--dataset FILE | --built-in natural-english|knowledge] [--field F] [--nsamples N] [--seqlen N]
                    [--seed S] [--dtype bfloat16|float16|float32] [--stats FILE]
                                                              prunes MODEL into the new folder OUT
            """;

    private static final JsonMapper OPTIONS_READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final PrintStream out;
    private final Progress progress;

    PruneCommand(PrintStream out, Progress progress) {
        this.out = out;
        this.progress = progress;
    }

    void run(Arguments a, Path model) throws IOException {
        Path target = Path.of(a.positional(1, "OUT (the folder to write the pruned model to)"));
        a.expectPositionals(2);
        PruneParameters parameters = parameters(a);
        List<PruneProblem> problems = new ArrayList<>(bounds(parameters));
        if (problems.isEmpty()) {
            problems.addAll(parameters.problems());
        }
        if (problems.isEmpty()) {
            problems.addAll(parameters.problems(ModelConfig.load(model)));
        }
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
        CalibrationSource calibration = parameters instanceof PruneParameters.Calibrated c
                ? c.calibration().source(PruneCommand::file) : null;
        Pruner.Result result = new Pruner(SAMPLER).prune(model, target, parameters, calibration, progress);
        if (progress instanceof ConsoleProgress console) {
            console.finishLine();
        }
        print(result);
        String stats = a.option("stats", null);
        if (stats != null) {
            Files.writeString(Path.of(stats), new JsonMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(result.statistics()) + "\n");
        }
    }

    /** The options as the JSON of a PRUNE stage, read into the one parameter type. */
    static PruneParameters parameters(Arguments a) {
        ObjectNode json = OPTIONS_READER.createObjectNode();
        ObjectNode calibration = OPTIONS_READER.createObjectNode();
        if (a.option("method", null) != null) {
            json.put("method", a.option("method", null));
        }
        for (String field : FIELDS) {
            String option = kebab(field);
            ObjectNode into = CALIBRATION_FIELDS.contains(field) ? calibration : json;
            if (field.equals("include") || field.equals("exclude")) {
                if (!a.all(option).isEmpty()) {
                    a.all(option).forEach(into.putArray(field)::add);
                }
            } else if (a.option(option, null) != null) {
                into.put(field, a.option(option, null));
            }
        }
        if (!calibration.isEmpty()) {
            json.set("calibration", calibration);
        }
        try {
            return OPTIONS_READER.treeToValue(json, PruneParameters.class);
        } catch (InvalidTypeIdException e) {
            throw new Arguments.UsageException("prune: --method " + (e.getTypeId() == null ? "is required"
                    : "'" + e.getTypeId() + "' is not a method") + " (one of " + METHODS + ")");
        } catch (UnrecognizedPropertyException e) {
            throw new Arguments.UsageException("prune: --" + kebab(e.getPropertyName()) + " does not apply to --method "
                    + json.get("method").asString());
        } catch (DatabindException e) {
            throw new Arguments.UsageException("prune: --" + kebab(e.getPath().getLast().getPropertyName()) + ": "
                    + (e.getCause() instanceof IllegalArgumentException bad ? bad.getMessage() : e.getOriginalMessage()));
        }
    }

    /** The Bean Validation bounds the API checks at submission, at the same field paths. */
    private static List<PruneProblem> bounds(PruneParameters parameters) {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            return factory.getValidator().validate(parameters).stream()
                    .map(v -> new PruneProblem(v.getPropertyPath().toString(), v.getMessage()))
                    .sorted(java.util.Comparator.comparing(PruneProblem::field)).toList();
        }
    }

    /** A {@code .jsonl}/{@code .json} file (or any, when a field is named) as JSON lines; anything else as text. */
    static CalibrationSource file(String path, String field) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || field != null) {
            return new CalibrationSource.JsonLines(Path.of(path), field);
        }
        return new CalibrationSource.TextFile(Path.of(path));
    }

    private static Set<String> options() {
        Set<String> options = new TreeSet<>(Set.of("method", "stats"));
        FIELDS.forEach(f -> options.add(kebab(f)));
        return Set.copyOf(options);
    }

    /** Every field of every method's parameters, the calibration's in place of {@code calibration}. */
    private static Set<String> parameterFields() {
        Set<String> fields = new LinkedHashSet<>();
        for (JsonSubTypes.Type type : PruneParameters.class.getAnnotation(JsonSubTypes.class).value()) {
            fields.addAll(fields(type.value()));
        }
        fields.remove("calibration");
        fields.addAll(CALIBRATION_FIELDS);
        return fields;
    }

    private static Set<String> fields(Class<?> record) {
        Set<String> fields = new LinkedHashSet<>();
        for (RecordComponent component : record.getRecordComponents()) {
            fields.add(component.getName());
        }
        return fields;
    }

    /** {@code blockSize} -> {@code block-size}. */
    private static String kebab(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private void print(Pruner.Result result) {
        PruneStatistics s = result.statistics();
        out.println("model        " + result.model());
        out.println("method       " + s.method() + " " + s.settings());
        if (s.expertScores() != null) {
            out.println("experts      " + s.expertScores().kept() + " of " + s.expertScores().experts() + " kept per layer by "
                    + s.expertScores().metric().id() + "; active parameters per token " + s.activeParameters());
        }
        if (s.expertMerges() != null) {
            out.println("experts      " + s.expertMerges().experts() + " merged into " + s.expertMerges().kept()
                    + " per layer; active parameters per token " + s.activeParameters());
        }
        if (s.width() != null) {
            var first = s.width().layers().getFirst();
            out.printf(Locale.ROOT, "width        per layer %d of %d MLP channels and %d of %d heads (%d KV) kept; "
                    + "parameters %d -> %d (%.3f)%n", first.channels(), first.channels() + first.removedChannels(),
                    first.heads(), first.heads() + first.removedHeads(), first.kvHeads(), s.width().parametersBefore(),
                    s.width().parametersAfter(), (double) s.width().parametersAfter() / s.width().parametersBefore());
        }
        if (s.blockScores() != null) {
            out.println("removed      blocks " + s.blockScores().removed() + " by " + s.blockScores().metric().id()
                    + " over " + s.blockScores().tokens().name().toLowerCase(Locale.ROOT) + " tokens");
        }
        if (s.width() == null) {
            out.printf(Locale.ROOT, "sparsity     %.4f of pruned matrices (%d of %d weights zero), %.4f of all "
                    + "parameters%n",
                    s.prunedSparsity(), s.prunedParameters() - s.prunedNonZeros(), s.prunedParameters(), s.sparsity());
        }
        out.printf(Locale.ROOT, "parameters   %d, %d non-zero%n", s.parameters(), s.nonZeros());
        out.printf(Locale.ROOT, "MACs/token   %d source, %d dense, %d effective (%.3f of source)%n", s.sourceMacsPerToken(),
                s.macsPerTokenDense(), s.macsPerTokenEffective(), (double) s.macsPerTokenEffective() / s.sourceMacsPerToken());
        out.printf(Locale.ROOT, "files        %.2f MB (weights %.2f MB, %s)%n", s.fileBytes() / 1e6, s.weightBytes() / 1e6,
                s.dtype());
        if (s.calibration() != null) {
            out.printf(Locale.ROOT, "calibration  %s, %d x %d tokens (%s, seed %d), sha256 %s%n", s.calibration().source(),
                    s.calibration().samples(), s.calibration().sequenceLength(), s.calibration().sampling(),
                    s.calibration().seed(), s.calibration().fingerprint());
        }
        s.warnings().forEach(w -> out.println("warning      " + w));
        out.println("time         " + phases(result.times()));
    }

    /** {@code 12.3 s: load 0.4 (3%), forward 8.1 (66%), ...}. */
    static String phases(PhaseTimes t) {
        double total = t.total();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.2f s:", total));
        String[] names = {"load", "sample", "forward", "statistics", "solve", "write"};
        double[] values = {t.load(), t.sample(), t.forward(), t.statistics(), t.solve(), t.write()};
        for (int i = 0; i < names.length; i++) {
            line.append(String.format(Locale.ROOT, " %s %.2f (%.0f%%)%s", names[i], values[i],
                    total > 0 ? 100 * values[i] / total : 0, i + 1 < names.length ? "," : ""));
        }
        return line.toString();
    }
}
