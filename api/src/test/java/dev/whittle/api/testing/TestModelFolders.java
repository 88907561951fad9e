package dev.whittle.api.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;

import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;

/** Writes small random Hugging Face model folders into the test model root. */
public final class TestModelFolders {

    public static final Path MODEL_ROOT = Path.of("target/test-storage/models").toAbsolutePath();

    private TestModelFolders() {
    }

    /** A new Llama folder in the model root; returns its name (a path relative to the root). */
    public static String llama() {
        return write(Family.LLAMA, TestModels.options());
    }

    public static String write(Family family, TestModels.Options options) {
        String name = family.modelType() + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            TestModels.write(MODEL_ROOT.resolve(name), family, 11, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    /** Registers a new Llama folder through the API and returns the model's JSON. */
    public static tools.jackson.databind.JsonNode registerLlama(Api api) {
        String name = llama();
        Api.Response r = api.post("/api/v1/models", "{\"name\":\"" + name + "\",\"path\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("registration failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }
}
