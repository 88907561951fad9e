package dev.whittle.engine.eval.metric;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SQuAD's answer normalisation ({@code normalize_answer} of the official v1.1/v2.0 evaluation script): lower case,
 * remove ASCII punctuation, remove the articles a/an/the, collapse white space. Punctuation is deleted, not replaced
 * by a space ("rock-n-roll" becomes "rocknroll"), exactly as the script does.
 */
public final class AnswerNormalizer {

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private AnswerNormalizer() {
    }

    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        String withoutArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return String.join(" ", tokens(withoutArticles));
    }

    /** The normalised text split into words (empty for a text that normalises to nothing). */
    public static List<String> normalizedTokens(String text) {
        return tokens(normalize(text));
    }

    private static List<String> tokens(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? List.of() : List.of(WHITE_SPACE.split(stripped));
    }
}
