package dev.whittle.worker.stage;

/** One stage of a recipe, parsed and validated: its position, its type, and its parameter record. */
public record RecipeStage(int index, StageType<?> type, Object parameters) {

    /** The Spring Batch step name: stable for a given recipe, so a restarted execution finds completed steps. */
    public String stepName() {
        return "stage-" + index + "-" + type.name();
    }
}
