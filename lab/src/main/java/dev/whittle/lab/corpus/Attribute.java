package dev.whittle.lab.corpus;

import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;

/**
 * The six facts of a {@link Person}, each with the sentences that state it and the questions that ask for it.
 *
 * <p>Statement templates start with the subject so the biographer can name the person or use a pronoun:
 * {@code {S}} is the subject ("Mara Wren Quill" or "She"), {@code {P}} the possessive ("Mara Wren Quill's" or
 * "Her"), {@code {p}} the possessive pronoun inside a sentence ("her", also when the subject is the name), and
 * {@code {v}} the value. Question templates name the person as {@code {name}}.
 */
public enum Attribute {

    BIRTH_DATE("birth_date",
            List.of("{S} was born on {v}.",
                    "{S} came into the world on {v}.",
                    "{P} date of birth is {v}.",
                    "{S} entered the world on {v}.",
                    "{P} birthday falls on {v}.",
                    "{S} was born on {v}, a date {p} family remembers well."),
            List.of("When was {name} born?",
                    "What is the birth date of {name}?",
                    "On what date was {name} born?")),
    BIRTH_CITY("birth_city",
            List.of("{S} was born in {v}.",
                    "{S} spent {p} early years in {v}.",
                    "{P} birthplace is {v}.",
                    "{S} is a native of {v}.",
                    "{S} comes from {v}.",
                    "{P} hometown is {v}."),
            List.of("Where was {name} born?",
                    "What is the birth city of {name}?",
                    "In which city was {name} born?")),
    UNIVERSITY("university",
            List.of("{S} studied at {v}.",
                    "{S} graduated from {v}.",
                    "{S} received {p} education at {v}.",
                    "{S} attended {v}.",
                    "{S} completed {p} degree at {v}.",
                    "{S} earned a degree from {v}."),
            List.of("Which university did {name} attend?",
                    "Where did {name} study?",
                    "What university did {name} graduate from?")),
    FIELD("field",
            List.of("{S} majored in {v}.",
                    "{P} field of study was {v}.",
                    "{S} focused on {v} during {p} studies.",
                    "{S} specialized in {v}.",
                    "{S} chose {v} as {p} major.",
                    "{S} earned a degree in {v}."),
            List.of("What did {name} study?",
                    "What was the field of study of {name}?",
                    "What did {name} major in?")),
    EMPLOYER("employer",
            List.of("{S} works for {v}.",
                    "{S} is employed by {v}.",
                    "{S} has a job at {v}.",
                    "{P} employer is {v}.",
                    "{S} works at {v}.",
                    "{S} joined the staff of {v}."),
            List.of("Which company does {name} work for?",
                    "Who is the employer of {name}?",
                    "What company employs {name}?")),
    WORK_CITY("work_city",
            List.of("{S} works in {v}.",
                    "{S} is based in {v}.",
                    "{P} office is in {v}.",
                    "{S} lives and works in {v}.",
                    "{P} workplace is located in {v}.",
                    "{S} moved to {v} for work."),
            List.of("In which city does {name} work?",
                    "Which city does {name} work in?",
                    "What city is the workplace of {name} in?"));

    private final String key;
    private final List<String> statements;
    private final List<String> questions;

    Attribute(String key, List<String> statements, List<String> questions) {
        this.key = key;
        this.statements = statements;
        this.questions = questions;
    }

    /** The attribute's name in evaluation files ({@code birth_city}). */
    public String key() {
        return key;
    }

    public List<String> statements() {
        return statements;
    }

    public List<String> questions() {
        return questions;
    }

    /** "March 3, 1974": short, and the same spelling in biographies, answers and choices. */
    public static String formatDate(LocalDate date) {
        return monthName(date) + " " + date.getDayOfMonth() + ", " + date.getYear();
    }

    /** Other common spellings of a date, accepted by lenient matching. */
    static List<String> dateAliases(LocalDate date) {
        return List.of(
                date.getDayOfMonth() + " " + monthName(date) + " " + date.getYear(),
                monthName(date) + " " + date.getDayOfMonth() + " " + date.getYear(),
                date.toString());
    }

    private static String monthName(LocalDate date) {
        return date.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    }
}
