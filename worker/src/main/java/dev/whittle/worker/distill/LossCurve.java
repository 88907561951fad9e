package dev.whittle.worker.distill;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * The loss of every update and the validation losses measured on the way. The training losses come back from the
 * engine's checkpoint on a resumed run; the validation losses are kept in the work folder ({@value #VALIDATION_FILE})
 * as they are measured, so a resumed run's curve is the whole run's.
 */
final class LossCurve {

    static final String VALIDATION_FILE = "validation-losses.json";

    /** One update: its training loss, and the validation loss when one was measured after it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Point(long step, double loss, Double validationLoss) {
    }

    private final Path file;
    private final TreeMap<Long, Double> validation = new TreeMap<>();

    /** The curve of the run whose work folder is {@code workFolder}, with what an earlier attempt measured. */
    LossCurve(Path workFolder) {
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

    /** Every update's point, from the losses of updates 1..n. */
    List<Point> points(List<Double> losses) {
        List<Point> points = new ArrayList<>(losses.size());
        for (int i = 0; i < losses.size(); i++) {
            long step = i + 1;
            points.add(new Point(step, losses.get(i), validation.get(step)));
        }
        return points;
    }
}
