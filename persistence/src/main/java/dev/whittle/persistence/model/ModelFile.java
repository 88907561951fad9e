package dev.whittle.persistence.model;

/** One file of a model folder: its name relative to the folder, its size, and its SHA-256 (hex). */
public record ModelFile(String name, long bytes, String sha256) {
}
