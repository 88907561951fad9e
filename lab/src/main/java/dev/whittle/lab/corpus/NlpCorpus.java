package dev.whittle.lab.corpus;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the npm package {@code nlp-corpus}: English sentences from many registers (fiction, transcripts,
 * forums, legal text, messages), in {@code builds/doc-N.json} files that each hold a JSON array of strings.
 */
public final class NlpCorpus {

    private static final Pattern FILE_NAME = Pattern.compile("doc-(\\d+)\\.json");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private NlpCorpus() {
    }

    /** The {@code builds/doc-N.json} files of the package in {@code directory}, by N; throws when there are none. */
    public static List<Path> files(Path directory) {
        Path builds = directory.resolve("builds");
        if (!Files.isDirectory(builds)) {
            throw new IllegalArgumentException("no builds/ folder in the nlp-corpus directory " + directory);
        }
        try (Stream<Path> entries = Files.list(builds)) {
            List<Path> files = entries.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(NlpCorpus::number)).toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no doc-N.json files in " + builds);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + builds, e);
        }
    }

    /** The sentences of one file, trimmed, blank ones dropped, line ends as {@code \n}. */
    public static List<String> sentences(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot read " + file + " as JSON: " + e.getOriginalMessage(), e);
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException(file + " must hold a JSON array of sentences");
        }
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            if (!node.isString()) {
                throw new IllegalArgumentException(file + " element " + i + " is not a string");
            }
            String sentence = node.asString().replace("\r\n", "\n").strip();
            if (!sentence.isEmpty()) {
                sentences.add(sentence);
            }
        }
        return sentences;
    }

    private static int number(Path file) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }
}
