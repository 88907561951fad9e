package dev.whittle.engine.prune;

/**
 * How much calibration data to draw, and from where: {@code samples} windows of {@code sequenceLength} tokens (the
 * official code's {@code nsamples} and {@code seqlen}; the length is clipped to the model's context) at random
 * starts drawn with {@code seed}.
 */
public record CalibrationSettings(CalibrationSource source, int samples, int sequenceLength, long seed) {

    public static final int DEFAULT_SAMPLES = 128;
    public static final int DEFAULT_SEQUENCE_LENGTH = 2048;
    public static final long DEFAULT_SEED = 0;
    public static final CalibrationSource DEFAULT_SOURCE = new CalibrationSource.BuiltIn(CalibrationSampler.NATURAL_ENGLISH);

    public CalibrationSettings {
        source = source == null ? DEFAULT_SOURCE : source;
        if (samples < 1) {
            throw new PruneProblemException(new PruneProblem("calibration.nsamples", "must be at least 1, got " + samples));
        }
        if (sequenceLength < 1) {
            throw new PruneProblemException(new PruneProblem("calibration.seqlen", "must be at least 1, got " + sequenceLength));
        }
    }

    /** The official defaults over {@code source}: 128 windows of 2048 tokens, seed 0. */
    public static CalibrationSettings defaults(CalibrationSource source) {
        return new CalibrationSettings(source, DEFAULT_SAMPLES, DEFAULT_SEQUENCE_LENGTH, DEFAULT_SEED);
    }
}
