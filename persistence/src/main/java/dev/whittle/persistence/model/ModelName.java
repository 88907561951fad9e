package dev.whittle.persistence.model;

import java.util.UUID;

/** A model's id and name, without the rest of its row. */
public record ModelName(UUID id, String name) {
}
