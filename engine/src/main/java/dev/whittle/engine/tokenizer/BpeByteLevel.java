package dev.whittle.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 byte-level pre-tokenisation, exactly as the Hugging Face {@code ByteLevel} pre-tokenizer with
 * {@code use_regex=true, add_prefix_space=false}: text is split by the GPT-2 regex, and each piece's UTF-8 bytes
 * are written as printable characters (the byte-to-unicode table), so every string has a lossless spelling in
 * 256 base symbols and no byte needs an unknown token.
 */
public final class BpeByteLevel {

    /**
     * The GPT-2 split. {@code UNICODE_CHARACTER_CLASS} makes {@code \s} the Unicode White_Space set, as in the
     * Rust regex engine that the tokenizers library uses.
     */
    private static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // Printable Latin-1 bytes stand for themselves; the others are shifted to 256 + n in byte order (GPT-2).
        Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private BpeByteLevel() {
    }

    /** The pre-tokens of {@code text}, in order; concatenated they give back {@code text}. */
    public static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            pieces.add(m.group());
        }
        return pieces;
    }

    /** Calls {@code sink} with each pre-token of {@code text} without building a list. */
    static void split(String text, Consumer<String> sink) {
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            sink.accept(m.group());
        }
    }

    /** The symbol that stands for byte {@code b} (0..255) in vocabularies and merges. */
    public static char symbol(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte-level spelling of {@code piece}: one symbol per UTF-8 byte. */
    public static String toSymbols(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The UTF-8 bytes that a byte-level spelling stands for; throws when it holds a character outside the table. */
    public static byte[] toBytes(String symbols) {
        byte[] out = new byte[symbols.length()];
        for (int i = 0; i < out.length; i++) {
            char c = symbols.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException("character U+%04X at %d is not a byte-level symbol"
                        .formatted((int) c, i));
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
