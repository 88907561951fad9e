package dev.whittle.engine.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained byte-level BPE vocabulary: the special tokens (ids 0..k-1), the 256 byte symbols (ids k..k+255, in
 * byte order) and the merged tokens, with the merges in the order they were learned (their rank). Tokens are
 * written in the byte-level alphabet of {@link BpeByteLevel}, as in tokenizer.json.
 *
 * @param tokens every token, indexed by id
 * @param merges the learned merges, rank = index; each joins two existing tokens into one in {@code tokens}
 */
public record BpeModel(BpeSpecialTokens specials, List<String> tokens, List<Merge> merges) {

    /** One merge rule: the adjacent tokens {@code left right} become {@code left + right}. */
    public record Merge(String left, String right) {
        public String merged() {
            return left + right;
        }
    }

    public BpeModel {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (ids.putIfAbsent(tokens.get(id), id) != null) {
                throw new IllegalArgumentException("token '" + tokens.get(id) + "' appears twice in the vocabulary");
            }
        }
        List<String> expectedSpecials = specials.ordered();
        if (!tokens.subList(0, Math.min(tokens.size(), expectedSpecials.size())).equals(expectedSpecials)) {
            throw new IllegalArgumentException("the vocabulary must start with the special tokens " + expectedSpecials);
        }
        for (Merge merge : merges) {
            if (!ids.containsKey(merge.left()) || !ids.containsKey(merge.right()) || !ids.containsKey(merge.merged())) {
                throw new IllegalArgumentException("merge '" + merge.left() + " " + merge.right()
                        + "' uses or makes a token that is not in the vocabulary");
            }
        }
    }

    public int vocabSize() {
        return tokens.size();
    }
}
