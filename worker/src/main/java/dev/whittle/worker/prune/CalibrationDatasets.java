package dev.whittle.worker.prune;

import dev.whittle.engine.prune.Calibration;
import dev.whittle.engine.prune.CalibrationSource;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registered datasets a calibration set may name (PRUNE's and QUANTIZE's {@code calibration.dataset}): checked
 * against the registry at submission, resolved to a file when the stage runs.
 */
@Component
public class CalibrationDatasets {

    private final Datasets datasets;
    private final StorageRoots roots;

    public CalibrationDatasets(Datasets datasets, StorageRoots roots) {
        this.datasets = datasets;
        this.roots = roots;
    }

    /** What is wrong with {@code calibration}'s dataset against the registry; empty for a built-in set. */
    public List<FieldProblem> problems(Calibration calibration) {
        List<FieldProblem> problems = new ArrayList<>();
        if (calibration.dataset() == null) {
            return problems;
        }
        Optional<Dataset> dataset = dataset(calibration.dataset());
        if (dataset.isEmpty()) {
            problems.add(new FieldProblem("calibration.dataset", "no dataset with id or name '"
                    + calibration.dataset() + "'"));
        } else if (dataset.get().getFormat() == DatasetFormat.CSV) {
            problems.add(new FieldProblem("calibration.dataset", "'" + calibration.dataset() + "' is CSV; "
                    + "calibration reads TEXT or JSONL datasets"));
        } else if (dataset.get().getFormat() == DatasetFormat.TEXT && calibration.field() != null) {
            problems.add(new FieldProblem("calibration.field", "'" + calibration.dataset()
                    + "' is a TEXT dataset, which has no fields"));
        }
        return problems;
    }

    /** Where {@code calibration}'s windows are drawn from. */
    public CalibrationSource source(Calibration calibration) {
        return calibration.source(this::datasetFile);
    }

    /** The registered dataset's file, read as JSON lines or as text by its format. */
    private CalibrationSource datasetFile(String idOrName, String field) {
        Dataset dataset = dataset(idOrName).orElseThrow(() -> new IllegalStateException(
                "calibration.dataset: the dataset '" + idOrName + "' is no longer registered"));
        // Resolved again now: a file swapped for a link out of the data roots since registration is refused.
        Path file = roots.dataFile(dataset.getPath());
        return dataset.getFormat() == DatasetFormat.JSONL ? new CalibrationSource.JsonLines(file, field)
                : new CalibrationSource.TextFile(file);
    }

    /** The dataset by id or name, among those the current team sees. */
    private Optional<Dataset> dataset(String idOrName) {
        return datasets.findVisible(idOrName);
    }
}
