package dev.whittle.engine.corpus;

import java.util.List;
import java.util.SplittableRandom;

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
     * @param fullNameRate chance that a biography sentence after the first names the person instead of a pronoun
     */
    public record Config(long seed, int people, int heldOut, int readingTrain, int readingEval, double fullNameRate) {

        /** The reference model's corpus; reference/README.md explains the sizes. */
        public static Config reference() {
            return new Config(1974, 400, 200, 12_000, 600, 0.5);
        }
    }

    /** A passage about a person, a question whose answer is in it, and the person and fact asked about. */
    public record ReadingExample(Person person, Attribute attribute, String passage, Biographer.QuestionAnswer qa) {
        /** The passage, a newline, then "Q: question\nA:". */
        public String prompt() {
            return passage + "\n" + qa.prompt();
        }

        /** The prompt followed by " " + answer. */
        public String text() {
            return prompt() + " " + qa.answer();
        }
    }

    // Stream tags for Seeds.derive: each kind of text draws from its own streams.
    private static final long BIOGRAPHY = 2;
    private static final long QUESTION = 3;
    private static final long READING = 4;
    private static final long READING_EVAL = 5;
    private static final long EVAL_QUESTION = 6;

    private final Config config;
    private final KnowledgePools pools;
    private final Population population;
    private final List<Person> withBiographies;
    private final Biographer biographer;

    public KnowledgeCorpus(Config config, KnowledgePools pools) {
        this.config = config;
        this.pools = pools;
        this.population = Population.generate(pools, config.seed(), config.people(), config.heldOut(),
                config.readingTrain(), config.readingEval());
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
