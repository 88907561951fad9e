package dev.whittle.lab.corpus;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The people of the knowledge corpus, in five disjoint groups.
 *
 * @param trained      have biographies and are asked about in training
 * @param heldOut      have biographies but are never asked about in training: closed-book QA on them measures
 *                     knowledge stored from biographies alone
 * @param readingTrain each appears in exactly one reading-comprehension training example and nowhere else
 * @param readingEval  each appears in exactly one in-context retrieval evaluation example and nowhere in training
 * @param readingDrill each appears in exactly one passage of the reading drill (several questions on one passage),
 *                     the reference model's second training phase; drawn last, so the other groups do not depend
 *                     on how many there are
 */
public record Population(List<Person> trained, List<Person> heldOut, List<Person> readingTrain, List<Person> readingEval,
                         List<Person> readingDrill) {

    /** Consecutive rejected draws after which the pools are judged too small for the requested people. */
    private static final int MAX_REJECTIONS = 100_000;

    public Population {
        trained = List.copyOf(trained);
        heldOut = List.copyOf(heldOut);
        readingTrain = List.copyOf(readingTrain);
        readingEval = List.copyOf(readingEval);
        readingDrill = List.copyOf(readingDrill);
    }

    /** Trained then held-out people: everyone who has biographies. */
    public List<Person> withBiographies() {
        List<Person> all = new ArrayList<>(trained);
        all.addAll(heldOut);
        return all;
    }

    /**
     * Draws the people. Those with biographies have distinct first+last names, so no one's facts are learnt
     * under a name that differs from another's only in the middle; reading people have unique full names and
     * never share a first+last name with someone who has biographies.
     */
    static Population generate(KnowledgePools pools, long seed, int people, int heldOut, int readingTrain, int readingEval,
                               int readingDrill) {
        if (people < 0 || heldOut < 0 || heldOut > people || readingTrain < 0 || readingEval < 0 || readingDrill < 0) {
            throw new IllegalArgumentException(
                    "invalid population: people=%d heldOut=%d readingTrain=%d readingEval=%d readingDrill=%d"
                            .formatted(people, heldOut, readingTrain, readingEval, readingDrill));
        }
        SplittableRandom random = Seeds.derive(seed, 1);
        Set<String> firstLast = new HashSet<>();
        Set<String> fullNames = new HashSet<>();
        List<Person> known = new ArrayList<>();
        int rejections = 0;
        while (known.size() < people) {
            Person person = draw(pools, random);
            if (firstLast.add(person.firstName() + " " + person.lastName())) {
                fullNames.add(person.fullName());
                known.add(person);
                rejections = 0;
            } else if (++rejections > MAX_REJECTIONS) {
                throw tooFewNames(people + " people with biographies");
            }
        }
        List<Person> reading = new ArrayList<>();
        rejections = 0;
        int readers = readingTrain + readingEval + readingDrill;
        while (reading.size() < readers) {
            Person person = draw(pools, random);
            if (!firstLast.contains(person.firstName() + " " + person.lastName()) && fullNames.add(person.fullName())) {
                reading.add(person);
                rejections = 0;
            } else if (++rejections > MAX_REJECTIONS) {
                throw tooFewNames(readers + " reading-comprehension people");
            }
        }
        int trainedCount = people - heldOut;
        return new Population(known.subList(0, trainedCount), known.subList(trainedCount, people),
                reading.subList(0, readingTrain), reading.subList(readingTrain, readingTrain + readingEval),
                reading.subList(readingTrain + readingEval, readers));
    }

    private static Person draw(KnowledgePools pools, SplittableRandom random) {
        Person.Gender gender = random.nextBoolean() ? Person.Gender.FEMALE : Person.Gender.MALE;
        String first = pick(gender == Person.Gender.FEMALE ? pools.femaleFirstNames() : pools.maleFirstNames(), random);
        String middle = pick(pools.middleNames(), random);
        String last = pick(pools.lastNames(), random);
        return new Person(first, middle, last, gender, randomBirthDate(pools, random),
                pick(pools.cities(), random), pick(pools.universities(), random), pick(pools.fields(), random),
                pick(pools.employers(), random));
    }

    /** A uniform date in the pools' years; days 1-28, which every month has, so no date is invalid or rarer. */
    static LocalDate randomBirthDate(KnowledgePools pools, SplittableRandom random) {
        int years = pools.lastBirthYear() - pools.firstBirthYear() + 1;
        return LocalDate.of(pools.firstBirthYear() + random.nextInt(years), 1 + random.nextInt(12), 1 + random.nextInt(28));
    }

    private static <T> T pick(List<T> values, SplittableRandom random) {
        return values.get(random.nextInt(values.size()));
    }

    private static IllegalArgumentException tooFewNames(String what) {
        return new IllegalArgumentException("the name pools have too few unused combinations for " + what
                + "; add names to the pools or ask for fewer people");
    }
}
