package dev.whittle.persistence.dataset;

/** How a dataset file is laid out: plain text, one JSON object per line, or CSV with a header row. */
public enum DatasetFormat {
    TEXT, JSONL, CSV
}
