package dev.whittle.engine.generate;

import java.util.List;

/**
 * Where generated text must end because a stop string appeared, and how much of it is safe to show while
 * generating: text that might be the start of a stop string is held back until the next tokens decide.
 */
public record StopStrings(List<String> strings) {

    public StopStrings {
        strings = List.copyOf(strings);
        for (String s : strings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
    }

    public static StopStrings none() {
        return new StopStrings(List.of());
    }

    /** The index where the earliest stop string starts in {@code text} (searching from {@code from}), or -1. */
    public int firstMatch(String text, int from) {
        int best = -1;
        for (String s : strings) {
            int at = text.indexOf(s, Math.max(0, from));
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The longest prefix of {@code text} that cannot turn into a stop string however the text continues. */
    public int safeLength(String text) {
        int held = 0;
        for (String s : strings) {
            for (int len = Math.min(s.length() - 1, text.length()); len > held; len--) {
                if (text.endsWith(s.substring(0, len))) {
                    held = len;
                    break;
                }
            }
        }
        return text.length() - held;
    }
}
