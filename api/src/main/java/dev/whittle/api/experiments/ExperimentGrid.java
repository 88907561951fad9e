package dev.whittle.api.experiments;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.whittle.api.jobs.JobSubmission;
import dev.whittle.persistence.experiment.Experiments.TrialSpec;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Expands an experiment request into its trials: the dense baseline (the evaluation alone, on the model itself), then
 * one job request per combination of axis values, each checked as a job submission would be. Combinations the stages
 * refuse are skipped (and reported) as long as every axis value is valid in at least one; a value valid in none is a
 * mistake in the request, refused at its path.
 */
@Component
class ExperimentGrid {

    static final int MAX_TRIALS = 256;
    private static final Pattern AXIS = Pattern.compile("(?:(\\d{1,2})\\.)?([A-Za-z][A-Za-z0-9_]{0,63})");

    private final JobSubmission submission;

    ExperimentGrid(JobSubmission submission) {
        this.submission = submission;
    }

    /** The trials to store (baseline first) and the combinations left out, each with why. */
    record Grid(List<TrialSpec> trials, List<Skipped> skipped) {
    }

    /** A combination the stages refused. */
    record Skipped(JsonNode settings, List<FieldProblem> problems) {
    }

    Grid expand(UUID experimentId, ExperimentRequest request, Model model) {
        List<FieldProblem> problems = new ArrayList<>();
        List<String> axisNames = new ArrayList<>(request.axes().keySet());
        long combinations = 1;
        for (String axis : axisNames) {
            Matcher m = AXIS.matcher(axis);
            List<JsonNode> values = request.axes().get(axis);
            if (!m.matches()) {
                problems.add(new FieldProblem("axes." + axis, "an axis is a field name, or N.field for stage N"));
            } else if (m.group(1) != null && Integer.parseInt(m.group(1)) >= request.stages().size()) {
                problems.add(new FieldProblem("axes." + axis, "there is no stage " + m.group(1) + " (the template has "
                        + request.stages().size() + ", numbered from 0)"));
            } else if (m.group(2).equals("type")) {
                problems.add(new FieldProblem("axes." + axis, "a stage's type cannot vary; make another experiment"));
            }
            if (values == null || values.isEmpty()) {
                problems.add(new FieldProblem("axes." + axis, "give at least one value"));
            } else {
                combinations *= values.size();
            }
        }
        if (request.evaluation() != null && !request.evaluation().isObject()) {
            problems.add(new FieldProblem("evaluation", "must be an object of EVALUATE parameters"));
        } else if (request.evaluation() != null && request.evaluation().has("baseline")) {
            problems.add(new FieldProblem("evaluation.baseline", "trials are compared with the experiment's model; "
                    + "leave baseline out"));
        } else if (request.evaluation() != null && request.evaluation().has("type")) {
            problems.add(new FieldProblem("evaluation.type", "the evaluation is always EVALUATE; leave type out"));
        }
        if (combinations > MAX_TRIALS) {
            problems.add(new FieldProblem("axes", combinations + " combinations; an experiment has at most " + MAX_TRIALS));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }

        List<TrialSpec> trials = new ArrayList<>();
        ObjectNode baselineJob = job(experimentId, 0, request, model, "dense baseline");
        baselineJob.putArray("stages").add(evaluation(request, null));
        List<FieldProblem> baselineProblems = submission.problems(baselineJob);
        if (!baselineProblems.isEmpty()) {
            throw new InvalidRequestException(baselineProblems.stream()
                    .map(p -> new FieldProblem(p.field().replaceFirst("^stages\\[0]", "evaluation"), p.message())).toList());
        }
        trials.add(new TrialSpec(true, JsonMapper.shared().createObjectNode(), baselineJob));

        List<Skipped> skipped = new ArrayList<>();
        Map<String, Set<Integer>> validValues = new LinkedHashMap<>();
        Map<String, List<FieldProblem>> firstProblem = new LinkedHashMap<>();
        axisNames.forEach(a -> validValues.put(a, new HashSet<>()));
        Set<String> seen = new HashSet<>();
        for (int[] index : indices(request, axisNames, (int) combinations)) {
            ObjectNode settings = JsonMapper.shared().createObjectNode();
            ArrayNode stages = JsonMapper.shared().valueToTree(request.stages());
            for (int a = 0; a < axisNames.size(); a++) {
                String axis = axisNames.get(a);
                JsonNode value = request.axes().get(axis).get(index[a]);
                settings.set(axis, value);
                Matcher m = AXIS.matcher(axis);
                m.matches();
                int stage = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
                if (stages.get(stage) instanceof ObjectNode object) {
                    if (value == null || value.isNull()) {
                        object.remove(m.group(2));
                    } else if (value.isObject()) {
                        value.properties().forEach(f -> object.set(f.getKey(), f.getValue()));
                    } else {
                        object.set(m.group(2), value);
                    }
                }
            }
            stages.add(evaluation(request, model.getId()));
            if (!seen.add(stages.toString())) {
                continue; // the same recipe as an earlier combination
            }
            ObjectNode job = job(experimentId, trials.size(), request, model, label(settings));
            job.set("stages", stages);
            List<FieldProblem> trialProblems = submission.problems(job);
            if (trialProblems.isEmpty()) {
                for (int a = 0; a < axisNames.size(); a++) {
                    validValues.get(axisNames.get(a)).add(index[a]);
                }
                trials.add(new TrialSpec(false, settings, job));
            } else {
                skipped.add(new Skipped(settings, trialProblems));
                for (int a = 0; a < axisNames.size(); a++) {
                    firstProblem.putIfAbsent(axisNames.get(a) + "[" + index[a] + "]", trialProblems);
                }
            }
        }
        for (String axis : axisNames) {
            for (int v = 0; v < request.axes().get(axis).size(); v++) {
                if (!validValues.get(axis).contains(v)) {
                    List<FieldProblem> why = firstProblem.getOrDefault(axis + "[" + v + "]", List.of());
                    problems.add(new FieldProblem("axes." + axis + "[" + v + "]", "no trial with this value is valid: "
                            + String.join("; ", why.stream().map(p -> p.field() + ": " + p.message()).toList())));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new Grid(trials, skipped);
    }

    /**
     * How people read a trial's settings: {@code method=wanda sparsity=0.5}, nulls as "-", an object value by its field
     * of the axis' name when it has one.
     */
    static String label(JsonNode settings) {
        List<String> parts = new ArrayList<>();
        settings.properties().forEach(e -> {
            String field = e.getKey().substring(e.getKey().indexOf('.') + 1);
            JsonNode v = e.getValue().isObject() && e.getValue().has(field) ? e.getValue().get(field) : e.getValue();
            parts.add(e.getKey() + "=" + (v.isNull() ? "-" : v.isString() ? v.asString() : v.toString()));
        });
        return String.join(" ", parts);
    }

    /** The label-less job of trial {@code index}, without stages. */
    private static ObjectNode job(UUID experimentId, int index, ExperimentRequest request, Model model, String what) {
        ObjectNode job = JsonMapper.shared().createObjectNode();
        String name = request.name() == null ? "experiment " + experimentId.toString().substring(0, 8) : request.name();
        job.put("name", truncate(name + ": " + (what.isEmpty() ? "trial " + index : what)));
        job.put("model", model.getId().toString());
        ObjectNode labels = job.putObject("labels");
        labels.put("experiment", experimentId.toString());
        labels.put("trial", Integer.toString(index));
        return job;
    }

    private static String truncate(String name) {
        return name.length() <= 200 ? name : name.substring(0, 200);
    }

    /** The trials' EVALUATE stage, compared with {@code baseline} (none for the baseline trial itself). */
    private static ObjectNode evaluation(ExperimentRequest request, UUID baseline) {
        ObjectNode stage = JsonMapper.shared().createObjectNode();
        stage.put("type", "EVALUATE");
        request.evaluation().properties().forEach(e -> stage.set(e.getKey(), e.getValue()));
        if (baseline != null) {
            stage.put("baseline", baseline.toString());
        }
        return stage;
    }

    /** Every combination of value indices, the last axis varying fastest. */
    private static List<int[]> indices(ExperimentRequest request, List<String> axes, int combinations) {
        List<int[]> all = new ArrayList<>(combinations);
        for (int c = 0; c < combinations; c++) {
            int[] index = new int[axes.size()];
            int rest = c;
            for (int a = axes.size() - 1; a >= 0; a--) {
                int n = request.axes().get(axes.get(a)).size();
                index[a] = rest % n;
                rest /= n;
            }
            all.add(index);
        }
        return all;
    }
}
