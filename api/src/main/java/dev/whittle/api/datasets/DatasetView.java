package dev.whittle.api.datasets;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import dev.whittle.persistence.dataset.Dataset;

/** A registered data file: {@code records} counts lines (text, jsonl) or rows after the header (csv). */
public record DatasetView(UUID id, String name, String path, String format, long sizeBytes, long records, String sha256,
                          Instant createdAt) {

    public static DatasetView of(Dataset d) {
        return new DatasetView(d.getId(), d.getName(), d.getPath(), d.getFormat().name().toLowerCase(Locale.ROOT),
                d.getSizeBytes(), d.getRecordCount(), d.getSha256(), d.getCreatedAt());
    }
}
