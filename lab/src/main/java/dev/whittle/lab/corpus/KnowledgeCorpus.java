package dev.whittle.lab.corpus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The synthetic knowledge corpus, after the synthetic-biography studies of how language models store and extract
 * knowledge (Allen-Zhu and Li, Physics of Language Models 3.1/3.2): fictional people with six facts each, written
 * as freshly paraphrased biographies ("multi" + "permute" augmentation); question-answer examples about the
 * trained half only; reading-comprehension examples about people who appear nowhere else.
 *
 * <p>Every text is a pure function of the seed and its indices, so any document can be made on its own.
 */
public final class KnowledgeCorpus {

    /**
     * @param seed         fixes the people and every text
     * @param people       people with biographies
     * @param heldOut      of those, how many are never asked about in training
     * @param readingTrain reading-comprehension training examples (one fresh person each)
     * @param readingEval  in-context retrieval evaluation examples (one fresh person each)
     * @param readingDrill passages of the reading drill (one fresh person each, several questions per passage)
     * @param fullNameRate chance that a biography sentence after the first names the person instead of a pronoun
     */
    public record Config(long seed, int people, int heldOut, int readingTrain, int readingEval, int readingDrill,
                         double fullNameRate) {

        /** The reference model's corpus; reference/README.md explains the sizes. */
        public static Config reference() {
            return new Config(1974, 400, 200, 12_000, 600, 24_000, 0.5);
        }
    }

    /** A passage about a person, a question whose answer is in it, and the person and fact asked about. */
    public record ReadingExample(Person person, Attribute attribute, String passage, Biographer.QuestionAnswer qa) {
        /** The example as a drill of one question: the same text. */
        public ReadingDrill asDrill() {
            return new ReadingDrill(person, passage, List.of(qa));
        }

        /** The passage, a newline, then "Q: question\nA:". */
        public String prompt() {
            return passage + "\n" + qa.prompt();
        }

        /** The prompt followed by " " + answer. */
        public String text() {
            return prompt() + " " + qa.answer();
        }
    }

    /**
     * A passage followed by questions on it, each answered: "passage\nQ: q1\nA: a1\nQ: q2\nA: a2". The first
     * question reads exactly as an in-context retrieval prompt; the later ones ask the same passage again, so one
     * passage teaches looking up several facts.
     */
    public record ReadingDrill(Person person, String passage, List<Biographer.QuestionAnswer> qas) {
        public ReadingDrill {
            qas = List.copyOf(qas);
            if (qas.isEmpty()) {
                throw new IllegalArgumentException("a reading drill needs at least one question");
            }
        }

        /** The whole text, without an end marker. */
        public String text() {
            return passage + "\n" + qas.stream().map(Biographer.QuestionAnswer::text).collect(Collectors.joining("\n"));
        }

        /**
         * Where each answer continuation (" " + answer) starts and ends in {@link #text()}, as pairs of character
         * offsets {@code [start, end)}.
         */
        public List<int[]> answerSpans() {
            List<int[]> spans = new ArrayList<>(qas.size());
            int offset = passage.length() + 1;
            for (Biographer.QuestionAnswer qa : qas) {
                int start = offset + qa.prompt().length();
                int end = start + 1 + qa.answer().length();
                spans.add(new int[] {start, end});
                offset = end + 1;
            }
            return spans;
        }
    }

    // Stream tags for Seeds.derive: each kind of text draws from its own streams.
    private static final long BIOGRAPHY = 2;
    private static final long QUESTION = 3;
    private static final long READING = 4;
    private static final long READING_EVAL = 5;
    private static final long EVAL_QUESTION = 6;
    private static final long READING_DRILL = 7;

    private final Config config;
    private final KnowledgePools pools;
    private final Population population;
    private final List<Person> withBiographies;
    private final Biographer biographer;

    public KnowledgeCorpus(Config config, KnowledgePools pools) {
        this.config = config;
        this.pools = pools;
        this.population = Population.generate(pools, config.seed(), config.people(), config.heldOut(),
                config.readingTrain(), config.readingEval(), config.readingDrill());
        this.withBiographies = population.withBiographies();
        this.biographer = new Biographer(config.fullNameRate());
    }

    public Config config() {
        return config;
    }

    public KnowledgePools pools() {
        return pools;
    }

    public Population population() {
        return population;
    }

    /** Everyone with biographies: trained people first, then held-out people. */
    public List<Person> peopleWithBiographies() {
        return withBiographies;
    }

    /** Biography number {@code exposure} of person {@code person} (an index into {@link #peopleWithBiographies}). */
    public String biography(int person, long exposure) {
        return biographer.biography(withBiographies.get(person), Seeds.derive(config.seed(), BIOGRAPHY, person, exposure));
    }

    /** Repetition {@code repetition} of a question about {@code attribute} of trained person {@code trained}. */
    public Biographer.QuestionAnswer trainingQuestion(int trained, Attribute attribute, long repetition) {
        return biographer.question(population.trained().get(trained), attribute,
                Seeds.derive(config.seed(), QUESTION, trained, attribute.ordinal(), repetition));
    }

    /** Reading-comprehension training example {@code index}: a biography and a question about a random fact. */
    public ReadingExample readingExample(int index) {
        SplittableRandom random = Seeds.derive(config.seed(), READING, index);
        Attribute attribute = Attribute.values()[random.nextInt(Attribute.values().length)];
        return reading(population.readingTrain().get(index), attribute, random);
    }

    /** In-context retrieval evaluation example {@code index}; the facts asked about cycle through all six. */
    public ReadingExample readingEvalExample(int index) {
        SplittableRandom random = Seeds.derive(config.seed(), READING_EVAL, index);
        Attribute attribute = Attribute.values()[index % Attribute.values().length];
        return reading(population.readingEval().get(index), attribute, random);
    }

    /**
     * Reading-drill passage {@code index}: a biography of a drill person followed by {@code questions} questions
     * about distinct facts in random order.
     */
    public ReadingDrill readingDrill(int index, int questions) {
        if (questions < 1 || questions > Attribute.values().length) {
            throw new IllegalArgumentException("a drill passage takes 1 to " + Attribute.values().length
                    + " questions, got " + questions);
        }
        SplittableRandom random = Seeds.derive(config.seed(), READING_DRILL, index);
        Person person = population.readingDrill().get(index);
        String passage = biographer.biography(person, random);
        List<Attribute> attributes = new ArrayList<>(List.of(Attribute.values()));
        Collections.shuffle(attributes, random);
        List<Biographer.QuestionAnswer> qas = new ArrayList<>(questions);
        for (Attribute attribute : attributes.subList(0, questions)) {
            qas.add(biographer.question(person, attribute, random));
        }
        return new ReadingDrill(person, passage, qas);
    }

    /** The phrasing used to ask about {@code attribute} of {@code person} in the evaluation sets. */
    public Biographer.QuestionAnswer evalQuestion(Person person, Attribute attribute) {
        return biographer.question(person, attribute,
                Seeds.derive(config.seed(), EVAL_QUESTION, person.fullName().hashCode(), attribute.ordinal()));
    }

    private ReadingExample reading(Person person, Attribute attribute, SplittableRandom random) {
        String passage = biographer.biography(person, random);
        return new ReadingExample(person, attribute, passage, biographer.question(person, attribute, random));
    }
}
