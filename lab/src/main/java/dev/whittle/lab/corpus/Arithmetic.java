package dev.whittle.lab.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * The MoE reference model's synthetic arithmetic domain: sums and differences of whole numbers from 1 to
 * {@value #MAX} whose result is in that range too ({@code a + b <= 28}, {@code a - b >= 1}), asked as questions in the
 * knowledge corpus's {@code Q: ...\nA: answer} form. Every number up to 28 is one token of the reference tokenizer
 * (the days of the birth dates), so an answer is one token and a problem is a lookup the model must learn as a
 * function of its operands, not a string to copy.
 *
 * <p>A seeded {@value #HELD_OUT_PERCENT}% of the problems are held out: never trained on, they are the evaluation set,
 * so its accuracy measures whether the model learnt to add rather than memorised the table.
 */
public final class Arithmetic {

    public static final int MAX = 28;
    static final int HELD_OUT_PERCENT = 15;
    private static final long SEED = 1202;

    private static final List<String> PLUS = List.of("What is %d plus %d?", "How much is %d plus %d?",
            "Add %d and %d.");
    private static final List<String> MINUS = List.of("What is %d minus %d?", "How much is %d minus %d?",
            "Subtract %2$d from %1$d.");

    /** {@code a + b} or {@code a - b}. */
    public record Problem(int a, int b, boolean plus) {
        public int answer() {
            return plus ? a + b : a - b;
        }

        /** The problem in phrasing {@code template} (0 .. {@link #TEMPLATES}-1; the evaluation asks in phrasing 0). */
        public Biographer.QuestionAnswer question(int template) {
            String question = String.format((plus ? PLUS : MINUS).get(template), a, b);
            return new Biographer.QuestionAnswer(question, Integer.toString(answer()));
        }
    }

    /** Phrasings per operation. */
    public static final int TEMPLATES = PLUS.size();

    private final List<Problem> trained;
    private final List<Problem> heldOut;

    public Arithmetic() {
        List<Problem> all = new ArrayList<>();
        for (int a = 1; a <= MAX; a++) {
            for (int b = 1; b <= MAX; b++) {
                if (a + b <= MAX) {
                    all.add(new Problem(a, b, true));
                }
                if (a - b >= 1) {
                    all.add(new Problem(a, b, false));
                }
            }
        }
        int[] order = new int[all.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Seeds.shuffle(order, Seeds.derive(SEED));
        int held = all.size() * HELD_OUT_PERCENT / 100;
        List<Problem> out = new ArrayList<>();
        List<Problem> in = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            (i < held ? out : in).add(all.get(order[i]));
        }
        this.trained = List.copyOf(in);
        this.heldOut = List.copyOf(out);
    }

    /** The problems training sees, in a fixed order. */
    public List<Problem> trained() {
        return trained;
    }

    /** The problems only the evaluation asks. */
    public List<Problem> heldOut() {
        return heldOut;
    }

    /** Training document {@code index}: the trained problems cycled, each pass in the next phrasing. */
    public Biographer.QuestionAnswer document(int index) {
        return trained.get(index % trained.size()).question((index / trained.size()) % TEMPLATES);
    }
}
