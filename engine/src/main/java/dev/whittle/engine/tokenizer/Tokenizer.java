package dev.whittle.engine.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.whittle.engine.io.ModelFormatException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model folder's tokenizer: {@code tokenizer.json} run by the Hugging Face tokenizers library (through DJL,
 * offline), with bos/eos handling as transformers does it. Truncation and padding are always off (DJL would
 * otherwise cut every text at 512 tokens without saying so).
 *
 * <p>Special tokens: {@code encode(text, true)} applies tokenizer.json's post-processor and then honours
 * tokenizer_config.json's {@code add_bos_token}/{@code add_eos_token} where they are given (Llama's fast
 * tokenizer rebuilds its post-processor from them the same way). {@link #eosTokenIds()} gathers every end id
 * of config.json, generation_config.json and tokenizer_config.json.
 *
 * <p>Thread-safe for encoding and decoding; {@link #close()} frees the native tokenizer.
 */
public final class Tokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";

    private static final JsonMapper JSON = new JsonMapper();

    static {
        // DJL would otherwise look for EC2 metadata and report usage over the network; Whittle runs offline.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final Path file;
    private final HuggingFaceTokenizer hf;
    private final Integer bosTokenId;
    private final Set<Integer> eosTokenIds;
    private final Set<Integer> specialIds;
    private final int vocabSize;
    /** Whether tokenizer.json's post-processor already adds bos / eos. */
    private final boolean postProcessorAddsBos;
    private final boolean postProcessorAddsEos;
    private final boolean addBos;
    private final boolean addEos;
    private volatile String fingerprint;

    private Tokenizer(Path file, HuggingFaceTokenizer hf, TokenizerSettings settings, Vocabulary vocabulary) {
        this.file = file;
        this.hf = hf;
        this.vocabSize = vocabulary.size();
        this.specialIds = vocabulary.specialIds();
        Integer bos = settings.bosTokenId();
        if (bos == null && settings.bosToken() != null) {
            bos = vocabulary.idOf(settings.bosToken());
        }
        this.bosTokenId = bos;
        Set<Integer> eos = new LinkedHashSet<>(settings.eosTokenIds());
        if (settings.eosToken() != null && vocabulary.idOf(settings.eosToken()) != null) {
            eos.add(vocabulary.idOf(settings.eosToken()));
        }
        this.eosTokenIds = Set.copyOf(eos);
        long[] probe = hf.encode("a", true, false).getIds();
        long[] plain = hf.encode("a", false, false).getIds();
        this.postProcessorAddsBos = bos != null && probe.length > plain.length && probe[0] == bos;
        this.postProcessorAddsEos = !eos.isEmpty() && probe.length > plain.length && eos.contains((int) probe[probe.length - 1]);
        this.addBos = settings.addBosToken() != null ? settings.addBosToken() && bos != null : postProcessorAddsBos;
        this.addEos = settings.addEosToken() != null ? settings.addEosToken() && !eos.isEmpty() : postProcessorAddsEos;
    }

    /** Loads {@code dir/tokenizer.json} with the special-token settings of the folder's config files. */
    public static Tokenizer load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + FILE_NAME + " (Whittle reads Hugging Face fast tokenizers only)");
        }
        Vocabulary vocabulary = Vocabulary.read(file);
        TokenizerSettings settings = TokenizerSettings.read(dir);
        Map<String, String> options = new HashMap<>();
        options.put("truncation", "false");
        options.put("padding", "false");
        options.put("addSpecialTokens", "true");
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(file, options);
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, null, "the tokenizers library cannot load it: " + e.getMessage(), e);
        }
        try {
            vocabulary.checkAddedTokenIds(file, hf);
            return new Tokenizer(file, hf, settings, vocabulary);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /**
     * Token ids of {@code text}; with {@code addSpecial}, the bos/eos the model expects around it. A long text's ids
     * are kept for the next tokenizer of the same files that encodes it ({@link LongTextEncodings}).
     */
    public int[] encode(String text, boolean addSpecial) {
        if (text.length() >= LongTextEncodings.MIN_CHARS) {
            return LongTextEncodings.get(fingerprint(), addSpecial, text, () -> encodeNow(text, addSpecial));
        }
        return encodeNow(text, addSpecial);
    }

    /** What decides the ids of a text: the tokenizer file's content and the special-token settings. */
    private String fingerprint() {
        if (fingerprint == null) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
                fingerprint = java.util.HexFormat.of().formatHex(digest) + "|" + bosTokenId + "|" + eosTokenIds + "|"
                        + addBos + addEos + postProcessorAddsBos + postProcessorAddsEos;
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                // Without a fingerprint nothing is shared: this instance's identity keys its own entries.
                fingerprint = "instance " + System.identityHashCode(this);
            }
        }
        return fingerprint;
    }

    private int[] encodeNow(String text, boolean addSpecial) {
        Encoding encoding = hf.encode(text, addSpecial, false);
        long[] ids = encoding.getIds();
        int from = 0;
        int to = ids.length;
        if (addSpecial && postProcessorAddsBos && !addBos && to > 0 && ids[0] == bosTokenId) {
            from = 1;
        }
        if (addSpecial && postProcessorAddsEos && !addEos && to > from && eosTokenIds.contains((int) ids[to - 1])) {
            to--;
        }
        boolean prependBos = addSpecial && addBos && !postProcessorAddsBos;
        boolean appendEos = addSpecial && addEos && !postProcessorAddsEos;
        int[] out = new int[(to - from) + (prependBos ? 1 : 0) + (appendEos ? 1 : 0)];
        int k = 0;
        if (prependBos) {
            out[k++] = bosTokenId;
        }
        for (int i = from; i < to; i++) {
            out[k++] = Math.toIntExact(ids[i]);
        }
        if (appendEos) {
            out[k] = eosTokenIds.iterator().next();
        }
        return out;
    }

    /** The text of {@code ids}, special tokens included (as transformers' {@code decode} by default). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}, leaving out special tokens (bos, eos, ...) if asked. Ids the tokenizer does not
     * know (a model's vocab_size may exceed the tokenizer's: padding rows) decode to nothing, as in transformers.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] wide = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException(file + ": negative token id " + id);
            }
            if (id < vocabSize) {
                wide[n++] = id;
            }
        }
        return hf.decode(n == ids.length ? wide : java.util.Arrays.copyOf(wide, n), skipSpecialTokens);
    }

    /** A decoder for streaming generation that emits text only once its UTF-8 characters are complete. */
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** The id of bos, or null if the model has none. */
    public Integer bosTokenId() {
        return bosTokenId;
    }

    /** Every end-of-sequence id; generation stops at any of them. */
    public Set<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    public boolean isEos(int id) {
        return eosTokenIds.contains(id);
    }

    /** Whether {@code encode(text, true)} puts bos in front. */
    public boolean addsBos() {
        return addBos;
    }

    /** Ids of special (added) tokens. */
    public Set<Integer> specialTokenIds() {
        return specialIds;
    }

    /** One more than the largest id the tokenizer knows (config.json's vocab_size may be larger: padding rows). */
    public int vocabSize() {
        return vocabSize;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        hf.close();
    }

    /** The ids tokenizer.json defines: the model's vocabulary and the added tokens. */
    record Vocabulary(Map<String, Integer> ids, Set<Integer> specialIds, Map<String, Integer> addedTokens, int size) {

        /**
         * The tokenizers library gives an added token the model's vocabulary does not contain the next free id,
         * whatever id tokenizer.json declares; a file where the two disagree would silently shift special ids.
         */
        void checkAddedTokenIds(Path file, HuggingFaceTokenizer hf) {
            for (Map.Entry<String, Integer> added : addedTokens.entrySet()) {
                long[] actual = hf.encode(added.getKey(), false, false).getIds();
                if (actual.length == 1 && actual[0] != added.getValue()) {
                    throw new ModelFormatException(file, "added_tokens." + added.getKey(), "declared with id "
                            + added.getValue() + " but the tokenizer assigns it id " + actual[0]
                            + " (an added token outside model.vocab must follow the vocabulary's last id)");
                }
            }
        }

        Integer idOf(String token) {
            return ids.get(token);
        }

        static Vocabulary read(Path file) throws IOException {
            JsonNode root;
            try {
                root = JSON.readTree(Files.readString(file));
            } catch (RuntimeException e) {
                throw new ModelFormatException(file, null, "not well-formed JSON: " + e.getMessage(), e);
            }
            Map<String, Integer> ids = new HashMap<>();
            Map<String, Integer> addedTokens = new HashMap<>();
            Set<Integer> special = new LinkedHashSet<>();
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                vocab.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
            } else if (vocab.isArray()) {
                // Unigram: [[piece, score], ...], ids by position.
                for (int i = 0; i < vocab.size(); i++) {
                    ids.put(vocab.get(i).path(0).asString(""), i);
                }
            }
            for (JsonNode added : root.path("added_tokens")) {
                int id = added.path("id").asInt();
                ids.put(added.path("content").asString(""), id);
                addedTokens.put(added.path("content").asString(""), id);
                if (added.path("special").asBoolean(false)) {
                    special.add(id);
                }
            }
            if (ids.isEmpty()) {
                throw new ModelFormatException(file, "model.vocab", "no vocabulary");
            }
            int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            return new Vocabulary(Map.copyOf(ids), Set.copyOf(special), Map.copyOf(addedTokens), size);
        }
    }

    @Override
    public String toString() {
        return "Tokenizer[" + file + ", vocab=" + vocabSize + ", bos=" + bosTokenId + ", eos=" + eosTokenIds
                + ", addsBos=" + addBos + "]";
    }
}
