package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.TrainingMix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PackedStreamTest {

    @TempDir
    static Path dir;
    static TinyReference tiny;
    static PackedStream stream;

    @BeforeAll
    static void tokenize() throws IOException {
        tiny = new TinyReference(dir);
        stream = PackedStream.tokenize(tiny.mix, tiny.tokenizer, "tiny", Progress.NONE);
    }

    @Test
    void concatenatesEveryDocumentInOrderAndScoresOnlyTheAnswersOfQuestionsAndReading() {
        Iterator<TrainingMix.Document> documents = tiny.mix.documents(0);
        int offset = 0;
        int answered = 0;
        while (documents.hasNext()) {
            TrainingMix.Document d = documents.next();
            int end = offset;
            StringBuilder text = new StringBuilder();
            // The document's tokens decode back to its text; find where it ends in the stream.
            while (!text.toString().equals(d.text())) {
                assertThat(d.text()).startsWith(text.toString());
                end++;
                text.setLength(0);
                text.append(tiny.tokenizer.decode(Arrays.copyOfRange(stream.tokens(), offset, end)));
            }
            String scored = decodeWhere(offset, end, true);
            String unscored = decodeWhere(offset, end, false);
            if (d.answerStart() < 0) {
                assertThat(scored).isEqualTo(d.text());
                assertThat(unscored).isEmpty();
            } else {
                assertThat(unscored).isEqualTo(d.text().substring(0, d.answerStart()));
                assertThat(scored).isEqualTo(d.text().substring(d.answerStart())).startsWith(" ").endsWith("<|endoftext|>");
                answered++;
            }
            offset = end;
        }
        assertThat(offset).isEqualTo(stream.size());
        assertThat(answered).isEqualTo(tiny.mix.composition().documents().get(TrainingMix.Kind.QUESTION)
                + tiny.mix.composition().documents().get(TrainingMix.Kind.READING));
        assertThat(stream.tokensByKind().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(stream.size());
    }

    @Test
    void roundTripsThroughItsCacheFileAndIsRemadeForAnotherFingerprint() throws IOException {
        Path file = dir.resolve("tokens.bin");
        stream.write(file);
        PackedStream read = PackedStream.read(file);
        assertThat(read.fingerprint()).isEqualTo("tiny");
        assertThat(read.tokens()).isEqualTo(stream.tokens());
        assertThat(read.scored()).isEqualTo(stream.scored());
        assertThat(read.tokensByKind()).isEqualTo(stream.tokensByKind());

        AtomicInteger made = new AtomicInteger();
        PackedStream.cached(file, "tiny", () -> { made.incrementAndGet(); return stream; });
        assertThat(made).hasValue(0);
        PackedStream other = PackedStream.cached(file, "other", () -> {
            made.incrementAndGet();
            return new PackedStream("other", new int[] {1, 2}, new boolean[] {true, false}, stream.tokensByKind());
        });
        assertThat(made).hasValue(1);
        assertThat(PackedStream.read(file).fingerprint()).isEqualTo("other");
        assertThat(other.scoredCount()).isEqualTo(1);
    }

    @Test
    void aReadingDrillScoresEachAnswerAndAlignedDocumentsWithAnswersNeverStraddleAWindow() {
        int window = 96;
        TrainingMix drill = tiny.mix(TinyReference.DRILL_MIX);
        PackedStream aligned = PackedStream.tokenize(drill, tiny.tokenizer, window, "drill", Progress.NONE);
        int filler = tiny.tokenizer.eosTokenIds().iterator().next();
        Iterator<TrainingMix.Document> documents = drill.documents(0);
        int offset = 0;
        int fillers = 0;
        int drills = 0;
        while (documents.hasNext()) {
            TrainingMix.Document d = documents.next();
            int[] ids = tiny.tokenizer.encode(d.text(), false);
            // Skip the unscored end markers that fill out a window before a document with answers.
            while (!Arrays.equals(aligned.tokens(), offset, offset + ids.length, ids, 0, ids.length)) {
                assertThat(aligned.tokens()[offset]).isEqualTo(filler);
                assertThat(aligned.scored()[offset]).isFalse();
                assertThat(d.answers()).isNotEmpty();
                offset++;
                fillers++;
            }
            if (!d.answers().isEmpty() && ids.length <= window) {
                assertThat(offset / window).as("document %d", d.position()).isEqualTo((offset + ids.length - 1) / window);
            }
            if (d.kind() == TrainingMix.Kind.READING) {
                // The scored runs decode to the answers, in order: " a1", " a2", " a3<|endoftext|>".
                List<String> runs = scoredRuns(aligned, offset, offset + ids.length);
                assertThat(runs).hasSize(3);
                for (int q = 0; q < 3; q++) {
                    TrainingMix.Span span = d.answers().get(q);
                    assertThat(runs.get(q)).isEqualTo(d.text().substring(span.start(), span.end()));
                }
                assertThat(runs.getLast()).endsWith("<|endoftext|>");
                drills++;
            }
            offset += ids.length;
        }
        assertThat(offset).isEqualTo(aligned.size());
        assertThat(drills).isEqualTo(20);
        assertThat(fillers).isPositive();
        assertThat(aligned.size()).isEqualTo(PackedStream.tokenize(drill, tiny.tokenizer, "drill", Progress.NONE).size() + fillers);
    }

    private List<String> scoredRuns(PackedStream s, int from, int to) {
        List<String> runs = new ArrayList<>();
        int i = from;
        while (i < to) {
            if (!s.scored()[i]) {
                i++;
                continue;
            }
            int start = i;
            while (i < to && s.scored()[i]) {
                i++;
            }
            runs.add(tiny.tokenizer.decode(Arrays.copyOfRange(s.tokens(), start, i)));
        }
        return runs;
    }

    private String decodeWhere(int from, int to, boolean scored) {
        int[] ids = java.util.stream.IntStream.range(from, to).filter(i -> stream.scored()[i] == scored)
                .map(i -> stream.tokens()[i]).toArray();
        return tiny.tokenizer.decode(ids);
    }
}
