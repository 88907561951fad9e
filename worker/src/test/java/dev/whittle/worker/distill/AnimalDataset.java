package dev.whittle.worker.distill;

import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.storage.StorageRoots;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Twelve short questions "which animal is number i?" as a registered JSONL dataset with the fields "q" and "a". */
public final class AnimalDataset {

    static final String[] ANIMALS = {"cat", "dog", "owl", "fox", "bee", "elk", "yak", "ant", "emu", "cow", "hen", "pig"};

    private AnimalDataset() {
    }

    static String prompt(int i) {
        return "Q: which animal is number " + i + "? A:";
    }

    static String response(int i) {
        return " the " + ANIMALS[i] + ".";
    }

    /** Registers a fresh copy and returns its name. */
    public static String register(DatasetCatalog catalog, StorageRoots storage) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < ANIMALS.length; i++) {
            lines.append(JsonMapper.shared().writeValueAsString(Map.of("q", prompt(i), "a", response(i)))).append('\n');
        }
        String name = "animals-" + UUID.randomUUID();
        Path file = storage.dataRoots().getFirst().resolve(name + ".jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, lines);
        return catalog.register(name, file.toString(), DatasetFormat.JSONL).getName();
    }
}
