package dev.whittle.engine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds real Hugging Face {@code tokenizer.json} files for tests: a GPT-2 style byte-level BPE with the
 * special tokens {@code <unk>}=0, {@code <s>}=1, {@code </s>}=2, the 256 byte tokens at ids 3..258, and merges
 * learned (by plain BPE counting) from a fixed English text up to the requested vocabulary size; ids beyond
 * the learnable merges are {@code <|reserved_N|>} special tokens, as Llama 3 pads its vocabulary.
 */
public final class TestTokenizers {

    public static final int UNK_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int FIRST_BYTE_ID = 3;
    /** The smallest vocabulary: three specials and 256 bytes. */
    public static final int MIN_VOCAB = 259;

    /** The text merges are learned from; tests that want short encodings use words from it. */
    public static final String TRAINING_TEXT = """
            The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs into the \
            forest. In the morning the farmer walks to the field and the birds sing in the trees. She reads a \
            book about the history of the river, the mountains and the people who lived there. Numbers like 12, \
            345 and 2024 appear in the text too. Whittle compresses language models: it prunes the weights, \
            distils the knowledge of a teacher into a student, and measures the perplexity of the result.""";

    private static final JsonMapper JSON = new JsonMapper();

    private TestTokenizers() {
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
    public static void write(Path dir, int vocabSize, boolean addBos) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(vocabSize, addBos));
        ObjectNode config = JSON.createObjectNode();
        config.put("add_bos_token", addBos);
        config.put("add_eos_token", false);
        if (addBos) {
            config.put("bos_token", "<s>");
        } else {
            config.putNull("bos_token");
        }
        config.put("eos_token", "</s>");
        config.put("unk_token", "<unk>");
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", 2048);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(config));
    }

    /** The tokenizer.json text. */
    public static String tokenizerJson(int vocabSize, boolean addBos) {
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("a byte-level tokenizer needs at least " + MIN_VOCAB + " ids, got " + vocabSize);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", UNK_ID);
        vocab.put("<s>", BOS_ID);
        vocab.put("</s>", EOS_ID);
        String[] byteChars = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(byteChars[b], FIRST_BYTE_ID + b);
        }
        List<String[]> merges = learnMerges(byteChars, vocabSize - MIN_VOCAB);
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        int reserved = 0;
        List<String> reservedTokens = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            String token = "<|reserved_" + reserved++ + "|>";
            reservedTokens.add(token);
            vocab.put(token, vocab.size());
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        addSpecial(added, UNK_ID, "<unk>");
        addSpecial(added, BOS_ID, "<s>");
        addSpecial(added, EOS_ID, "</s>");
        for (String token : reservedTokens) {
            addSpecial(added, vocab.get(token), token);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        ObjectNode post = root.putObject("post_processor");
        if (addBos) {
            post.put("type", "TemplateProcessing");
            ArrayNode single = post.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            ArrayNode pair = post.putArray("pair");
            pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            ObjectNode special = post.putObject("special_tokens").putObject("<s>");
            special.put("id", "<s>");
            special.putArray("ids").add(BOS_ID);
            special.putArray("tokens").add("<s>");
        } else {
            post.put("type", "ByteLevel");
            post.put("add_prefix_space", false);
            post.put("trim_offsets", false);
            post.put("use_regex", true);
        }
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        // Special tokens are in the model's vocabulary too (as in GPT-2's and Llama 2's tokenizer.json): the
        // tokenizers library gives an added token that the model does not know the next free id, whatever id
        // the JSON declares.
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergeNode = model.putArray("merges");
        merges.forEach(m -> mergeNode.add(m[0] + " " + m[1]));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void addSpecial(ArrayNode added, int id, String content) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }

    /** GPT-2's reversible map from bytes to printable characters (space becomes 'Ġ'). */
    public static String[] byteToUnicode() {
        String[] map = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = new String(Character.toChars(printable ? b : next++));
        }
        return map;
    }

    /** Plain BPE: repeatedly merge the most frequent adjacent pair (ties broken by first occurrence). */
    private static List<String[]> learnMerges(String[] byteChars, int count) {
        List<List<String>> words = new ArrayList<>();
        // Split like GPT-2 roughly does: a word keeps the space before it.
        for (String piece : TRAINING_TEXT.split("(?=[ ])|(?<=[.,:])|(?=[.,:])")) {
            List<String> symbols = new ArrayList<>();
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                symbols.add(byteChars[b & 0xFF]);
            }
            if (!symbols.isEmpty()) {
                words.add(symbols);
            }
        }
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < count) {
            Map<String, Integer> counts = new HashMap<>();
            List<String> order = new ArrayList<>();
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    String key = w.get(i) + "\u0000" + w.get(i + 1);
                    if (counts.merge(key, 1, Integer::sum) == 1) {
                        order.add(key);
                    }
                }
            }
            String best = null;
            for (String key : order) {
                if (best == null || counts.get(key) > counts.get(best)) {
                    best = key;
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split("\u0000");
            merges.add(pair);
            String joined = pair[0] + pair[1];
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i).equals(pair[0]) && w.get(i + 1).equals(pair[1])) {
                        w.set(i, joined);
                        w.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
