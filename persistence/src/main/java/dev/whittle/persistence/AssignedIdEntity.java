package dev.whittle.persistence;

import java.util.UUID;

import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import org.springframework.data.domain.Persistable;

/**
 * An entity whose UUID is assigned in Java, not by the database. Without {@link #isNew} Spring Data would take a
 * new one for an existing row (its id is already set) and select it before inserting; this way saving it inserts
 * at once, and an entity read or saved once is an existing row.
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {

    @Transient
    private boolean unsaved = true;

    /** The entity is a row of its table now (loaded, inserted, or read or written in plain SQL by its repository). */
    @PostLoad
    @PostPersist
    protected void saved() {
        unsaved = false;
    }

    @Override
    public boolean isNew() {
        return unsaved;
    }
}
