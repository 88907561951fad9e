package dev.whittle.engine.testing;

import java.util.List;

/**
 * What a parser's fuzz target asserts: whatever the input, the parser returns or throws one of the exception types
 * it documents. Anything else (a NullPointerException, an ArithmeticException, an IndexOutOfBounds, a
 * StackOverflowError from deep nesting) is a finding, rethrown so that Jazzer keeps the input.
 */
public final class FuzzContract {

    private FuzzContract() {
    }

    /** A parse step that may throw a checked exception. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    public static void onlyThrows(Parse parse, List<Class<? extends Throwable>> documented) {
        try {
            parse.run();
        } catch (Throwable t) {
            for (Class<? extends Throwable> type : documented) {
                if (type.isInstance(t)) {
                    return;
                }
            }
            throw new AssertionError("undocumented " + t.getClass().getName() + ": " + t.getMessage(), t);
        }
    }
}
