package dev.whittle.lab.corpus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes people as text: biographies (one sentence per fact, a random template for each, the sentences in random
 * order, the person named in the first sentence and then by name or pronoun), and questions with their answers.
 * The randomness comes from the caller, so the same stream always gives the same text.
 */
public final class Biographer {

    private final double fullNameRate;

    /** @param fullNameRate chance that a sentence after the first names the person again instead of a pronoun */
    public Biographer(double fullNameRate) {
        if (!(fullNameRate >= 0 && fullNameRate <= 1)) {
            throw new IllegalArgumentException("fullNameRate must be in [0, 1], got " + fullNameRate);
        }
        this.fullNameRate = fullNameRate;
    }

    /** A question about one fact; the answer is the fact exactly as biographies write it. */
    public record QuestionAnswer(String question, String answer) {
        /** What the model is given: "Q: question\nA:". */
        public String prompt() {
            return "Q: " + question + "\nA:";
        }

        /** The prompt followed by the answer ("... A: Tallinn"): the answer continuation is " " + answer. */
        public String text() {
            return prompt() + " " + answer;
        }
    }

    /** A biography that states every fact of {@code person} once. */
    public String biography(Person person, SplittableRandom random) {
        List<Attribute> order = new ArrayList<>(Arrays.asList(Attribute.values()));
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            order.set(i, order.set(j, order.get(i)));
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < order.size(); i++) {
            boolean named = i == 0 || random.nextDouble() < fullNameRate;
            if (i > 0) {
                text.append(' ');
            }
            text.append(statement(person, order.get(i), named, random));
        }
        return text.toString();
    }

    /** One sentence stating {@code attribute} of {@code person}, by name or by pronoun. */
    String statement(Person person, Attribute attribute, boolean named, SplittableRandom random) {
        String template = pick(attribute.statements(), random);
        Person.Gender gender = person.gender();
        return template
                .replace("{S}", named ? person.fullName() : gender.subject)
                .replace("{P}", named ? person.fullName() + "'s" : gender.possessive)
                .replace("{p}", gender.possessiveLower)
                .replace("{v}", person.value(attribute));
    }

    /** A question about {@code attribute} of {@code person} in one of its phrasings. */
    public QuestionAnswer question(Person person, Attribute attribute, SplittableRandom random) {
        String question = pick(attribute.questions(), random).replace("{name}", person.fullName());
        return new QuestionAnswer(question, person.value(attribute));
    }

    private static String pick(List<String> options, SplittableRandom random) {
        return options.get(random.nextInt(options.size()));
    }
}
