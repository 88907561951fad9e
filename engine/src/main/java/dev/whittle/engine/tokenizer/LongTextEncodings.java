package dev.whittle.engine.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The encodings of a few long texts (a perplexity corpus: WikiText-2's test split is 445k tokens, seconds to
 * encode), kept for the life of the process and shared by every {@link Tokenizer} loaded from the same files, so
 * that each evaluation of a model after the first does not encode its corpus again. Keyed by the tokenizer's
 * fingerprint (its files and special-token settings), whether special tokens were added, and the text itself.
 */
final class LongTextEncodings {

    /** Texts shorter than this are encoded each time: they cost less than keeping them. */
    static final int MIN_CHARS = 100_000;
    private static final int ENTRIES = 4;

    private record Key(String tokenizer, boolean addSpecial, String text) {
    }

    private static final Map<Key, int[]> CACHE = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, int[]> eldest) {
            return size() > ENTRIES;
        }
    };

    private LongTextEncodings() {
    }

    /** The cached ids (a copy) of {@code text}, encoding it with {@code encode} the first time. */
    static int[] get(String fingerprint, boolean addSpecial, String text, Supplier<int[]> encode) {
        Key key = new Key(fingerprint, addSpecial, text);
        int[] ids;
        synchronized (CACHE) {
            ids = CACHE.get(key);
        }
        if (ids == null) {
            ids = encode.get();
            synchronized (CACHE) {
                CACHE.put(key, ids);
            }
        }
        return Arrays.copyOf(ids, ids.length);
    }
}
