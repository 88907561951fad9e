package dev.whittle.engine.prune;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The token windows a calibration runs on: {@code samples} sequences of {@code length} tokens each, with where they
 * came from. The fingerprint (SHA-256 of the count, the length and every token id as little-endian int32) names
 * exactly this calibration set, so two runs can be told to have seen the same data.
 *
 * @param source   what was sampled (a file, a built-in set), for the record
 * @param sampling how: {@code documents} (a random document longer than the window, then a random start, as the
 *                 official C4 loader) or {@code stream} (a random start in the whole tokenised text, as its
 *                 WikiText-2 loader), or {@code random-tokens} for benchmarks
 */
public record CalibrationWindows(List<int[]> windows, String source, String sampling, long seed) {

    public CalibrationWindows {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one window");
        }
        int length = windows.getFirst().length;
        for (int[] w : windows) {
            if (w.length != length || length == 0) {
                throw new IllegalArgumentException("calibration windows must all have the same, non-zero length");
            }
        }
        windows = List.copyOf(windows);
    }

    /** Uniformly random token ids: for benchmarks, whose timings do not depend on the text. */
    public static CalibrationWindows randomTokens(int vocab, int samples, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> windows = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            windows.add(random.ints(length, 0, vocab).toArray());
        }
        return new CalibrationWindows(windows, "random tokens below " + vocab, "random-tokens", seed);
    }

    public int samples() {
        return windows.size();
    }

    public int length() {
        return windows.getFirst().length;
    }

    /** Hex SHA-256 of the windows. */
    public String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(4 * Math.max(2, length())).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(samples()).putInt(length()).flip();
            digest.update(buffer);
            for (int[] window : windows) {
                buffer.clear();
                for (int token : window) {
                    buffer.putInt(token);
                }
                buffer.flip();
                digest.update(buffer);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
