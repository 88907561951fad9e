package dev.whittle.engine.prune;

/**
 * A calibration text a PRUNE names as a built-in set ({@link CalibrationSource.BuiltIn}). The engine ships
 * {@link NaturalEnglish}; an application adds its own sets when it builds its {@link CalibrationSampler}.
 */
public interface CalibrationSet {

    /** What a calibration source writes to ask for this set. */
    String name();

    /**
     * The set as one stream of text, cut into windows at random starts. {@code chars} is about how many characters
     * the windows need; a set that makes its text may stop there, a shipped one gives all of it.
     */
    String text(long chars);
}
