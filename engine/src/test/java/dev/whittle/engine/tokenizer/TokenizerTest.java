package dev.whittle.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.whittle.engine.testing.TestTokenizers;

/** The tokenizer on real tokenizer.json files built by {@link TestTokenizers} (byte-level BPE, GPT-2 layout). */
class TokenizerTest {

    @TempDir
    Path dir;

    private Tokenizer tokenizer(int vocab, boolean postProcessorAddsBos) throws IOException {
        TestTokenizers.write(dir, vocab, postProcessorAddsBos);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        return Tokenizer.load(dir);
    }

    private void setAddBosToken(boolean value) throws IOException {
        Path config = dir.resolve("tokenizer_config.json");
        Files.writeString(config, Files.readString(config).replaceAll("\"add_bos_token\" : (true|false)",
                "\"add_bos_token\" : " + value));
    }

    @Test
    void textSurvivesEncodeAndDecodeWhateverItsCharacters() throws IOException {
        String text = "The quick brown fox, naïve café — 世界 🎉 and\ttabs\nnew lines.";
        try (Tokenizer t = tokenizer(400, true)) {
            assertThat(t.decode(t.encode(text, false))).isEqualTo(text);
            assertThat(t.decode(t.encode(text, true), true)).isEqualTo(text);
        }
    }

    @Test
    void learnedMergesMakeTrainingWordsShorterThanTheirBytes() throws IOException {
        try (Tokenizer t = tokenizer(400, false)) {
            String text = " the fox and the dog";
            int[] ids = t.encode(text, false);
            assertThat(ids.length).isLessThan(text.getBytes(StandardCharsets.UTF_8).length / 2);
            assertThat(t.vocabSize()).isEqualTo(400);
        }
    }

    @Test
    void aLongTextIsNeverTruncated() throws IOException {
        String text = "z".repeat(1) + " 7".repeat(3000);
        try (Tokenizer t = tokenizer(259, false)) {
            int[] ids = t.encode(text, true);
            assertThat(ids.length).isEqualTo(text.length());
            assertThat(t.decode(ids)).isEqualTo(text);
        }
    }

    @Test
    void aLlamaStyleTokenizerPutsBosInFrontOnlyWhenAskedForSpecialTokens() throws IOException {
        try (Tokenizer t = tokenizer(300, true)) {
            assertThat(t.addsBos()).isTrue();
            int[] withSpecial = t.encode("hello", true);
            int[] without = t.encode("hello", false);
            assertThat(withSpecial[0]).isEqualTo(TestTokenizers.BOS_ID);
            assertThat(withSpecial).hasSize(without.length + 1);
            assertThat(t.decode(withSpecial)).isEqualTo("<s>hello");
            assertThat(t.decode(withSpecial, true)).isEqualTo("hello");
        }
    }

    @Test
    void aQwenStyleTokenizerAddsNothing() throws IOException {
        try (Tokenizer t = tokenizer(300, false)) {
            assertThat(t.addsBos()).isFalse();
            assertThat(t.encode("hello", true)).containsExactly(t.encode("hello", false));
        }
    }

    @Test
    void addBosTokenInTokenizerConfigOverridesThePostProcessor() throws IOException {
        TestTokenizers.write(dir, 300, false);
        setAddBosToken(true);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.encode("hi", true)[0]).isEqualTo(TestTokenizers.BOS_ID);
        }
        TestTokenizers.write(dir, 300, true);
        setAddBosToken(false);
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertThat(t.encode("hi", true)).containsExactly(t.encode("hi", false));
        }
    }

    /**
     * A long text's ids are kept for the next tokenizer of the same files: they still decode to the text, a caller
     * changing its copy changes nothing for the next one, and other special-token settings are not served them.
     */
    @Test
    void aLongTextIsEncodedAlikeByEveryTokenizerOfTheSameFilesAndSettings() throws IOException {
        String text = " the fox and the dog\n".repeat(6_000);
        TestTokenizers.write(dir, 300, false);
        setAddBosToken(true);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        int[] first;
        try (Tokenizer t = Tokenizer.load(dir)) {
            first = t.encode(text, true);
            first[1] = -1;
        }
        try (Tokenizer again = Tokenizer.load(dir)) {
            int[] ids = again.encode(text, true);
            assertThat(ids[0]).isEqualTo(TestTokenizers.BOS_ID);
            assertThat(ids[1]).isNotNegative();
            assertThat(again.decode(ids, true)).isEqualTo(text);
        }
        setAddBosToken(false);
        try (Tokenizer withoutBos = Tokenizer.load(dir)) {
            int[] ids = withoutBos.encode(text, true);
            assertThat(ids.length).isEqualTo(first.length - 1);
            assertThat(withoutBos.decode(ids, true)).isEqualTo(text);
        }
    }

    @Test
    void eosIdsAreGatheredFromEveryConfigFile() throws IOException {
        TestTokenizers.write(dir, 300, true);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 7}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": [8, 9]}");
        try (Tokenizer t = Tokenizer.load(dir)) {
            // 2 comes from tokenizer_config.json's eos_token "</s>".
            assertThat(t.eosTokenIds()).containsExactlyInAnyOrder(2, 7, 8, 9);
            assertThat(t.bosTokenId()).isEqualTo(1);
            assertThat(t.isEos(9)).isTrue();
            assertThat(t.specialTokenIds()).contains(0, 1, 2);
        }
    }

    @Test
    void aTokenizerJsonWhoseAddedTokenIdsTheLibraryWouldReassignIsRejected() throws IOException {
        TestTokenizers.write(dir, 300, true);
        Path file = dir.resolve("tokenizer.json");
        // Drop the specials from model.vocab: the library would then number them 297, 298, 299.
        Files.writeString(file, Files.readString(file).replaceFirst("\"<unk>\" : 0,\\s*\"<s>\" : 1,\\s*\"</s>\" : 2,", ""));
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(dev.whittle.engine.io.ModelFormatException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("declared with id");
    }

    @Test
    void idsBeyondTheTokenizersVocabularyDecodeToNothingAndNegativeIdsAreRefused() throws IOException {
        try (Tokenizer t = tokenizer(300, true)) {
            int[] hello = t.encode("hello", false);
            int[] padded = java.util.Arrays.copyOf(hello, hello.length + 2);
            padded[hello.length] = 300;
            padded[hello.length + 1] = 4000;
            assertThat(t.decode(padded)).isEqualTo("hello");
            assertThatThrownBy(() -> t.decode(new int[] {5, -1})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-1");
        }
    }

    @Test
    void aFolderWithoutTokenizerJsonSaysSo() {
        assertThatThrownBy(() -> Tokenizer.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("tokenizer.json");
    }

    @Test
    void streamingReleasesTextOnlyAtCompleteCharacters() throws IOException {
        // With only byte tokens, each UTF-8 byte is one token: "é" is 2 tokens, "世" 3, "🎉" 4.
        String text = "aé世🎉b";
        try (Tokenizer t = tokenizer(TestTokenizers.MIN_VOCAB, false)) {
            int[] ids = t.encode(text, false);
            assertThat(ids).hasSize(text.getBytes(StandardCharsets.UTF_8).length);
            StreamingDecoder stream = t.streamingDecoder(true);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(stream.push(id));
            }
            pieces.add(stream.finish());
            assertThat(pieces).containsExactly("a", "", "é", "", "", "世", "", "", "", "🎉", "b", "");
            assertThat(String.join("", pieces)).isEqualTo(text);
        }
    }

    @Test
    void streamingMultiTokenWordsReproducesTheFullDecode() throws IOException {
        String text = " The farmer walks to the field; naïve 世界 and 2024 numbers.";
        try (Tokenizer t = tokenizer(420, true)) {
            int[] ids = t.encode(text, true);
            StreamingDecoder stream = t.streamingDecoder(true);
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                String piece = stream.push(id);
                assertThat(piece).doesNotContain("\uFFFD");
                out.append(piece);
            }
            out.append(stream.finish());
            assertThat(out.toString()).isEqualTo(t.decode(ids, true)).isEqualTo(text);
        }
    }

    @Test
    void anIncompleteCharacterAtTheEndComesOutAsAReplacementOnFinish() throws IOException {
        try (Tokenizer t = tokenizer(TestTokenizers.MIN_VOCAB, false)) {
            int[] ids = t.encode("🎉", false);
            StreamingDecoder stream = t.streamingDecoder(true);
            assertThat(stream.push(ids[0])).isEmpty();
            assertThat(stream.push(ids[1])).isEmpty();
            assertThat(stream.finish()).contains("\uFFFD");
        }
    }
}
