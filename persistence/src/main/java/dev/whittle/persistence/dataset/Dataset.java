package dev.whittle.persistence.dataset;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import dev.whittle.persistence.team.TeamScope;

/** A registered calibration or evaluation data file. */
@Entity
@Table(name = "dataset")
public class Dataset {

    @Id
    private UUID id;
    private String name;
    private String path;
    @Enumerated(EnumType.STRING)
    private DatasetFormat format;
    private long sizeBytes;
    private long recordCount;
    private String sha256;
    private Instant createdAt;
    /** The team it belongs to ({@link TeamScope}): whoever made it. */
    private String ownerTeam;

    protected Dataset() {
    }

    public Dataset(String name, String path, DatasetFormat format, long sizeBytes, long recordCount, String sha256) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.path = path;
        this.format = format;
        this.sizeBytes = sizeBytes;
        this.recordCount = recordCount;
        this.sha256 = sha256;
        this.createdAt = Instant.now();
        this.ownerTeam = TeamScope.owner();
    }

    public UUID getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getPath() {
        return path;
    }

    public DatasetFormat getFormat() {
        return format;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public long getRecordCount() {
        return recordCount;
    }

    public String getSha256() {
        return sha256;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getOwnerTeam() {
        return ownerTeam;
    }
}
