package dev.whittle.engine.tokenizer;

import dev.whittle.engine.Progress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.ObjLongConsumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Learns a byte-level BPE vocabulary from text.
 *
 * <p>Text is reduced to a frequency table of pre-tokens ({@link BpeByteLevel#split}), so the cost of training
 * depends on the number of distinct words, not on the corpus size. Merging then runs on that table: each step
 * takes the most frequent adjacent pair (ties: the smaller left id, then the smaller right id), rewrites only
 * the words that hold it (an index from pair to words), updates the pair counts of those words, and finds the
 * next best pair in a max-heap whose stale entries are refreshed when they surface. Inside a word a merge
 * applies left to right without overlap ({@code a a a -> aa a}), as the tokenizers library applies it when
 * encoding. Special tokens are cut out of the text first and never take part in merges.
 *
 * <p>Use: {@code add} each text (or {@code addAll}), then {@code train} once.
 */
public final class BpeTrainer {

    /**
     * @param vocabSize    total vocabulary size to reach, special tokens and the 256 byte symbols included
     * @param minFrequency a pair seen fewer times than this is never merged (training may stop below vocabSize)
     */
    public record Options(int vocabSize, int minFrequency, BpeSpecialTokens specials) {
        public Options {
            int floor = specials.ordered().size() + 256;
            if (vocabSize < floor) {
                throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the " + floor
                        + " tokens that the special tokens and the 256 byte symbols take");
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
            }
        }
    }

    private final Options options;
    private final Pattern specialSplit;
    private final Map<String, long[]> wordCounts = new HashMap<>();
    private long textsSeen;

    public BpeTrainer(Options options) {
        this.options = options;
        this.specialSplit = Pattern.compile(options.specials().ordered().stream()
                .map(Pattern::quote).collect(Collectors.joining("|")));
    }

    /** Trains on every text of {@code texts} with {@code options}. */
    public static BpeModel train(Iterator<String> texts, Options options, Progress progress) {
        BpeTrainer trainer = new BpeTrainer(options);
        trainer.addAll(texts, progress);
        return trainer.train(progress);
    }

    /**
     * Counts the pre-tokens of every text; every 1,000 texts checks for cancellation and reports the texts seen
     * (total -1: the length of an iterator is not known).
     */
    public void addAll(Iterator<String> texts, Progress progress) {
        while (texts.hasNext()) {
            add(texts.next());
            if (textsSeen % 1000 == 0) {
                progress.checkCancelled();
                progress.report("count words", textsSeen, -1, wordCounts.size() + " distinct pre-tokens");
            }
        }
    }

    /** Counts the pre-tokens of one text (special tokens in it are cut out). */
    public void add(String text) {
        textsSeen++;
        for (String part : specialSplit.split(text)) {
            BpeByteLevel.split(part, piece -> wordCounts.computeIfAbsent(piece, k -> new long[1])[0]++);
        }
    }

    /** Learns merges until the vocabulary has {@code vocabSize} tokens or no pair is frequent enough. */
    public BpeModel train(Progress progress) {
        List<String> tokens = new ArrayList<>(options.specials().ordered());
        int firstByte = tokens.size();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(BpeByteLevel.symbol(b)));
        }
        Map<String, Integer> idOf = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            idOf.put(tokens.get(id), id);
        }
        Words words = Words.of(wordCounts, firstByte);
        PairTable pairs = new PairTable(1 << 16);
        for (int w = 0; w < words.count; w++) {
            words.indexPairs(w, pairs);
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>(Candidate.ORDER);
        pairs.forEachCounted((key, count) -> heap.add(new Candidate(key, count)));

        List<BpeModel.Merge> merges = new ArrayList<>();
        int target = options.vocabSize();
        int stamp = 0;
        int[] visited = new int[words.count];
        while (tokens.size() < target && !heap.isEmpty()) {
            Candidate top = heap.poll();
            long count = pairs.count(top.key());
            if (count != top.count()) {
                if (count > 0) {
                    heap.add(new Candidate(top.key(), count));   // stale: counts only fall, so re-rank it
                }
                continue;
            }
            if (count < options.minFrequency()) {
                break;
            }
            int left = PairTable.left(top.key());
            int right = PairTable.right(top.key());
            String merged = tokens.get(left) + tokens.get(right);
            merges.add(new BpeModel.Merge(tokens.get(left), tokens.get(right)));
            // Two merge paths can spell the same string; like the tokenizers library, reuse its id.
            Integer existing = idOf.get(merged);
            int id = existing != null ? existing : tokens.size();
            if (existing == null) {
                tokens.add(merged);
                idOf.put(merged, id);
            }

            stamp++;
            PairTable.WordList holders = pairs.takeWords(top.key());
            Set<Long> created = new HashSet<>();
            for (int i = 0; i < holders.size(); i++) {
                int w = holders.get(i);
                if (visited[w] != stamp) {
                    visited[w] = stamp;
                    words.merge(w, left, right, id, pairs, created);
                }
            }
            for (long key : created) {
                long c = pairs.count(key);
                if (c > 0) {
                    heap.add(new Candidate(key, c));
                }
            }
            if (merges.size() % 256 == 0) {
                progress.checkCancelled();
                progress.report("merge", tokens.size(), target, null);
            }
        }
        progress.report("merge", tokens.size(), target, merges.size() + " merges");
        return new BpeModel(options.specials(), tokens, merges);
    }

    /** A heap entry: a pair and its count when it was pushed (an upper bound of its count now). */
    private record Candidate(long key, long count) {
        static final Comparator<Candidate> ORDER = (x, y) -> x.count != y.count
                ? Long.compare(y.count, x.count)
                : Long.compare(x.key, y.key);
    }

    /** The distinct pre-tokens as mutable symbol-id sequences, with their frequencies. */
    private static final class Words {
        final int[][] symbols;
        final int[] length;
        final long[] frequency;
        final int count;

        private Words(int[][] symbols, int[] length, long[] frequency, int count) {
            this.symbols = symbols;
            this.length = length;
            this.frequency = frequency;
            this.count = count;
        }

        static Words of(Map<String, long[]> wordCounts, int firstByte) {
            // Sorted so that the word order (and with it every tie) does not depend on hashing.
            List<String> pieces = new ArrayList<>(wordCounts.keySet());
            pieces.sort(null);
            int[][] symbols = new int[pieces.size()][];
            int[] length = new int[pieces.size()];
            long[] frequency = new long[pieces.size()];
            int n = 0;
            for (String piece : pieces) {
                byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                if (bytes.length < 2) {
                    continue;   // a single byte holds no pair
                }
                int[] ids = new int[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    ids[i] = firstByte + (bytes[i] & 0xFF);
                }
                symbols[n] = ids;
                length[n] = ids.length;
                frequency[n] = wordCounts.get(piece)[0];
                n++;
            }
            return new Words(symbols, length, frequency, n);
        }

        /** Counts this word's pairs into the table and indexes the word under each. */
        void indexPairs(int w, PairTable pairs) {
            int[] s = symbols[w];
            long f = frequency[w];
            for (int i = 0; i + 1 < length[w]; i++) {
                int slot = pairs.add(PairTable.key(s[i], s[i + 1]), f);
                pairs.addWord(slot, w);
            }
        }

        /** Rewrites word {@code w} with {@code left right -> id} and updates the pair counts it changes. */
        void merge(int w, int left, int right, int id, PairTable pairs, Set<Long> created) {
            int[] s = symbols[w];
            int n = length[w];
            long f = frequency[w];
            int first = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (s[i] == left && s[i + 1] == right) {
                    first = i;
                    break;
                }
            }
            if (first < 0) {
                return;   // the index is lazy: this word lost the pair to an earlier merge
            }
            for (int i = 0; i + 1 < n; i++) {
                pairs.add(PairTable.key(s[i], s[i + 1]), -f);
            }
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == left && s[i + 1] == right) {
                    s[out++] = id;
                    i += 2;
                } else {
                    s[out++] = s[i++];
                }
            }
            length[w] = out;
            for (int i = 0; i + 1 < out; i++) {
                long key = PairTable.key(s[i], s[i + 1]);
                int slot = pairs.add(key, f);
                if (s[i] == id || s[i + 1] == id) {
                    pairs.addWord(slot, w);
                    created.add(key);
                }
            }
        }
    }

    /** Open-addressing table from a pair (two ids packed in a long) to its weighted count and the words holding it. */
    static final class PairTable {
        private long[] keys;
        private long[] counts;
        private WordList[] words;
        private boolean[] used;
        private int size;

        PairTable(int capacity) {
            allocate(Integer.highestOneBit(Math.max(16, capacity) - 1) << 1);
        }

        static long key(int left, int right) {
            return ((long) left << 32) | (right & 0xFFFFFFFFL);
        }

        static int left(long key) {
            return (int) (key >>> 32);
        }

        static int right(long key) {
            return (int) key;
        }

        long count(long key) {
            int slot = find(key);
            return slot < 0 ? 0 : counts[slot];
        }

        /** Adds {@code delta} to the pair's count, inserting it if new; returns its slot (valid until the next insert). */
        int add(long key, long delta) {
            if ((size + 1) * 4L > keys.length * 3L) {
                grow();
            }
            int slot = slotOf(key);
            if (!used[slot]) {
                used[slot] = true;
                keys[slot] = key;
                size++;
            }
            counts[slot] += delta;
            return slot;
        }

        void addWord(int slot, int word) {
            if (words[slot] == null) {
                words[slot] = new WordList();
            }
            words[slot].addUnlessLast(word);
        }

        /** Removes and returns the words indexed under the pair (possibly with words that no longer hold it). */
        WordList takeWords(long key) {
            int slot = find(key);
            WordList list = slot < 0 || words[slot] == null ? new WordList() : words[slot];
            if (slot >= 0) {
                words[slot] = null;
            }
            return list;
        }

        void forEachCounted(ObjLongConsumer<Long> action) {
            for (int i = 0; i < keys.length; i++) {
                if (used[i] && counts[i] > 0) {
                    action.accept(keys[i], counts[i]);
                }
            }
        }

        private int find(long key) {
            int slot = slotOf(key);
            return used[slot] ? slot : -1;
        }

        private int slotOf(long key) {
            int mask = keys.length - 1;
            int slot = (int) (mix(key) & mask);
            while (used[slot] && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private static long mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 29);
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldCounts = counts;
            WordList[] oldWords = words;
            boolean[] oldUsed = used;
            allocate(oldKeys.length * 2);
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldUsed[i]) {
                    int slot = slotOf(oldKeys[i]);
                    used[slot] = true;
                    keys[slot] = oldKeys[i];
                    counts[slot] = oldCounts[i];
                    words[slot] = oldWords[i];
                    size++;
                }
            }
        }

        private void allocate(int capacity) {
            keys = new long[capacity];
            counts = new long[capacity];
            words = new WordList[capacity];
            used = new boolean[capacity];
            size = 0;
        }

        /** A growable list of word indices. */
        static final class WordList {
            private int[] items = new int[4];
            private int size;

            void addUnlessLast(int word) {
                if (size > 0 && items[size - 1] == word) {
                    return;
                }
                if (size == items.length) {
                    items = Arrays.copyOf(items, size * 2);
                }
                items[size++] = word;
            }

            int size() {
                return size;
            }

            int get(int i) {
                return items[i];
            }
        }
    }
}
