package dev.whittle.engine.prune;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The default calibration set, general English as the papers' C4 is: an excerpt of the Brown Corpus shipped on the
 * classpath (source, licence and the command that rebuilds it in {@code calibration/SOURCES.md}), so a worker never
 * fetches anything. About 1.5 MB of running text; 128 windows of 2048 tokens may overlap, as the official code's
 * stream sampling of WikiText-2 can.
 */
public final class NaturalEnglish implements CalibrationSet {

    public static final String NAME = "natural-english";
    /** The excerpt on the classpath. */
    public static final String RESOURCE = "/dev/whittle/engine/prune/calibration/natural-english.txt";

    /** Read once, when first asked for. */
    private static final class Text {
        static final String VALUE = read();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String text(long chars) {
        return Text.VALUE;
    }

    private static String read() {
        try (InputStream in = NaturalEnglish.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the engine's classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
