package dev.whittle.persistence.experiment;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * An experiment: a grid of trials on a model, at most {@code maxParallel} of them queued or running at once.
 *
 * @param request         the request as validated (template, axes, evaluation), kept for reading back
 * @param maxFailedTrials how many trials may fail before the experiment fails (and cancels the rest)
 * @param message         why it failed, or how it ended
 */
public record Experiment(UUID id, String name, UUID modelId, JsonNode request, int maxParallel, int maxFailedTrials,
                         ExperimentStatus status, String message, Instant createdAt, Instant updatedAt,
                         Instant finishedAt) {
}
