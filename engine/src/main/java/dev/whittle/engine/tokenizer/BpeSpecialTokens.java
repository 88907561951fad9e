package dev.whittle.engine.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The special tokens of a trained byte-level BPE tokenizer and their roles. A token may fill several roles
 * (GPT-2 uses {@code <|endoftext|>} as bos, eos and unk); each distinct token gets one id, in the order bos, eos,
 * pad, unk, then {@code additional}, before the 256 byte symbols.
 *
 * @param unk written to tokenizer_config.json for loaders that want one; byte-level BPE never produces it
 */
public record BpeSpecialTokens(String bos, String eos, String pad, String unk, List<String> additional) {

    /** The end-of-text marker that separates training documents. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    public BpeSpecialTokens {
        requireToken("bos", bos);
        requireToken("eos", eos);
        requireToken("pad", pad);
        requireToken("unk", unk);
        additional = List.copyOf(Objects.requireNonNull(additional, "additional"));
        additional.forEach(token -> requireToken("additional", token));
    }

    private static void requireToken(String role, String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("special token '" + role + "' must be a non-empty string");
        }
    }

    /**
     * GPT-2 conventions for a decoder trained on documents separated by {@code <|endoftext|>}: that marker is bos,
     * eos and unk, so a prompt that starts with bos looks like the start of a training document; padding has its
     * own token so that a pad id never hides a real end of text.
     */
    public static BpeSpecialTokens endOfText() {
        return new BpeSpecialTokens(END_OF_TEXT, END_OF_TEXT, "<|pad|>", END_OF_TEXT, List.of());
    }

    /** The distinct tokens in id order (id = index). */
    public List<String> ordered() {
        LinkedHashSet<String> distinct = new LinkedHashSet<>(List.of(bos, eos, pad, unk));
        distinct.addAll(additional);
        return new ArrayList<>(distinct);
    }
}
