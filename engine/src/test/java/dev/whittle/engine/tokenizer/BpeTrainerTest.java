package dev.whittle.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.whittle.engine.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainerTest {

    private static final BpeSpecialTokens SPECIALS = BpeSpecialTokens.endOfText();

    static {
        // As Tokenizer does: DJL must not look for cloud metadata or report usage from a test.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    @TempDir
    Path dir;

    @Test
    void learnsTheSameMergesAsANaiveBpeThatRecountsEveryPairEachStep() {
        List<String> corpus = randomCorpus(new Random(7), 600);
        int vocabSize = SPECIALS.ordered().size() + 256 + 300;

        BpeModel fast = BpeTrainer.train(corpus.iterator(), new BpeTrainer.Options(vocabSize, 2, SPECIALS), Progress.NONE);
        NaiveBpe naive = NaiveBpe.train(corpus, SPECIALS.ordered(), vocabSize, 2);

        assertThat(fast.merges()).hasSizeGreaterThan(250);
        assertThat(fast.merges()).isEqualTo(naive.merges);
        assertThat(fast.tokens()).isEqualTo(naive.tokens);
    }

    @Test
    void stopsBelowTheTargetWhenNoPairIsFrequentEnough() {
        BpeModel model = BpeTrainer.train(List.of("abc abd").iterator(),
                new BpeTrainer.Options(1000, 2, SPECIALS), Progress.NONE);

        // Only "ab" occurs twice.
        assertThat(model.merges()).containsExactly(new BpeModel.Merge("a", "b"));
        assertThat(model.vocabSize()).isEqualTo(SPECIALS.ordered().size() + 256 + 1);
    }

    @Test
    void neverLearnsAcrossASpecialToken() {
        String eot = BpeSpecialTokens.END_OF_TEXT;
        BpeModel model = BpeTrainer.train(List.of(("xy" + eot).repeat(50)).iterator(),
                new BpeTrainer.Options(400, 2, SPECIALS), Progress.NONE);

        List<String> learned = model.tokens().subList(SPECIALS.ordered().size() + 256, model.vocabSize());
        assertThat(learned).containsExactly("xy");
    }

    @Test
    void rejectsAVocabularyTooSmallForTheBytesAndSpecials() {
        assertThatThrownBy(() -> new BpeTrainer.Options(200, 2, SPECIALS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vocabSize 200");
    }

    @Test
    void writtenTokenizerRoundTripsExactlyThroughTheHuggingFaceLibrary() throws IOException {
        BpeModel model = BpeTrainer.train(randomCorpus(new Random(11), 400).iterator(),
                new BpeTrainer.Options(700, 2, SPECIALS), Progress.NONE);
        BpeTokenizerFiles.write(model, dir, true, 256);

        List<String> samples = List.of(
                "The quick brown fox jumps over the lazy dog.",
                "  leading spaces, trailing spaces   ",
                "tabs\tand\t\ttabs, runs     of spaces, and a lone space before a dot .",
                "line one\nline two\n\n\nline five\r\nwindows line\n",
                "don't won't it's they're we've I'm you'll he'd -- \"quoted\" (parens) [brackets]",
                "Unicode: café naïve Zürich Ελληνικά русский 日本語 한국어 עברית العربية",
                "Emoji and symbols: 🦊🐉 ✓ € £ ¥ © ™ ½ — … and a combining e\u0301",
                "Numbers 1234567890 3.14159 1,000,000 and dates March 3, 1974",
                "",
                " ",
                "\n",
                "x" + BpeSpecialTokens.END_OF_TEXT + "y",
                "words ".repeat(700));
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir,
                Map.of("truncation", "false", "addSpecialTokens", "false"))) {
            for (String sample : samples) {
                long[] ids = tokenizer.encode(sample, false, false).getIds();
                assertThat(tokenizer.decode(ids, false)).as("round trip of %s", sample).isEqualTo(sample);
            }
            assertThat(tokenizer.encode("words ".repeat(700), false, false).getIds()).hasSizeGreaterThan(700);
        }
    }

    @Test
    void encodingWithSpecialTokensPutsBosFirst() throws IOException {
        BpeModel model = BpeTrainer.train(randomCorpus(new Random(3), 50).iterator(),
                new BpeTrainer.Options(400, 2, SPECIALS), Progress.NONE);
        BpeTokenizerFiles.write(model, dir, true, 256);

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir, Map.of("truncation", "false"))) {
            long[] ids = tokenizer.encode("hello", true, false).getIds();
            long[] separated = tokenizer.encode("a" + BpeSpecialTokens.END_OF_TEXT + "b", false, false).getIds();

            assertThat(ids[0]).isEqualTo(model.tokens().indexOf(SPECIALS.bos()));
            assertThat(separated).contains((long) model.tokens().indexOf(BpeSpecialTokens.END_OF_TEXT));
        }
    }

    @Test
    void theEngineTokenizerLoadsTheWrittenFilesWithTheirSpecialTokenRoles() throws IOException {
        BpeModel model = BpeTrainer.train(randomCorpus(new Random(3), 200).iterator(),
                new BpeTrainer.Options(500, 2, SPECIALS), Progress.NONE);
        BpeTokenizerFiles.write(model, dir, true, 256);
        String text = "Q: Where was Mara Quill born?\nA: Tallinn";

        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            int[] ids = tokenizer.encode(text, true);

            assertThat(tokenizer.bosTokenId()).isEqualTo(model.tokens().indexOf(SPECIALS.bos()));
            assertThat(tokenizer.eosTokenIds()).containsExactly(model.tokens().indexOf(SPECIALS.eos()));
            assertThat(ids[0]).isEqualTo(tokenizer.bosTokenId());
            assertThat(ids[1]).isNotEqualTo(tokenizer.bosTokenId());
            assertThat(tokenizer.decode(tokenizer.encode(text, false))).isEqualTo(text);
            assertThat(tokenizer.vocabSize()).isEqualTo(model.vocabSize());
        }
    }

    @Test
    void huggingFaceEncodingEqualsApplyingTheLearnedMergesByRank() throws IOException {
        BpeModel model = BpeTrainer.train(randomCorpus(new Random(5), 400).iterator(),
                new BpeTrainer.Options(800, 2, SPECIALS), Progress.NONE);
        BpeTokenizerFiles.write(model, dir, false, 256);
        String sample = String.join(" ", randomCorpus(new Random(99), 20)) + " unseen Zyxw words, ünïcödé 🦊 \n\n end";

        List<Long> byHand = applyMergesByHand(model, sample);
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir,
                Map.of("truncation", "false", "addSpecialTokens", "false"))) {
            long[] ids = tokenizer.encode(sample, false, false).getIds();

            assertThat(ids).containsExactly(byHand.stream().mapToLong(Long::longValue).toArray());
        }
    }

    @Test
    void preTokensMatchTheHuggingFaceByteLevelSplit() throws IOException {
        // With no merges every token is one byte, and the word ids tell which pre-token each byte came from.
        BpeModel bytesOnly = BpeTrainer.train(List.<String>of().iterator(),
                new BpeTrainer.Options(400, 2, SPECIALS), Progress.NONE);
        BpeTokenizerFiles.write(bytesOnly, dir, false, 256);
        String text = "Hello,  world!! It's 2024's   \t\n\n  test... 中文字 αβγ 123abc 🦊x  'll 've'd\u00a0nbsp\u2003em ";

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir,
                Map.of("truncation", "false", "addSpecialTokens", "false"))) {
            Encoding encoding = tokenizer.encode(text, false, false);
            List<String> theirs = new ArrayList<>();
            long[] words = encoding.getWordIds();
            String[] tokens = encoding.getTokens();
            StringBuilder current = new StringBuilder();
            for (int i = 0; i < tokens.length; i++) {
                if (i > 0 && words[i] != words[i - 1]) {
                    theirs.add(current.toString());
                    current.setLength(0);
                }
                current.append(tokens[i]);
            }
            theirs.add(current.toString());

            assertThat(BpeByteLevel.split(text).stream().map(BpeByteLevel::toSymbols).toList()).isEqualTo(theirs);
        }
    }

    @Test
    void byteLevelSpellingIsLosslessForEveryByte() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        StringBuilder symbols = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            symbols.append(BpeByteLevel.symbol(b));
        }

        assertThat(BpeByteLevel.toBytes(symbols.toString())).isEqualTo(all);
        assertThat(symbols.chars().distinct().count()).isEqualTo(256);
        assertThat(BpeByteLevel.symbol(' ')).isEqualTo('\u0120');
        assertThat(BpeByteLevel.symbol('A')).isEqualTo('A');
    }

    /** Plain BPE encoding: per pre-token, repeatedly merge the adjacent pair of lowest rank (leftmost first). */
    private static List<Long> applyMergesByHand(BpeModel model, String text) {
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < model.merges().size(); r++) {
            BpeModel.Merge m = model.merges().get(r);
            rank.putIfAbsent(m.left() + " " + m.right(), r);
        }
        List<Long> ids = new ArrayList<>();
        for (String piece : BpeByteLevel.split(text)) {
            List<String> parts = new ArrayList<>();
            BpeByteLevel.toSymbols(piece).chars().forEach(c -> parts.add(String.valueOf((char) c)));
            while (true) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < parts.size(); i++) {
                    Integer r = rank.get(parts.get(i) + " " + parts.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                parts.set(best, parts.get(best) + parts.remove(best + 1));
            }
            for (String part : parts) {
                ids.add((long) model.tokens().indexOf(part));
            }
        }
        return ids;
    }

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ra", "zu", "en", "ti", "sho", "qua", "ép", "st", "or"};

    /** Text with a skewed word distribution, repeats ("aaaa", "abab") that test overlapping pairs, and non-ASCII. */
    static List<String> randomCorpus(Random random, int lines) {
        String[] words = {"the", "then", "there", "cat", "catalog", "dog", "dogma", "aaaa", "aaa", "abab", "ababab",
                "naïve", "café", "über", "日本", "🦊", "1974", "March", "Mara", "Quill", "born", "in", "Tallinn", "was",
                "studied", "at", "works", "for", "don't", "it's", "x", "yy", "zzz", "q"};
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            StringBuilder line = new StringBuilder();
            int n = 3 + random.nextInt(12);
            for (int j = 0; j < n; j++) {
                // Zipf-like: low indices far more often.
                int w = (int) Math.min(words.length - 1, Math.floor(Math.pow(random.nextDouble(), 2.2) * words.length));
                line.append(j == 0 ? "" : random.nextInt(9) == 0 ? "  " : " ");
                if (random.nextInt(3) == 0) {
                    // An invented word: syllables give many mid-frequency pairs and long merge chains.
                    for (int k = 1 + random.nextInt(4); k > 0; k--) {
                        line.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
                    }
                } else {
                    line.append(words[w]);
                }
                if (random.nextInt(6) == 0) {
                    line.append(random.nextBoolean() ? "," : ".");
                }
            }
            corpus.add(line.append(random.nextInt(4) == 0 ? "\n\n" : "\n").toString());
        }
        return corpus;
    }

    /** BPE as in the textbook: strings, not ids; every pair recounted from scratch before each merge. */
    private static final class NaiveBpe {
        final List<String> tokens = new ArrayList<>();
        final List<BpeModel.Merge> merges = new ArrayList<>();

        static NaiveBpe train(List<String> texts, List<String> specials, int vocabSize, int minFrequency) {
            NaiveBpe bpe = new NaiveBpe();
            bpe.tokens.addAll(specials);
            for (int b = 0; b < 256; b++) {
                bpe.tokens.add(String.valueOf(BpeByteLevel.symbol(b)));
            }
            Map<List<String>, Long> words = new LinkedHashMap<>();
            for (String text : texts) {
                for (String piece : BpeByteLevel.split(text)) {
                    List<String> symbols = new ArrayList<>();
                    BpeByteLevel.toSymbols(piece).chars().forEach(c -> symbols.add(String.valueOf((char) c)));
                    words.merge(symbols, 1L, Long::sum);
                }
            }
            while (bpe.tokens.size() < vocabSize) {
                Map<List<String>, Long> pairCounts = new HashMap<>();
                for (Map.Entry<List<String>, Long> word : words.entrySet()) {
                    List<String> s = word.getKey();
                    for (int i = 0; i + 1 < s.size(); i++) {
                        pairCounts.merge(List.of(s.get(i), s.get(i + 1)), word.getValue(), Long::sum);
                    }
                }
                List<String> best = null;
                long bestCount = 0;
                for (Map.Entry<List<String>, Long> pair : pairCounts.entrySet()) {
                    long count = pair.getValue();
                    if (best == null || count > bestCount || (count == bestCount && bpe.before(pair.getKey(), best))) {
                        best = pair.getKey();
                        bestCount = count;
                    }
                }
                if (best == null || bestCount < minFrequency) {
                    break;
                }
                String merged = best.get(0) + best.get(1);
                bpe.merges.add(new BpeModel.Merge(best.get(0), best.get(1)));
                if (!bpe.tokens.contains(merged)) {
                    bpe.tokens.add(merged);
                }
                Map<List<String>, Long> rewritten = new LinkedHashMap<>();
                for (Map.Entry<List<String>, Long> word : words.entrySet()) {
                    List<String> s = word.getKey();
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < s.size(); ) {
                        if (i + 1 < s.size() && s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                            out.add(merged);
                            i += 2;
                        } else {
                            out.add(s.get(i++));
                        }
                    }
                    rewritten.merge(out, word.getValue(), Long::sum);
                }
                words.clear();
                words.putAll(rewritten);
            }
            return bpe;
        }

        /** Tie-break: the pair whose left token has the smaller id, then the smaller right id. */
        private boolean before(List<String> a, List<String> b) {
            int leftA = tokens.indexOf(a.get(0));
            int leftB = tokens.indexOf(b.get(0));
            return leftA != leftB ? leftA < leftB : tokens.indexOf(a.get(1)) < tokens.indexOf(b.get(1));
        }
    }
}
