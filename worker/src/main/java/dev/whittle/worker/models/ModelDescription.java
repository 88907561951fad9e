package dev.whittle.worker.models;

import java.util.List;

import dev.whittle.persistence.model.ModelFile;
import tools.jackson.databind.JsonNode;

/** What a validated model folder holds: its family, an architecture summary, its size, and its files. */
public record ModelDescription(String family, JsonNode architecture, long parameterCount, List<ModelFile> files) {
}
