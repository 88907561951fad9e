package dev.whittle.worker.distill;

import dev.whittle.worker.losscurve.LossCurve;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validation losses a fine-tune measured, kept in its work folder ({@value #VALIDATION_FILE}) as they are
 * measured, so that a resumed run's loss curve is the whole run's: the training losses come back from the engine's
 * checkpoint, the validation losses from here.
 */
final class ValidationLosses {

    static final String VALIDATION_FILE = "validation-losses.json";

    private final Path file;
    private final TreeMap<Long, Double> validation = new TreeMap<>();

    /** The losses of the run whose work folder is {@code workFolder}, with what an earlier attempt measured. */
    ValidationLosses(Path workFolder) {
        this.file = workFolder.resolve(VALIDATION_FILE);
        if (Files.isRegularFile(file)) {
            try {
                validation.putAll(JsonMapper.shared().readValue(file.toFile(), new TypeReference<Map<Long, Double>>() { }));
            } catch (RuntimeException unreadable) {
                // Written by atomic moves, so never torn; if it is unreadable anyway, only the earlier validation
                // points are lost, which is no reason to fail a resumed run.
            }
        }
    }

    /** Records the validation loss measured after update {@code step}, on disk at once. */
    void validated(long step, double loss) {
        validation.put(step, loss);
        try {
            Path temp = file.resolveSibling(VALIDATION_FILE + ".tmp");
            JsonMapper.shared().writeValue(temp.toFile(), validation);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole curve, from the training losses of updates 1..n. */
    LossCurve curve(List<Double> losses) {
        List<LossCurve.Point> points = new ArrayList<>(losses.size());
        for (int i = 0; i < losses.size(); i++) {
            long step = i + 1;
            points.add(new LossCurve.Point(step, losses.get(i), validation.get(step)));
        }
        return new LossCurve(points);
    }
}
