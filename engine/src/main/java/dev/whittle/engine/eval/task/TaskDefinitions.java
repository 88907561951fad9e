package dev.whittle.engine.eval.task;

import dev.whittle.engine.eval.data.TaskDataFormat;
import dev.whittle.engine.eval.metric.Metric;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads task definitions from JSON, checking everything that can be checked without the data, and writes them back.
 * Every problem is reported at once, each naming its field. Defaults are filled in, so a definition written back
 * lists every setting.
 *
 * <pre>{@code
 * {
 *   "name": "mcr-qa", "version": 1,
 *   "dataset": {"format": "mmlu-csv", "path": "builtin:mmlu", "split": "test", "subsets": ["astronomy"]},
 *   "prompt": {"description": "...about {subject_name}.\n\n", "text": "{question}\nA. {choices[0]}...\nAnswer:"},
 *   "fewshot": {"k": 5, "split": "dev", "sampler": "first", "sameGroup": true},
 *   "request": {"type": "loglikelihood", "choices": ["A", "B", "C", "D"], "goldField": "gold"},
 *   "metrics": ["acc", "acc_norm"], "groupBy": "subject"
 * }
 * }</pre>
 */
public final class TaskDefinitions {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final int MAX_FEWSHOT = 64;
    public static final int MAX_NEW_TOKENS = 4096;
    public static final int MAX_DRAFT_LENGTH = 32;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private static final Set<String> TOP = fields("name", "version", "description", "dataset", "prompt", "fewshot",
            "request", "metrics", "groupBy");
    private static final Set<String> DATASET = fields("format", "path", "split", "subsets");
    private static final Set<String> PROMPT = fields("description", "text", "targetDelimiter");
    private static final Set<String> FEWSHOT = fields("k", "split", "sampler", "seed", "separator", "sameGroup");
    private static final Set<String> REQUEST = fields("type", "choices", "choicesField", "goldField", "answerField",
            "aliasesField", "until", "maxTokens", "textField", "seqlen", "stride", "draftLengths");
    private static final Map<RequestType, Set<String>> REQUEST_FIELDS = Map.of(
            RequestType.LOGLIKELIHOOD, fields("type", "choices", "choicesField", "goldField"),
            RequestType.GENERATE_UNTIL, fields("type", "answerField", "aliasesField", "until", "maxTokens"),
            RequestType.ROLLING_PERPLEXITY, fields("type", "textField", "seqlen", "stride"),
            RequestType.SPECULATIVE, fields("type", "until", "maxTokens", "draftLengths"));

    private TaskDefinitions() {
    }

    /** Parses and checks a definition; {@code source} names it in errors (a file, "request body"). */
    public static TaskDefinition parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new TaskDefinitionException(source, List.of("not valid JSON: " + e.getOriginalMessage()));
        }
        return parse(root, source);
    }

    public static TaskDefinition parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new TaskDefinitionException(source, List.of("a task definition is a JSON object"));
        }
        List<String> problems = new ArrayList<>();
        JsonObject top = new JsonObject(root, "", TOP, problems);
        String name = top.string("name", null, true);
        if (name != null && !NAME.matcher(name).matches()) {
            top.problem("name", "'" + name + "' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        Long version = top.whole("version", 1L);
        if (version != null && (version < 1 || version > Integer.MAX_VALUE)) {
            top.problem("version", "must be a positive whole number, got " + version);
        }
        String description = top.string("description", "", false);
        String groupBy = top.string("groupBy", null, false);
        if (groupBy != null && groupBy.isBlank()) {
            top.problem("groupBy", "must name a document field");
        }
        DatasetSpec dataset = dataset(top.object("dataset", DATASET, true));
        RequestSpec request = request(top.object("request", REQUEST, true));
        RequestType type = request == null ? null : request.type();
        PromptSpec prompt = prompt(top.object("prompt", PROMPT, false), top, type);
        FewShotSpec fewshot = fewshot(top.object("fewshot", FEWSHOT, false), groupBy != null);
        List<Metric> metrics = metrics(top, type);
        if (type == RequestType.ROLLING_PERPLEXITY) {
            if (fewshot.k() > 0) {
                top.problem("fewshot.k", "rolling_perplexity scores texts as they are: no few-shot examples");
            }
            if (groupBy != null) {
                top.problem("groupBy", "does not apply to rolling_perplexity");
            }
        }
        if (type == RequestType.SPECULATIVE) {
            if (fewshot.k() > 0) {
                top.problem("fewshot.k", "speculative prompts are the documents' own: no few-shot examples");
            }
            if (groupBy != null) {
                top.problem("groupBy", "does not apply to speculative (its results are grouped by draft length)");
            }
        }
        if (!problems.isEmpty()) {
            throw new TaskDefinitionException(name == null ? source : source + " (task '" + name + "')", problems);
        }
        return new TaskDefinition(name, version.intValue(), description, dataset, prompt, fewshot, request, metrics, groupBy);
    }

    /** The definition as JSON, every default written out; {@link #parse} reads it back to an equal definition. */
    public static String write(TaskDefinition task) {
        return JSON.writeValueAsString(task);
    }

    public static JsonNode toJson(TaskDefinition task) {
        return JSON.valueToTree(task);
    }

    private static DatasetSpec dataset(JsonObject o) {
        if (o == null) {
            return null;
        }
        String formatId = o.string("format", null, true);
        TaskDataFormat format = null;
        if (formatId != null) {
            format = TaskDataFormat.byId(formatId).orElse(null);
            if (format == null) {
                o.problem("format", "unknown format '" + formatId + "' (known: " + String.join(", ", TaskDataFormat.ids()) + ")");
            }
        }
        String path = o.string("path", null, true);
        if (path != null && path.isBlank()) {
            o.problem("path", "must not be empty");
        }
        String split = o.string("split", DatasetSpec.DEFAULT_SPLIT, false);
        if (split != null && !NAME.matcher(split).matches()) {
            o.problem("split", "'" + split + "' is not a split name (a-z, 0-9, '.', '_', '-')");
        }
        List<String> subsets = o.strings("subsets");
        if (subsets != null && format != null && !format.hasSubsets() && !subsets.isEmpty()) {
            o.problem("subsets", "format " + format.id() + " has no subsets");
        }
        if (subsets != null) {
            for (String subset : subsets) {
                if (!NAME.matcher(subset).matches()) {
                    o.problem("subsets", "'" + subset + "' is not a subset name (a-z, 0-9, '.', '_', '-')");
                }
            }
        }
        return new DatasetSpec(format, path, split, subsets);
    }

    private static RequestSpec request(JsonObject o) {
        if (o == null) {
            return null;
        }
        String typeId = o.string("type", null, true);
        if (typeId == null) {
            return null;
        }
        RequestType type = RequestType.byId(typeId).orElse(null);
        if (type == null) {
            o.problem("type", "unknown request type '" + typeId + "' (known: " + String.join(", ", RequestType.ids()) + ")");
            return null;
        }
        for (String field : REQUEST) {
            if (o.has(field) && !REQUEST_FIELDS.get(type).contains(field)) {
                o.problem(field, "does not apply to " + type.id() + " (its fields: "
                        + String.join(", ", REQUEST_FIELDS.get(type)) + ")");
            }
        }
        return switch (type) {
            case LOGLIKELIHOOD -> {
                List<String> choices = o.strings("choices");
                String choicesField = o.string("choicesField", null, false);
                if ((choices == null) == (choicesField == null)) {
                    o.problem("choices", "give either choices (a list of templates) or choicesField (a list field), not "
                            + (choices == null ? "neither" : "both"));
                }
                if (choices != null) {
                    if (choices.size() < 2) {
                        o.problem("choices", "needs at least 2 choices");
                    }
                    for (int i = 0; i < choices.size(); i++) {
                        template(o, "choices[" + i + "]", choices.get(i));
                        if (choices.get(i).isEmpty()) {
                            o.problem("choices[" + i + "]", "must not be empty");
                        }
                    }
                }
                String gold = o.string("goldField", null, true);
                yield new RequestSpec(type, choices, choicesField, gold, null, null, null, null, null, null, null, null);
            }
            case GENERATE_UNTIL -> {
                String answer = o.string("answerField", null, true);
                String aliases = o.string("aliasesField", null, false);
                yield new RequestSpec(type, null, null, null, answer, aliases, until(o), maxTokens(o), null, null, null,
                        null);
            }
            case SPECULATIVE -> {
                List<Integer> lengths = o.integers("draftLengths");
                if (lengths == null) {
                    lengths = RequestSpec.DEFAULT_DRAFT_LENGTHS;
                }
                if (lengths.isEmpty()) {
                    o.problem("draftLengths", "name at least one draft length");
                }
                for (int i = 0; i < lengths.size(); i++) {
                    if (lengths.get(i) < 1 || lengths.get(i) > MAX_DRAFT_LENGTH) {
                        o.problem("draftLengths[" + i + "]", "must be in [1, " + MAX_DRAFT_LENGTH + "], got " + lengths.get(i));
                    } else if (lengths.subList(0, i).contains(lengths.get(i))) {
                        o.problem("draftLengths[" + i + "]", lengths.get(i) + " is listed twice");
                    }
                }
                yield new RequestSpec(type, null, null, null, null, null, until(o), maxTokens(o), null, null, null,
                        lengths);
            }
            case ROLLING_PERPLEXITY -> {
                String textField = o.string("textField", RequestSpec.DEFAULT_TEXT_FIELD, false);
                Integer seqlen = o.integer("seqlen", null);
                Integer stride = o.integer("stride", null);
                if (seqlen != null && seqlen < 2) {
                    o.problem("seqlen", "must be at least 2, got " + seqlen);
                }
                if (stride != null && (stride < 1 || (seqlen != null && stride > seqlen))) {
                    o.problem("stride", "must be in [1, seqlen], got " + stride);
                }
                yield new RequestSpec(type, null, null, null, null, null, null, null, textField, seqlen, stride, null);
            }
        };
    }

    /** Generation's stop strings (default: a newline), none empty. */
    private static List<String> until(JsonObject o) {
        List<String> until = o.strings("until");
        if (until == null) {
            until = RequestSpec.DEFAULT_UNTIL;
        }
        for (int i = 0; i < until.size(); i++) {
            if (until.get(i).isEmpty()) {
                o.problem("until[" + i + "]", "a stop string must not be empty");
            }
        }
        return until;
    }

    /** Generation's token limit, in [1, {@value #MAX_NEW_TOKENS}]. */
    private static Integer maxTokens(JsonObject o) {
        Integer maxTokens = o.integer("maxTokens", RequestSpec.DEFAULT_MAX_TOKENS);
        if (maxTokens != null && (maxTokens < 1 || maxTokens > MAX_NEW_TOKENS)) {
            o.problem("maxTokens", "must be in [1, " + MAX_NEW_TOKENS + "], got " + maxTokens);
        }
        return maxTokens;
    }

    private static PromptSpec prompt(JsonObject o, JsonObject top, RequestType type) {
        if (type == RequestType.ROLLING_PERPLEXITY) {
            if (o != null) {
                top.problem("prompt", "does not apply to rolling_perplexity (texts are scored as they are)");
            }
            return null;
        }
        if (o == null) {
            if (type != null) {
                top.problem("prompt", "required for " + type.id());
            }
            return null;
        }
        String description = o.string("description", "", false);
        String text = o.string("text", null, true);
        String delimiter = o.string("targetDelimiter", PromptSpec.DEFAULT_TARGET_DELIMITER, false);
        template(o, "description", description);
        template(o, "text", text);
        return new PromptSpec(description, text, delimiter);
    }

    private static FewShotSpec fewshot(JsonObject o, boolean grouped) {
        FewShotSpec none = FewShotSpec.none();
        if (o == null) {
            return none;
        }
        Integer k = o.integer("k", 0);
        if (k != null && (k < 0 || k > MAX_FEWSHOT)) {
            o.problem("k", "must be in [0, " + MAX_FEWSHOT + "], got " + k);
        }
        String split = o.string("split", null, false);
        if (split != null && !NAME.matcher(split).matches()) {
            o.problem("split", "'" + split + "' is not a split name");
        }
        String samplerId = o.string("sampler", none.sampler().id(), false);
        FewShotSampler sampler = samplerId == null ? none.sampler() : FewShotSampler.byId(samplerId).orElse(null);
        if (sampler == null) {
            o.problem("sampler", "unknown sampler '" + samplerId + "' (known: " + String.join(", ", FewShotSampler.ids()) + ")");
        }
        Long seed = o.whole("seed", none.seed());
        String separator = o.string("separator", none.separator(), false);
        boolean sameGroup = o.bool("sameGroup", false);
        if (sameGroup && !grouped) {
            o.problem("sameGroup", "needs the task's groupBy (the field that defines a group)");
        }
        return new FewShotSpec(k == null ? 0 : k, split, sampler, seed == null ? none.seed() : seed,
                separator == null ? none.separator() : separator, sameGroup);
    }

    private static List<Metric> metrics(JsonObject top, RequestType type) {
        List<String> ids = top.strings("metrics");
        if (type == null) {
            // Which metrics apply is unknown without a request type; unknown names are wrong whatever it is.
            for (String id : ids == null ? List.<String>of() : ids) {
                if (Metric.byId(id).isEmpty()) {
                    top.problem("metrics", "unknown metric '" + id + "'");
                }
            }
            return List.of();
        }
        if (ids == null) {
            return type.metrics();
        }
        if (ids.isEmpty()) {
            top.problem("metrics", "name at least one metric (for " + type.id() + ": " + metricIds(type.metrics()) + ")");
        }
        Set<Metric> metrics = new LinkedHashSet<>();
        for (String id : ids) {
            Metric metric = Metric.byId(id).orElse(null);
            if (metric == null || !type.metrics().contains(metric)) {
                top.problem("metrics", (metric == null ? "unknown metric '" : "metric '") + id + "'"
                        + (metric == null ? "" : " does not apply to " + type.id())
                        + " (for " + type.id() + ": " + metricIds(type.metrics()) + ")");
            } else if (!metrics.add(metric)) {
                top.problem("metrics", "'" + id + "' is listed twice");
            }
        }
        return List.copyOf(metrics);
    }

    private static void template(JsonObject o, String field, String source) {
        if (source == null) {
            return;
        }
        try {
            PromptTemplate.parse(source);
        } catch (IllegalArgumentException e) {
            o.problem(field, e.getMessage());
        }
    }

    private static String metricIds(List<Metric> metrics) {
        return String.join(", ", metrics.stream().map(Metric::id).toList());
    }

    static Set<String> fields(String... names) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }
}
