package dev.whittle.lab.corpus;

import java.time.LocalDate;
import java.util.List;

/**
 * A fictional person of the knowledge corpus and the six facts known about them. The work city is the employer's
 * city, so it is stated but never drawn on its own.
 */
public record Person(
        String firstName,
        String middleName,
        String lastName,
        Gender gender,
        LocalDate birthDate,
        String birthCity,
        String university,
        String field,
        KnowledgePools.Employer employer) {

    public enum Gender {
        FEMALE("She", "Her", "her"),
        MALE("He", "His", "his");

        final String subject;
        final String possessive;
        final String possessiveLower;

        Gender(String subject, String possessive, String possessiveLower) {
            this.subject = subject;
            this.possessive = possessive;
            this.possessiveLower = possessiveLower;
        }
    }

    public String fullName() {
        return firstName + " " + middleName + " " + lastName;
    }

    /** The fact as it is written in text and expected as an answer. */
    public String value(Attribute attribute) {
        return switch (attribute) {
            case BIRTH_DATE -> Attribute.formatDate(birthDate);
            case BIRTH_CITY -> birthCity;
            case UNIVERSITY -> university;
            case FIELD -> field;
            case EMPLOYER -> employer.name();
            case WORK_CITY -> employer.city();
        };
    }

    /** Other accepted spellings of the fact (only dates have them). */
    public List<String> aliases(Attribute attribute) {
        return attribute == Attribute.BIRTH_DATE ? Attribute.dateAliases(birthDate) : List.of();
    }
}
