package dev.whittle.lab.corpus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Natural English for the reference corpus as passages of clean running text: Brown Corpus files cut at
 * paragraph boundaries (paragraphs separated by a blank line), and nlp-corpus sentences packed one per line.
 * Never the WikiText-2 test text, which stays for evaluation.
 */
public final class NaturalText {

    /** About two 256-token windows of English; passages are cut here so documents mix finely. */
    public static final int DEFAULT_PASSAGE_CHARS = 2000;

    private NaturalText() {
    }

    /** Brown passages then nlp-corpus passages, from a present cache. */
    public static List<String> passages(NaturalTextCache cache, int maxChars) {
        cache.requirePresent();
        List<String> passages = new ArrayList<>(brownPassages(cache.brownDirectory(), maxChars));
        passages.addAll(nlpCorpusPassages(cache.nlpCorpusDirectory(), maxChars));
        return passages;
    }

    /** Each Brown file in name order, cut into passages of whole paragraphs. */
    public static List<String> brownPassages(Path brownDirectory, int maxChars) {
        List<String> passages = new ArrayList<>();
        for (Path file : BrownCorpus.files(brownDirectory)) {
            passages.addAll(pack(BrownCorpus.paragraphs(file), "\n\n", maxChars));
        }
        return passages;
    }

    /** Each nlp-corpus file in order, its sentences packed one per line into passages. */
    public static List<String> nlpCorpusPassages(Path nlpCorpusDirectory, int maxChars) {
        List<String> passages = new ArrayList<>();
        for (Path file : NlpCorpus.files(nlpCorpusDirectory)) {
            passages.addAll(pack(NlpCorpus.sentences(file), "\n", maxChars));
        }
        return passages;
    }

    /**
     * Joins consecutive units with {@code separator} into passages of at most {@code maxChars}; a unit longer
     * than that is a passage of its own, never cut.
     */
    static List<String> pack(List<String> units, String separator, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be positive, got " + maxChars);
        }
        List<String> passages = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String unit : units) {
            if (!current.isEmpty() && current.length() + separator.length() + unit.length() > maxChars) {
                passages.add(current.toString());
                current.setLength(0);
            }
            if (!current.isEmpty()) {
                current.append(separator);
            }
            current.append(unit);
        }
        if (!current.isEmpty()) {
            passages.add(current.toString());
        }
        return passages;
    }
}
