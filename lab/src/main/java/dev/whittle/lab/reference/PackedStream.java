package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.TrainingMix;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.data.TokenWindows;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A {@link TrainingMix} as one token stream: every document encoded without added special tokens (each already
 * ends with {@code <|endoftext|>}) and concatenated in the mix's order, so windows cut from it are packed with
 * whole and partial documents and no padding. Beside each token, whether predicting it counts toward the loss:
 * every token of biographies and natural text; for questions and reading examples only the answers (" " + answer,
 * and the end marker after the last), because their prompts are formulaic and a reading passage describes a
 * one-off person whose facts cannot be learnt, only guessed.
 * <p>
 * Tokenizing the whole mix takes a while, so the stream is cached in a file that records the {@code fingerprint}
 * (mix, composition, tokenizer) it was made from; a different fingerprint means a new stream.
 */
public record PackedStream(String fingerprint, int[] tokens, boolean[] scored, Map<TrainingMix.Kind, Long> tokensByKind) {

    private static final String MAGIC = "whittle-packed-stream-1";

    public PackedStream {
        if (tokens.length != scored.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + scored.length + " scored flags");
        }
    }

    /** Tokenizes every document of {@code mix} as it comes, reporting every few thousand documents. */
    public static PackedStream tokenize(TrainingMix mix, Tokenizer tokenizer, String fingerprint, Progress progress) {
        return tokenize(mix, tokenizer, 0, fingerprint, progress);
    }

    /**
     * Tokenizes every document of {@code mix}. With {@code window > 0}, a document with answers never straddles a
     * multiple of {@code window}: when it would, the rest of the current window is filled with unscored end
     * markers and the document starts the next one. Training windows are cut at those multiples, so an answer is
     * always trained with its whole passage and question in view, never guessed from a window that starts after
     * them.
     */
    public static PackedStream tokenize(TrainingMix mix, Tokenizer tokenizer, int window, String fingerprint,
                                        Progress progress) {
        IntBuffer tokens = new IntBuffer();
        Map<TrainingMix.Kind, Long> byKind = new EnumMap<>(TrainingMix.Kind.class);
        int filler = tokenizer.eosTokenIds().iterator().next();
        long total = mix.size();
        Iterator<TrainingMix.Document> documents = mix.documents(0);
        while (documents.hasNext()) {
            TrainingMix.Document document = documents.next();
            int[] ids = tokenizer.encode(document.text(), false);
            boolean[] scored = scoredTokens(tokenizer, document, ids);
            if (window > 0 && !document.answers().isEmpty() && ids.length <= window) {
                int left = window - tokens.size % window;
                if (ids.length > left) {
                    tokens.fill(filler, left);
                }
            }
            tokens.add(ids, scored);
            byKind.merge(document.kind(), (long) ids.length, Long::sum);
            if ((document.position() + 1) % 5000 == 0 || document.position() + 1 == total) {
                progress.checkCancelled();
                progress.report("tokenize", document.position() + 1, total, tokens.size + " tokens");
            }
        }
        return new PackedStream(fingerprint, tokens.ids(), tokens.scored(), byKind);
    }

    /** Every token of a plain document; the tokens of each answer span of a document with answers. */
    private static boolean[] scoredTokens(Tokenizer tokenizer, TrainingMix.Document document, int[] ids) {
        boolean[] scored = new boolean[ids.length];
        if (document.answers().isEmpty()) {
            Arrays.fill(scored, true);
            return scored;
        }
        for (TrainingMix.Span span : document.answers()) {
            int from = tokensBefore(tokenizer, document, ids, span.start());
            int to = span.end() == document.text().length() ? ids.length : tokensBefore(tokenizer, document, ids, span.end());
            Arrays.fill(scored, from, to, true);
        }
        return scored;
    }

    /**
     * How many tokens the text before {@code offset} encodes to. That text must encode to a prefix of the whole
     * document, which holds at an answer's edges: an answer starts with a space and ends before a newline or the
     * end marker, pre-token boundaries of byte-level BPE.
     */
    private static int tokensBefore(Tokenizer tokenizer, TrainingMix.Document document, int[] ids, int offset) {
        int[] prefix = tokenizer.encode(document.text().substring(0, offset), false);
        if (prefix.length >= ids.length || !Arrays.equals(prefix, 0, prefix.length, ids, 0, prefix.length)) {
            throw new IllegalStateException("document " + document.position() + " (" + document.kind()
                    + "): its text up to an answer's edge does not encode to a prefix of the whole document, so the "
                    + "answer's tokens cannot be told apart: " + document.text());
        }
        return prefix.length;
    }

    public int size() {
        return tokens.length;
    }

    /** How many tokens carry a loss. */
    public long scoredCount() {
        long n = 0;
        for (boolean s : scored) {
            n += s ? 1 : 0;
        }
        return n;
    }

    /** Windows of {@code plan.context()} tokens in a seeded random order, {@code plan.sequences()} per batch. */
    public TokenWindows windows(ReferencePlan plan) {
        return new TokenWindows(tokens, scored, plan.context(), plan.sequences(), plan.seed());
    }

    /** The cached stream in {@code file} if it was made from {@code fingerprint}, else a fresh one (then cached). */
    public static PackedStream cached(Path file, String fingerprint, java.util.function.Supplier<PackedStream> make)
            throws IOException {
        if (Files.isRegularFile(file)) {
            PackedStream stream = read(file);
            if (stream.fingerprint().equals(fingerprint)) {
                return stream;
            }
        }
        PackedStream stream = make.get();
        stream.write(file);
        return stream;
    }

    /** Writes the stream through a temporary file and a rename. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20))) {
            out.writeUTF(MAGIC);
            out.writeUTF(fingerprint);
            out.writeInt(TrainingMix.Kind.values().length);
            for (TrainingMix.Kind kind : TrainingMix.Kind.values()) {
                out.writeLong(tokensByKind.getOrDefault(kind, 0L));
            }
            out.writeInt(tokens.length);
            for (int i = 0; i < tokens.length; i++) {
                out.writeInt(scored[i] ? tokens[i] : ~tokens[i]);
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads a stream written by {@link #write}; fails naming the file when it is not one. */
    public static PackedStream read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException(file + ": not a packed token stream");
            }
            String fingerprint = in.readUTF();
            int kinds = in.readInt();
            // Kinds are only ever added at the end: a stream written before one existed has none of it.
            if (kinds > TrainingMix.Kind.values().length) {
                throw new IOException(file + ": written for " + kinds + " document kinds, not "
                        + TrainingMix.Kind.values().length);
            }
            Map<TrainingMix.Kind, Long> byKind = new EnumMap<>(TrainingMix.Kind.class);
            for (TrainingMix.Kind kind : TrainingMix.Kind.values()) {
                long count = kind.ordinal() < kinds ? in.readLong() : 0L;
                if (count > 0) { // as tokenize counts: only the kinds the stream holds
                    byKind.put(kind, count);
                }
            }
            int n = in.readInt();
            int[] tokens = new int[n];
            boolean[] scored = new boolean[n];
            for (int i = 0; i < n; i++) {
                int v = in.readInt();
                scored[i] = v >= 0;
                tokens[i] = v >= 0 ? v : ~v;
            }
            return new PackedStream(fingerprint, tokens, scored, byKind);
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": truncated packed token stream", e);
        }
    }

    /** A growing pair of token and scored arrays. */
    private static final class IntBuffer {
        private int[] ids = new int[1 << 16];
        private boolean[] scored = new boolean[1 << 16];
        private int size;

        void add(int[] document, boolean[] documentScored) {
            grow(document.length);
            System.arraycopy(document, 0, ids, size, document.length);
            System.arraycopy(documentScored, 0, scored, size, document.length);
            size += document.length;
        }

        /** {@code n} copies of {@code token}, unscored. */
        void fill(int token, int n) {
            grow(n);
            Arrays.fill(ids, size, size + n, token);
            size += n;
        }

        private void grow(int n) {
            if (size + n > ids.length) {
                int capacity = Math.max(size + n, ids.length * 2);
                ids = Arrays.copyOf(ids, capacity);
                scored = Arrays.copyOf(scored, capacity);
            }
        }

        int[] ids() {
            return Arrays.copyOf(ids, size);
        }

        boolean[] scored() {
            return Arrays.copyOf(scored, size);
        }
    }
}
