package dev.whittle.persistence.team;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A team: what its keys see and change (see {@link TeamScope}). */
@Entity
@Table(name = "team")
public class Team {

    @Id
    private String name;
    private Instant createdAt;

    protected Team() {
    }

    public Team(String name) {
        this.name = name;
        this.createdAt = Instant.now();
    }

    public String getName() {
        return name;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
