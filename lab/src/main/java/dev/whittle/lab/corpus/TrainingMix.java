package dev.whittle.lab.corpus;

import dev.whittle.engine.tokenizer.BpeSpecialTokens;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The reference model's training documents in one fixed, shuffled order: biographies of everyone with
 * biographies ({@code biographyExposures} fresh paraphrases each), questions about the trained half
 * ({@code questionExposures} per fact), every reading-comprehension example once, and natural English passages
 * making up {@code naturalShare} of the characters (cycled if more are needed than exist).
 *
 * <p>The order is a seeded shuffle of document slots and each document is a pure function of its slot, so
 * {@link #document(long)} is random access and a run resumes from a checkpointed position with
 * {@link #documents(long)}. Every document ends with {@code <|endoftext|>}: encode documents without adding
 * special tokens and concatenate them.
 */
public final class TrainingMix {

    /**
     * @param seed               fixes the order (the texts are fixed by the knowledge corpus's seed)
     * @param biographyExposures biographies per person with biographies (the passes over each fact)
     * @param questionExposures  questions per fact of each trained person
     * @param reading            which reading examples, and how many questions each passage gets
     * @param naturalShare       fraction of all characters that are natural English, in [0, 1)
     */
    public record Config(long seed, int biographyExposures, int questionExposures, Reading reading, double naturalShare,
                         int arithmetic) {
        public Config {
            if (biographyExposures < 0 || questionExposures < 0 || arithmetic < 0) {
                throw new IllegalArgumentException("exposures must not be negative: biographies=%d questions=%d"
                        .formatted(biographyExposures, questionExposures));
            }
            if (!(naturalShare >= 0 && naturalShare < 1)) {
                throw new IllegalArgumentException("naturalShare must be in [0, 1), got " + naturalShare);
            }
        }

        /** A mix without the arithmetic domain (the dense reference's). */
        public Config(long seed, int biographyExposures, int questionExposures, Reading reading, double naturalShare) {
            this(seed, biographyExposures, questionExposures, reading, naturalShare, 0);
        }

        /** The same mix with {@code documents} {@link Arithmetic} questions added. */
        public Config withArithmetic(int documents) {
            return new Config(seed, biographyExposures, questionExposures, reading, naturalShare, documents);
        }

        /** As a record prints itself, without the arithmetic count when it is 0: the fingerprints of mixes without it stay. */
        @Override
        public String toString() {
            return "Config[seed=" + seed + ", biographyExposures=" + biographyExposures + ", questionExposures="
                    + questionExposures + ", reading=" + reading + ", naturalShare=" + naturalShare
                    + (arithmetic == 0 ? "" : ", arithmetic=" + arithmetic) + "]";
        }

        /** A mix whose reading examples are the corpus's reading-train examples, one question each. */
        public Config(long seed, int biographyExposures, int questionExposures, double naturalShare) {
            this(seed, biographyExposures, questionExposures, Reading.ONE_QUESTION, naturalShare);
        }

        /** The reference model's first phase, pretraining; reference/README.md explains the numbers. */
        public static Config reference() {
            return new Config(7, 250, 10, 0.3);
        }

        /**
         * A reading drill of the reference model, over one part of the drill people: each drill passage with
         * questions on four of its facts, beside 15 closed-book questions per trained fact and 20 biographies per
         * person, and 5% natural English. Reading answers were 0.4% of the scored tokens in pretraining, and the
         * model never learnt to look an answer up in a passage. A drill of reading alone teaches that, but then
         * the model looks for a passage that is not there and closed-book answers collapse; with about as many
         * closed-book as reading answers it learns both.
         *
         * @param part  which part of the drill people, 0 .. parts-1
         * @param parts how many parts they are split into (one drill phase per part)
         */
        public static Config readingDrill(int part, int parts) {
            return new Config(8 + part, 20, 15, Reading.drill(4, part, parts), 0.05);
        }
    }

    /**
     * The reading-comprehension documents of a mix.
     *
     * @param people              whose passages: the corpus's reading-train people (one example each) or its drill
     *                            people (one passage each)
     * @param questionsPerPassage questions after each passage (only 1 for reading-train people)
     * @param part                which part of the group, 0 .. parts-1 (contiguous, as equal as can be)
     * @param parts               how many parts the group is split into
     */
    public record Reading(People people, int questionsPerPassage, int part, int parts) {
        public static final Reading ONE_QUESTION = new Reading(People.TRAIN, 1, 0, 1);

        public enum People { TRAIN, DRILL }

        public Reading {
            if (questionsPerPassage < 1 || questionsPerPassage > Attribute.values().length
                    || (people == People.TRAIN && questionsPerPassage != 1)) {
                throw new IllegalArgumentException("reading-train passages take 1 question, drill passages 1 to "
                        + Attribute.values().length + "; got " + questionsPerPassage + " for " + people);
            }
            if (parts < 1 || part < 0 || part >= parts) {
                throw new IllegalArgumentException("part " + part + " of " + parts + " does not exist");
            }
        }

        /** Drill passages of part {@code part} of {@code parts}, {@code questions} questions each. */
        public static Reading drill(int questions, int part, int parts) {
            return new Reading(People.DRILL, questions, part, parts);
        }

        /** The first index of this part in a group of {@code size}. */
        int first(int size) {
            return (int) ((long) size * part / parts);
        }

        /** The number of people of this part in a group of {@code size}. */
        int count(int size) {
            return (int) ((long) size * (part + 1) / parts) - first(size);
        }
    }

    /** Kinds of documents; a new kind goes last (packed streams store counts by ordinal). */
    public enum Kind { BIOGRAPHY, QUESTION, READING, NATURAL, ARITHMETIC }

    /**
     * One training document.
     *
     * @param position its index in the mix (checkpoint this to resume)
     * @param text     the document, ending with {@code <|endoftext|>}
     * @param answers  for questions and reading examples, the character spans {@code [start, end)} of each answer
     *                 continuation (" " + answer; the last one runs to the end of the text, end marker included),
     *                 for a loss on answers only; empty otherwise
     */
    public record Document(long position, Kind kind, String text, List<Span> answers) {
        public Document {
            answers = List.copyOf(answers);
        }

        /** Where the first answer starts, -1 for a document without answers. */
        public int answerStart() {
            return answers.isEmpty() ? -1 : answers.getFirst().start();
        }
    }

    /** A span of characters {@code [start, end)}. */
    public record Span(int start, int end) {
    }

    /** How many documents of each kind the mix holds and about how many characters they make. */
    public record Composition(Map<Kind, Long> documents, Map<Kind, Long> characters) {
        public long totalCharacters() {
            return characters.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final int KIND_SHIFT = 29;
    private static final int INDEX_MASK = (1 << KIND_SHIFT) - 1;
    private static final int SAMPLES_PER_KIND = 1000;

    private final KnowledgeCorpus knowledge;
    private final Arithmetic arithmetic = new Arithmetic();
    private final List<String> natural;
    private final Config config;
    private final int[] naturalOrder;
    private final int[] slots;
    private final Composition composition;

    public TrainingMix(KnowledgeCorpus knowledge, List<String> naturalPassages, Config config) {
        this.knowledge = knowledge;
        this.natural = List.copyOf(naturalPassages);
        this.config = config;
        if (config.naturalShare() > 0 && natural.isEmpty()) {
            throw new IllegalArgumentException("naturalShare " + config.naturalShare() + " needs natural passages");
        }
        this.composition = plan();
        this.slots = shuffledSlots(composition.documents());
        this.naturalOrder = new int[natural.size()];
        for (int i = 0; i < naturalOrder.length; i++) {
            naturalOrder[i] = i;
        }
        Seeds.shuffle(naturalOrder, Seeds.derive(config.seed(), 101));
    }

    /** Counts the knowledge documents, then as many natural passages as make up the natural share. */
    private Composition plan() {
        Map<Kind, Long> counts = new EnumMap<>(Kind.class);
        counts.put(Kind.BIOGRAPHY, (long) knowledge.peopleWithBiographies().size() * config.biographyExposures());
        counts.put(Kind.QUESTION, (long) knowledge.population().trained().size() * Attribute.values().length
                * config.questionExposures());
        counts.put(Kind.READING, (long) readingPeople().size());
        counts.put(Kind.ARITHMETIC, (long) config.arithmetic());
        Map<Kind, Long> meanChars = new EnumMap<>(Kind.class);
        long knowledgeChars = 0;
        for (Kind kind : List.of(Kind.BIOGRAPHY, Kind.QUESTION, Kind.READING, Kind.ARITHMETIC)) {
            meanChars.put(kind, meanLength(kind, counts.get(kind)));
            knowledgeChars += counts.get(kind) * meanChars.get(kind);
        }
        long naturalMean = natural.isEmpty() ? 0 : natural.stream()
                .mapToLong(p -> p.length() + BpeSpecialTokens.END_OF_TEXT.length()).sum() / natural.size();
        meanChars.put(Kind.NATURAL, naturalMean);
        double naturalChars = knowledgeChars * config.naturalShare() / (1 - config.naturalShare());
        counts.put(Kind.NATURAL, naturalMean == 0 ? 0 : Math.round(naturalChars / naturalMean));

        Map<Kind, Long> chars = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            chars.put(kind, counts.get(kind) * meanChars.get(kind));
        }
        if (config.arithmetic() == 0) {
            // A mix without arithmetic describes itself as it did before the kind existed (same fingerprints).
            counts.remove(Kind.ARITHMETIC);
            chars.remove(Kind.ARITHMETIC);
        }
        return new Composition(Map.copyOf(counts), Map.copyOf(chars));
    }

    /** One slot per document (kind in the high bits, index within the kind below), in a seeded random order. */
    private int[] shuffledSlots(Map<Kind, Long> counts) {
        long total = 0;
        for (Kind kind : counts.keySet()) {
            if (counts.get(kind) > INDEX_MASK) {
                throw new IllegalArgumentException(counts.get(kind) + " " + kind
                        + " documents exceed the mix's limit of " + INDEX_MASK + " per kind");
            }
            total += counts.get(kind);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the mix would hold " + total + " documents; at most "
                    + (Integer.MAX_VALUE - 8) + " fit");
        }
        int[] order = new int[(int) total];
        int s = 0;
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < counts.getOrDefault(kind, 0L); i++) {
                order[s++] = (kind.ordinal() << KIND_SHIFT) | i;
            }
        }
        Seeds.shuffle(order, Seeds.derive(config.seed(), 100));
        return order;
    }

    public Config config() {
        return config;
    }

    /** Number of documents in the mix. */
    public long size() {
        return slots.length;
    }

    /** Document counts per kind and their characters (count x mean length; knowledge means from a sample). */
    public Composition composition() {
        return composition;
    }

    /** The document at {@code position} (0 .. size-1). */
    public Document document(long position) {
        if (position < 0 || position >= slots.length) {
            throw new IndexOutOfBoundsException("position " + position + " is outside the mix of " + slots.length);
        }
        int slot = slots[(int) position];
        Kind kind = Kind.values()[slot >>> KIND_SHIFT];
        int index = slot & INDEX_MASK;
        return switch (kind) {
            case BIOGRAPHY -> plain(position, kind, biography(index));
            case QUESTION -> {
                Biographer.QuestionAnswer qa = question(index);
                yield answered(position, kind, qa.prompt(), qa.answer());
            }
            case READING -> {
                KnowledgeCorpus.ReadingDrill reading = reading(index);
                String text = reading.text();
                List<Span> spans = new java.util.ArrayList<>();
                for (int[] span : reading.answerSpans()) {
                    spans.add(new Span(span[0], span[1] == text.length()
                            ? text.length() + BpeSpecialTokens.END_OF_TEXT.length() : span[1]));
                }
                yield new Document(position, kind, text + BpeSpecialTokens.END_OF_TEXT, spans);
            }
            case NATURAL -> plain(position, kind, natural.get(naturalOrder[index % naturalOrder.length]));
            case ARITHMETIC -> {
                Biographer.QuestionAnswer qa = arithmetic.document(index);
                yield answered(position, kind, qa.prompt(), qa.answer());
            }
        };
    }

    /** The documents from {@code position} to the end of the mix, in order. */
    public Iterator<Document> documents(long position) {
        if (position < 0 || position > slots.length) {
            throw new IndexOutOfBoundsException("position " + position + " is outside the mix of " + slots.length);
        }
        return new Iterator<>() {
            private long next = position;

            @Override
            public boolean hasNext() {
                return next < slots.length;
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return document(next++);
            }
        };
    }

    /** The people of the mix's part of its reading group. */
    private List<Person> readingPeople() {
        List<Person> group = readingGroup();
        int first = config.reading().first(group.size());
        return group.subList(first, first + config.reading().count(group.size()));
    }

    /** The whole group the mix's reading people are a part of. */
    private List<Person> readingGroup() {
        return config.reading().people() == Reading.People.TRAIN
                ? knowledge.population().readingTrain() : knowledge.population().readingDrill();
    }

    /**
     * Reading document {@code index} of the mix's part: a reading-train example as a drill of one question, or a
     * drill passage.
     */
    private KnowledgeCorpus.ReadingDrill reading(int index) {
        Reading reading = config.reading();
        int person = reading.first(readingGroup().size()) + index;
        return reading.people() == Reading.People.TRAIN
                ? knowledge.readingExample(person).asDrill()
                : knowledge.readingDrill(person, reading.questionsPerPassage());
    }

    private String biography(int index) {
        int people = knowledge.peopleWithBiographies().size();
        return knowledge.biography(index % people, index / people);
    }

    private Biographer.QuestionAnswer question(int index) {
        int trained = knowledge.population().trained().size();
        int perPerson = index / trained;
        Attribute attribute = Attribute.values()[perPerson % Attribute.values().length];
        return knowledge.trainingQuestion(index % trained, attribute, perPerson / Attribute.values().length);
    }

    private static Document plain(long position, Kind kind, String text) {
        return new Document(position, kind, text + BpeSpecialTokens.END_OF_TEXT, List.of());
    }

    private static Document answered(long position, Kind kind, String prompt, String answer) {
        String text = prompt + " " + answer + BpeSpecialTokens.END_OF_TEXT;
        return new Document(position, kind, text, List.of(new Span(prompt.length(), text.length())));
    }

    /** Mean length of documents of a knowledge kind over an evenly spaced sample of them. */
    private long meanLength(Kind kind, long count) {
        if (count == 0) {
            return 0;
        }
        SplittableRandom random = Seeds.derive(config.seed(), 102, kind.ordinal());
        long sum = 0;
        int n = (int) Math.min(count, SAMPLES_PER_KIND);
        for (int i = 0; i < n; i++) {
            int index = (int) (count <= SAMPLES_PER_KIND ? i : random.nextLong(count));
            String text = switch (kind) {
                case BIOGRAPHY -> biography(index);
                case QUESTION -> question(index).text();
                case READING -> reading(index).text();
                case ARITHMETIC -> arithmetic.document(index).text();
                case NATURAL -> throw new IllegalArgumentException("natural text is measured exactly");
            };
            sum += text.length() + BpeSpecialTokens.END_OF_TEXT.length();
        }
        return sum / n;
    }
}
