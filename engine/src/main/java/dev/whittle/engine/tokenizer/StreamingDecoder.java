package dev.whittle.engine.tokenizer;

import java.util.Arrays;

/**
 * Turns generated ids into text as they arrive. A byte-level token can end in the middle of a UTF-8 character
 * (and sentencepiece-style decoders change a token's text depending on what precedes it), so each new token is
 * decoded together with the few tokens before it, and text is released only when it grew and does not end in
 * an incomplete character (U+FFFD), the way text-generation-inference streams. Not thread-safe.
 */
public final class StreamingDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int length;
    /** Start of the context re-decoded with new tokens. */
    private int prefixOffset;
    /** End of the tokens whose text has been released. */
    private int readOffset;

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one generated id; returns the text it completes (often "", sometimes several characters). */
    public String push(int id) {
        if (length == ids.length) {
            ids = Arrays.copyOf(ids, length * 2);
        }
        ids[length++] = id;
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecialTokens);
        String now = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, length), skipSpecialTokens);
        if (now.length() > before.length() && now.charAt(now.length() - 1) != REPLACEMENT) {
            prefixOffset = readOffset;
            readOffset = length;
            return now.substring(before.length());
        }
        return "";
    }

    /** Releases whatever is still held back (an incomplete character comes out as U+FFFD). */
    public String finish() {
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecialTokens);
        String now = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, length), skipSpecialTokens);
        prefixOffset = readOffset = length;
        return now.length() > before.length() ? now.substring(before.length()) : "";
    }

    /** Every id pushed so far. */
    public int[] ids() {
        return Arrays.copyOf(ids, length);
    }
}
