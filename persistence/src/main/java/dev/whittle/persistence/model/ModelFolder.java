package dev.whittle.persistence.model;

import java.util.UUID;

/** A model's id, name, folder and team, without the rest of its row: what a job submission checks its recipe on. */
public record ModelFolder(UUID id, String name, String path, String ownerTeam) {

    public ModelName asName() {
        return new ModelName(id, name);
    }
}
