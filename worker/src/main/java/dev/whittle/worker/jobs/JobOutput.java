package dev.whittle.worker.jobs;

import jakarta.validation.constraints.Pattern;

/**
 * What the model a job writes should be: kept in the job's recipe under {@value #FIELD}.
 *
 * @param name the name (and output folder) to register the job's output model under, instead of the default
 *             {@code <input>-<stage>-<job id prefix>}
 */
public record JobOutput(
        @Pattern(regexp = NAME, message = "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        String name) {

    /** Where the recipe keeps it. */
    public static final String FIELD = "output";

    /** A model name that is also a safe folder name. */
    public static final String NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";
}
