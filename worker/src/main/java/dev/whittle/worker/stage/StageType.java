package dev.whittle.worker.stage;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;

import dev.whittle.engine.model.ModelConfig;

/**
 * One kind of stage a job's recipe may contain. A stage type is a Spring bean in a package of its own next to
 * its parameter record; {@link StageTypes} finds every such bean, so adding a stage type adds that package and
 * nothing else.
 *
 * <p>At submission the stage's JSON (less its {@code type}) is read into {@link #parametersType()} strictly
 * (unknown fields and wrong types are refused), checked against the record's Bean Validation annotations, then
 * by {@link #validate(Object)} and, where the model the stage will read is known, by
 * {@link #validate(Object, ModelConfig)}. Each problem is reported at its field path, and the job is refused with 422. At run
 * time the stage executes as one Spring Batch step.
 *
 * @param <P> the parameter record
 */
public interface StageType<P> {

    /** The name recipes use, upper case (e.g. {@code INSPECT}). */
    String name();

    /** One sentence for the API documentation. */
    String description();

    /** The parameter record (fields may be left out of a recipe when the record gives them defaults). */
    Class<P> parametersType();

    /** Checks Bean Validation cannot express (between fields); empty when fine. */
    default List<FieldProblem> validate(P parameters) {
        return List.of();
    }

    /**
     * Checks against the model the stage will read, described by its config; empty when fine. Called at submission
     * only when the parameters passed {@link #validate(Object)}, and only for a recipe's first stage, whose input is
     * the job's model (a later stage may read a model an earlier one writes, whose shape is known only once it
     * runs). A stage that has such checks should repeat them when it starts, where its input is known.
     */
    default List<FieldProblem> validate(P parameters, ModelConfig model) {
        return List.of();
    }

    /**
     * As {@link #validate(Object, ModelConfig)}, for checks that also read the input model's folder (its
     * safetensors headers, say); called instead of it where the folder is known. By default, the config's checks.
     */
    default List<FieldProblem> validate(P parameters, ModelConfig model, Path folder) {
        return validate(parameters, model);
    }

    /**
     * Runs the stage. Long work reports through {@code context.progress()} and calls its
     * {@code checkCancelled()} between units of work (tensors, layers, batches). Returns the stage's result,
     * serialised as JSON into the job's result (may be null).
     */
    Object execute(P parameters, StageContext context) throws Exception;

    /**
     * The type of what {@link #execute} returns, as the implementation declares it (the OpenAPI document types
     * the stage's result by it); {@code Object} when it declares none narrower.
     */
    default Class<?> resultType() {
        for (Method method : getClass().getMethods()) {
            if (method.getName().equals("execute") && method.getParameterCount() == 2 && !method.isBridge()) {
                return method.getReturnType();
            }
        }
        return Object.class;
    }
}
