package dev.whittle.worker.merge;

import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.merge.MergeMismatch;
import dev.whittle.engine.merge.MergeParameters;
import dev.whittle.engine.merge.MergeProblem;
import dev.whittle.engine.merge.ModelMerge;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.persistence.model.Model;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * MERGE: merges the stage's input model (the job's model, or the model the stage before wrote) with the registered
 * {@code models} by the engine's {@link ModelMerge}: {@code linear}, {@code slerp} or {@code ties} (against a
 * {@code base}), mergekit's recipes. Its parameters are the engine's {@link MergeParameters}. The output is a new
 * model folder with the input's config and tokenizer; the job's output model is registered with every model it was
 * made from as a parent: the job's model, each merged model, and the base.
 *
 * <p>At submission every named model must be registered, and the named models must agree with one another, and, when
 * MERGE is the recipe's first stage, with the job's model: one architecture, the same tensor names and shapes (a
 * different vocabulary shows as the embedding's shape). These checks read configs and safetensors headers only, never
 * the weights; a difference is refused at the field of the model that differs, naming the tensor. They are made again
 * when the stage starts, on the input it actually reads, before anything is written.
 */
@Component
public class MergeStage implements StageType<MergeParameters> {

    /** A model the stage merged in: by id and name. */
    public record MergedModel(UUID id, String name) {
        static MergedModel of(Model model) {
            return new MergedModel(model.getId(), model.getName());
        }
    }

    /** What the stage returns: the recipe, the models merged into the input (and the base), and the tensor count. */
    public record Result(String method, List<MergedModel> models, MergedModel base, int tensors) {
    }

    private static final String INPUT = "the input model";

    private final ModelCatalog catalog;

    public MergeStage(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return "MERGE";
    }

    @Override
    public String description() {
        return "Merges the model with other registered models of the same architecture: linear (weights), slerp (t) "
                + "or ties (density, sign election, against a base), as mergekit names them. Writes a new model, "
                + "registered with every model it was made from as a parent.";
    }

    @Override
    public Class<MergeParameters> parametersType() {
        return MergeParameters.class;
    }

    /** The rules between fields; every named model registered; the named models agree with one another. */
    @Override
    public List<FieldProblem> validate(MergeParameters p) {
        List<FieldProblem> problems = fieldProblems(p.problems());
        if (!problems.isEmpty()) {
            return problems;
        }
        List<Path> folders = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < p.models().size(); i++) {
            resolve(p.models().get(i), "models[" + i + "]", folders, fields, problems);
        }
        if (p.base() != null) {
            resolve(p.base(), "base", folders, fields, problems);
        }
        if (problems.isEmpty() && folders.size() > 1) {
            compatibility(() -> ModelMerge.compatible(folders), fields).ifPresent(problems::add);
        }
        return problems;
    }

    /** The named models agree with the input model's folder (read at submission when MERGE is the first stage). */
    @Override
    public List<FieldProblem> validate(MergeParameters p, ModelConfig model, Path folder) {
        Sources sources = sources(p);
        return compatibility(() -> ModelMerge.check(sources.withInput(folder), sources.baseFolder(), p.recipe()),
                sources.fields()).stream().toList();
    }

    @Override
    public Result execute(MergeParameters p, StageContext context) throws Exception {
        List<MergeProblem> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(MergeProblem::toString)
                    .collect(Collectors.joining("; ")));
        }
        Sources sources = sources(p);
        Optional<FieldProblem> mismatch = compatibility(() -> ModelMerge.check(sources.withInput(context.modelFolder()),
                sources.baseFolder(), p.recipe()), sources.fields());
        if (mismatch.isPresent()) {
            throw new IllegalArgumentException(mismatch.get().field() + ": " + mismatch.get().message());
        }
        Path merged = ModelMerge.merge(sources.withInput(context.modelFolder()), sources.baseFolder(), p.recipe(),
                context.outputFolder(), context.progress());
        sources.models().forEach(m -> context.addParent(m.getId()));
        if (sources.base() != null) {
            context.addParent(sources.base().getId());
        }
        try (Checkpoint written = Checkpoint.open(merged)) {
            return new Result(p.name(), sources.models().stream().map(MergedModel::of).toList(),
                    sources.base() == null ? null : MergedModel.of(sources.base()), written.names().size());
        }
    }

    /** The registered models a merge reads, and the field each is named at (the input's first, the base's last). */
    private record Sources(List<Model> models, Model base, List<String> fields) {

        List<Path> withInput(Path input) {
            List<Path> folders = new ArrayList<>();
            folders.add(input);
            models.forEach(m -> folders.add(Path.of(m.getPath())));
            return folders;
        }

        Path baseFolder() {
            return base == null ? null : Path.of(base.getPath());
        }
    }

    /** The models of parameters whose models {@link #validate(MergeParameters)} found registered (or now gone). */
    private Sources sources(MergeParameters p) {
        List<String> fields = new ArrayList<>(List.of(INPUT));
        List<Model> models = new ArrayList<>();
        for (int i = 0; i < p.models().size(); i++) {
            models.add(registered(p.models().get(i), "models[" + i + "]"));
            fields.add("models[" + i + "]");
        }
        Model base = p.base() == null ? null : registered(p.base(), "base");
        if (base != null) {
            fields.add("base");
        }
        return new Sources(models, base, fields);
    }

    private Model registered(String idOrName, String field) {
        return catalog.find(idOrName).orElseThrow(() -> new IllegalStateException(field + ": the model '" + idOrName
                + "' is no longer registered"));
    }

    private void resolve(String idOrName, String field, List<Path> folders, List<String> fields,
                         List<FieldProblem> problems) {
        Optional<Model> model = catalog.find(idOrName);
        if (model.isEmpty()) {
            problems.add(new FieldProblem(field, "no model with id or name '" + idOrName + "'"));
        } else {
            folders.add(Path.of(model.get().getPath()));
            fields.add(field);
        }
    }

    /** A check of configs and headers that may throw. */
    private interface HeaderCheck {
        void run() throws IOException;
    }

    /**
     * The problem a failed check makes: a mismatch at the field of the model that differs, naming the tensor; an
     * unreadable folder at {@code models}.
     */
    private static Optional<FieldProblem> compatibility(HeaderCheck check, List<String> fields) {
        try {
            check.run();
            return Optional.empty();
        } catch (MergeMismatch e) {
            // The first folder is the one the others are compared with, so it is never the one that differs.
            return Optional.of(new FieldProblem(fields.get(e.model()), "differs from " + fields.getFirst()
                    + " at tensor '" + e.tensor() + "': " + e.getMessage()));
        } catch (IOException e) {
            return Optional.of(new FieldProblem("models", "a model folder cannot be read: " + e.getMessage()));
        }
    }

    private static List<FieldProblem> fieldProblems(List<MergeProblem> problems) {
        List<FieldProblem> fields = new ArrayList<>();
        problems.forEach(problem -> fields.add(new FieldProblem(problem.field(), problem.message())));
        return fields;
    }
}
