package dev.whittle.worker.datasets;

import java.nio.file.Path;

import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.worker.models.DuplicateNameException;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/** Registers data files (confined to the data roots) after checking them against their format. */
@Component
public class DatasetCatalog {

    private final Datasets datasets;
    private final StorageRoots roots;

    public DatasetCatalog(Datasets datasets, StorageRoots roots) {
        this.datasets = datasets;
        this.roots = roots;
    }

    public Dataset register(String name, String path, DatasetFormat format) {
        if (datasets.existsByOwnerTeamAndName(TeamScope.owner(), name)) { // unique per team
            throw new DuplicateNameException("A dataset named '" + name + "' is already registered");
        }
        Path file = roots.dataFile(path);
        DatasetFiles.Description d = DatasetFiles.describe(file, format);
        try {
            return datasets.saveAndFlush(new Dataset(name, file.toString(), format, d.sizeBytes(), d.records(), d.sha256()));
        } catch (DataIntegrityViolationException e) {
            throw new DuplicateNameException("A dataset named '" + name + "' is already registered");
        }
    }
}
