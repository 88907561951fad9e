package dev.whittle.lab.cli;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.PruneProblem;
import dev.whittle.engine.prune.PruneProblemException;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A stage's parameter type (a sealed interface with a Jackson {@code method} discriminator, as the API reads it) as
 * command-line options: every field of every method, kebab-cased ({@code --block-size} for {@code blockSize}), the
 * fields of its {@link Calibration} at the top level. The options are assembled into the stage's JSON and read by
 * the same type, so the CLI takes exactly what the API takes; {@link #check} refuses them as the API does.
 */
final class StageOptions<T> {

    private static final JsonMapper READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Set<String> CALIBRATION_FIELDS = fields(Calibration.class);
    /** Fields that take a list: the option may repeat. */
    private static final Set<String> LISTS = Set.of("include", "exclude");

    private final String command;
    private final Class<T> type;
    private final Set<String> fields;
    private final Set<String> options;
    private final String methods;

    /** The options of {@code type} for {@code command}, with {@code --method} and the command's {@code extra}. */
    StageOptions(String command, Class<T> type, String... extra) {
        this.command = command;
        this.type = type;
        JsonSubTypes.Type[] subtypes = type.getAnnotation(JsonSubTypes.class).value();
        this.methods = String.join(", ", Arrays.stream(subtypes).map(JsonSubTypes.Type::name).toList());
        Set<String> all = new LinkedHashSet<>();
        for (JsonSubTypes.Type subtype : subtypes) {
            all.addAll(fields(subtype.value()));
        }
        if (all.remove("calibration")) {
            all.addAll(CALIBRATION_FIELDS);
        }
        this.fields = all;
        Set<String> names = new TreeSet<>(Set.of("method"));
        names.addAll(List.of(extra));
        all.forEach(f -> names.add(kebab(f)));
        this.options = Set.copyOf(names);
    }

    /** Every option the command accepts. */
    Set<String> options() {
        return options;
    }

    /** The options as the JSON of the stage, read into the one parameter type. */
    T parameters(Arguments a) {
        ObjectNode json = READER.createObjectNode();
        ObjectNode calibration = READER.createObjectNode();
        if (a.option("method", null) != null) {
            json.put("method", a.option("method", null));
        }
        for (String field : fields) {
            String option = kebab(field);
            ObjectNode into = CALIBRATION_FIELDS.contains(field) ? calibration : json;
            if (LISTS.contains(field)) {
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
            return READER.treeToValue(json, type);
        } catch (InvalidTypeIdException e) {
            throw new Arguments.UsageException(command + ": --method " + (e.getTypeId() == null ? "is required"
                    : "'" + e.getTypeId() + "' is not a method") + " (one of " + methods + ")");
        } catch (UnrecognizedPropertyException e) {
            throw new Arguments.UsageException(command + ": --" + kebab(e.getPropertyName())
                    + " does not apply to --method " + json.get("method").asString());
        } catch (DatabindException e) {
            throw new Arguments.UsageException(command + ": --" + kebab(e.getPath().getLast().getPropertyName()) + ": "
                    + (e.getCause() instanceof IllegalArgumentException bad ? bad.getMessage() : e.getOriginalMessage()));
        }
    }

    /** The Bean Validation bounds the API checks at submission, at the same field paths. */
    private static List<PruneProblem> bounds(Object parameters) {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            return factory.getValidator().validate(parameters).stream()
                    .map(v -> new PruneProblem(v.getPropertyPath().toString(), v.getMessage()))
                    .sorted(Comparator.comparing(PruneProblem::field)).toList();
        }
    }

    /**
     * Refuses {@code parameters} as the API does: first the bounds, then (when those hold) the rules between
     * fields, then (when those hold) the rules against the model.
     */
    static void check(Object parameters, Supplier<List<PruneProblem>> betweenFields,
                      Supplier<List<PruneProblem>> againstModel) {
        List<PruneProblem> problems = bounds(parameters);
        if (problems.isEmpty()) {
            problems = betweenFields.get();
        }
        if (problems.isEmpty()) {
            problems = againstModel.get();
        }
        if (!problems.isEmpty()) {
            throw new PruneProblemException(problems);
        }
    }

    private static Set<String> fields(Class<?> record) {
        Set<String> fields = new LinkedHashSet<>();
        for (RecordComponent component : record.getRecordComponents()) {
            fields.add(component.getName());
        }
        return fields;
    }

    /** {@code blockSize} -> {@code block-size}. */
    static String kebab(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
