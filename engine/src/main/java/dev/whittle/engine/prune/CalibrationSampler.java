package dev.whittle.engine.prune;

import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.Tokenizer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws calibration windows as the Wanda and SparseGPT {@code get_loaders} do, with the model's own tokenizer (text
 * encoded with its special tokens, as {@code tokenizer(text)} does): from one stream (a text file, or documents
 * joined by a blank line), {@code samples} times a start uniform in {@code [0, tokens - length - 1]} and the
 * {@code length} tokens from there; from documents, each time a uniformly random document with more than
 * {@code length} tokens, then a random start in it. Documents of which none is long enough are joined into a
 * stream instead (the windows say which way they were drawn). The random draws use {@link SplittableRandom}
 * seeded with the settings' seed, so the windows, not Python's, are reproducible.
 */
public final class CalibrationSampler {

    /** The set the engine ships, and the default source. */
    public static final String NATURAL_ENGLISH = NaturalEnglish.NAME;

    /** Characters of a built-in set per token needed: generous, so windows rarely overlap. */
    static final int CHARS_PER_NEEDED_TOKEN = 8;
    private static final String DOCUMENT_SEPARATOR = "\n\n";
    private static final JsonMapper JSON = new JsonMapper();

    private final Map<String, CalibrationSet> builtIn = new LinkedHashMap<>();

    /** A sampler whose built-in sets are {@value #NATURAL_ENGLISH} and {@code more}. */
    public CalibrationSampler(List<? extends CalibrationSet> more) {
        builtIn.put(NATURAL_ENGLISH, new NaturalEnglish());
        for (CalibrationSet set : more) {
            if (builtIn.putIfAbsent(set.name(), set) != null) {
                throw new IllegalArgumentException("two built-in calibration sets named '" + set.name() + "'");
            }
        }
    }

    /** A sampler with the engine's own built-in set, {@value #NATURAL_ENGLISH}. */
    public CalibrationSampler() {
        this(List.of());
    }

    /** The names a {@link CalibrationSource.BuiltIn} may give, the default first. */
    public List<String> builtInNames() {
        return List.copyOf(builtIn.keySet());
    }

    /**
     * The longest window {@code config}'s model runs: its {@code max_position_embeddings}, or a sliding window when
     * one is narrower (the engine attends within a window only when the sequence fits it).
     */
    public static int context(ModelConfig config) {
        int context = config.maxPositionEmbeddings();
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            int window = config.attentionWindow(layer);
            if (window > 0) {
                context = Math.min(context, window);
            }
        }
        return context;
    }

    /**
     * Windows from {@code source} as {@code settings} ask (how many, how long, the seed), of at most {@code context}
     * tokens, encoded by {@code tokenizer}.
     */
    public CalibrationWindows sample(Tokenizer tokenizer, CalibrationSource source, Calibration settings, int context)
            throws IOException {
        int length = Math.min(settings.seqlen(), context);
        return switch (source) {
            case CalibrationSource.TextFile f -> fromStream(tokenizer.encode(readText(f.path()), true), settings, length,
                    source.describe());
            case CalibrationSource.JsonLines j -> fromDocuments(tokenizer, readDocuments(j), settings, length,
                    source.describe());
            case CalibrationSource.BuiltIn b -> fromStream(tokenizer.encode(builtIn(b.name(), settings, length), true),
                    settings, length, source.describe());
        };
    }

    private static CalibrationWindows fromStream(int[] tokens, Calibration settings, int length, String source) {
        if (tokens.length <= length) {
            throw new PruneProblemException(new PruneProblem("calibration.source", source + " has " + tokens.length
                    + " tokens, not more than the window of " + length + "; give more text or a smaller seqlen"));
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        List<int[]> windows = new ArrayList<>();
        for (int s = 0; s < settings.nsamples(); s++) {
            int start = random.nextInt(tokens.length - length);
            windows.add(java.util.Arrays.copyOfRange(tokens, start, start + length));
        }
        return new CalibrationWindows(windows, source, "stream", settings.seed());
    }

    /**
     * The official C4 draw: a random document until one has more than {@code length} tokens, then a random start.
     * Documents are encoded when first drawn; one found too short leaves the pool, so the draw ends even when none
     * is long enough (then the documents are joined into a stream).
     */
    private static CalibrationWindows fromDocuments(Tokenizer tokenizer, List<String> documents,
                                                    Calibration settings, int length, String source) {
        SplittableRandom random = new SplittableRandom(settings.seed());
        Map<Integer, int[]> encoded = new HashMap<>();
        int[] pool = java.util.stream.IntStream.range(0, documents.size()).toArray();
        int poolSize = pool.length;
        List<int[]> windows = new ArrayList<>();
        while (windows.size() < settings.nsamples() && poolSize > 0) {
            int slot = random.nextInt(poolSize);
            int doc = pool[slot];
            int[] tokens = encoded.computeIfAbsent(doc, d -> tokenizer.encode(documents.get(d), true));
            if (tokens.length <= length) {
                pool[slot] = pool[--poolSize];
                continue;
            }
            int start = random.nextInt(tokens.length - length);
            windows.add(java.util.Arrays.copyOfRange(tokens, start, start + length));
        }
        if (windows.size() == settings.nsamples()) {
            return new CalibrationWindows(windows, source, "documents", settings.seed());
        }
        String joined = String.join(DOCUMENT_SEPARATOR, documents);
        return fromStream(tokenizer.encode(joined, true), settings, length, source);
    }

    private String builtIn(String name, Calibration settings, int length) {
        CalibrationSet set = builtIn.get(name);
        if (set == null) {
            throw new PruneProblemException(new PruneProblem("calibration.source", "unknown built-in set '"
                    + name + "' (known: " + String.join(", ", builtInNames()) + ")"));
        }
        return set.text((long) settings.nsamples() * (length + 1) * CHARS_PER_NEEDED_TOKEN);
    }

    private static String readText(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "calibration text file not found");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** The {@code field} string of every non-blank line; a line that is not an object with that string is an error. */
    static List<String> readDocuments(CalibrationSource.JsonLines source) throws IOException {
        Path file = source.path();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "calibration JSON-lines file not found");
        }
        List<String> documents = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JacksonException e) {
                    throw new IOException(file + " line " + number + ": not JSON: " + e.getOriginalMessage(), e);
                }
                JsonNode text = node == null ? null : node.get(source.field());
                if (text == null || !text.isString()) {
                    throw new IOException(file + " line " + number + ": no string field '" + source.field() + "'");
                }
                documents.add(text.stringValue());
            }
        }
        if (documents.isEmpty()) {
            throw new IOException(file + ": no documents (every line is blank)");
        }
        return documents;
    }
}
