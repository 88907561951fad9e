package dev.whittle.persistence.team;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An API key: only the SHA-256 of its secret is kept ({@code keyHash}), with its first characters ({@code prefix})
 * so people can tell their keys apart in a list.
 */
@Entity
@Table(name = "api_key")
public class ApiKey {

    @Id
    private UUID id;
    private String name;
    private String team;
    @Enumerated(EnumType.STRING)
    private Role role;
    private String prefix;
    private String keyHash;
    private Instant createdAt;
    private Instant revokedAt;
    private Instant lastUsedAt;

    protected ApiKey() {
    }

    public ApiKey(String name, String team, Role role, String prefix, String keyHash) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.team = team;
        this.role = role;
        this.prefix = prefix;
        this.keyHash = keyHash;
        this.createdAt = Instant.now();
    }

    public void revoke() {
        if (revokedAt == null) {
            revokedAt = Instant.now();
        }
    }

    public boolean isRevoked() {
        return revokedAt != null;
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getTeam() {
        return team;
    }

    public Role getRole() {
        return role;
    }

    public String getPrefix() {
        return prefix;
    }

    public String getKeyHash() {
        return keyHash;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }

    public Instant getLastUsedAt() {
        return lastUsedAt;
    }
}
