package dev.whittle.worker.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import dev.whittle.worker.stage.RecipeStage;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What stages left in their steps' execution contexts ({@link StageTasklet#RESULT}, {@link StageTasklet#OUTPUT}),
 * read in one pass over the latest step execution of each, so that steps an earlier attempt completed count too.
 */
final class StageOutputs {

    /**
     * The model folder a stage wrote, and the registered models besides the job's input it was made from (those
     * recorded by {@link dev.whittle.worker.stage.StageContext#addParent} by it and the stages before it).
     */
    record Output(RecipeStage stage, Path folder, List<UUID> parents) {
    }

    /**
     * One stage's entries: its result as JSON text and the folder of the model it wrote, each null if none, and the
     * models it recorded as parents.
     */
    private record Entry(RecipeStage stage, String result, Path output, List<UUID> parents) {
    }

    private final List<Entry> entries;

    private StageOutputs(List<Entry> entries) {
        this.entries = entries;
    }

    /** Reads what {@code stages} of the job instance left. */
    static StageOutputs read(JobRepository repository, JobInstance instance, List<RecipeStage> stages) {
        List<Entry> entries = new ArrayList<>();
        for (RecipeStage stage : stages) {
            StepExecution step = repository.getLastStepExecution(instance, stage.stepName());
            if (step == null) {
                entries.add(new Entry(stage, null, null, List.of()));
                continue;
            }
            var context = step.getExecutionContext();
            String output = context.containsKey(StageTasklet.OUTPUT) ? context.getString(StageTasklet.OUTPUT) : null;
            entries.add(new Entry(stage, context.getString(StageTasklet.RESULT, null),
                    output == null ? null : Path.of(output), parents(context.getString(StageTasklet.PARENTS, ""))));
        }
        return new StageOutputs(entries);
    }

    /** Each stage's index, type and result (null before it has completed). */
    JsonNode results() {
        ObjectNode result = JsonMapper.shared().createObjectNode();
        ArrayNode stages = result.putArray("stages");
        for (Entry e : entries) {
            ObjectNode entry = stages.addObject();
            entry.put("index", e.stage().index());
            entry.put("type", e.stage().type().name());
            entry.set("result", e.result() == null ? null : JsonMapper.shared().readTree(e.result()));
        }
        return result;
    }

    /** The ids of a {@link StageTasklet#PARENTS} entry. */
    static List<UUID> parents(String ids) {
        return ids.isEmpty() ? List.of() : Stream.of(ids.split(",")).map(UUID::fromString).toList();
    }

    /**
     * The model the latest stage that wrote one wrote, if any.
     *
     * @throws IllegalStateException when that folder is gone (a restart on a worker that does not share it)
     */
    Optional<Output> latestOutput() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.output() != null) {
                if (!Files.isDirectory(e.output())) {
                    throw new IllegalStateException("The model that stage " + (e.stage().index() + 1) + " ("
                            + e.stage().type().name() + ") wrote is gone from " + e.output()
                            + "; is the work folder shared by every worker?");
                }
                Set<UUID> parents = new LinkedHashSet<>();
                entries.subList(0, i + 1).forEach(made -> parents.addAll(made.parents()));
                return Optional.of(new Output(e.stage(), e.output(), List.copyOf(parents)));
            }
        }
        return Optional.empty();
    }
}
