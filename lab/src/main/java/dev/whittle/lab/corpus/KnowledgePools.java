package dev.whittle.lab.corpus;

import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The value pools that fictional people are drawn from: names, cities, universities, fields of study and
 * employers (each employer sits in one city). The standard pools live in {@code knowledge-pools.json} beside
 * this class; a small controlled vocabulary so that a small model spends its capacity on the facts.
 */
public record KnowledgePools(
        List<String> femaleFirstNames,
        List<String> maleFirstNames,
        List<String> middleNames,
        List<String> lastNames,
        List<String> cities,
        List<String> universities,
        List<String> fields,
        List<Employer> employers,
        int firstBirthYear,
        int lastBirthYear) {

    /** An employer and the city it is in. */
    public record Employer(String name, String city) {
    }

    public KnowledgePools {
        requireDistinct("femaleFirstNames", femaleFirstNames, 1);
        requireDistinct("maleFirstNames", maleFirstNames, 1);
        requireDistinct("middleNames", middleNames, 1);
        requireDistinct("lastNames", lastNames, 1);
        // A 4-way multiple choice needs three wrong values of every attribute.
        requireDistinct("cities", cities, 4);
        requireDistinct("universities", universities, 4);
        requireDistinct("fields", fields, 4);
        requireDistinct("employers", employers.stream().map(Employer::name).toList(), 4);
        for (Employer employer : employers) {
            if (!cities.contains(employer.city())) {
                throw new IllegalArgumentException("employer '" + employer.name() + "' is in '" + employer.city()
                        + "', which is not in the cities pool");
            }
        }
        if (employers.stream().map(Employer::city).distinct().count() < 4) {
            throw new IllegalArgumentException("employers must be spread over at least 4 cities");
        }
        if (lastBirthYear < firstBirthYear) {
            throw new IllegalArgumentException("lastBirthYear " + lastBirthYear + " is before firstBirthYear " + firstBirthYear);
        }
        femaleFirstNames = List.copyOf(femaleFirstNames);
        maleFirstNames = List.copyOf(maleFirstNames);
        middleNames = List.copyOf(middleNames);
        lastNames = List.copyOf(lastNames);
        cities = List.copyOf(cities);
        universities = List.copyOf(universities);
        fields = List.copyOf(fields);
        employers = List.copyOf(employers);
    }

    /** The pools the reference corpus is built from. */
    public static KnowledgePools standard() {
        try (InputStream in = KnowledgePools.class.getResourceAsStream("knowledge-pools.json")) {
            if (in == null) {
                throw new IllegalStateException("resource knowledge-pools.json is missing from the engine");
            }
            return JsonMapper.builder().build().readValue(in, KnowledgePools.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read knowledge-pools.json", e);
        }
    }

    private static void requireDistinct(String pool, List<String> values, int atLeast) {
        if (values == null || values.size() < atLeast) {
            throw new IllegalArgumentException("pool '" + pool + "' needs at least " + atLeast + " values");
        }
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (value == null || value.isBlank() || !seen.add(value)) {
                throw new IllegalArgumentException("pool '" + pool + "' has a blank or repeated value: '" + value + "'");
            }
        }
    }
}
