package dev.whittle.worker.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.persistence.team.TeamScope;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Registers model folders: those users bring (confined to the model roots) and those jobs write. */
@Component
public class ModelCatalog {

    private final Models models;
    private final StorageRoots roots;

    public ModelCatalog(Models models, StorageRoots roots) {
        this.models = models;
        this.roots = roots;
    }

    /**
     * The model with this id or, failing that, this name, if the current thread's team sees it (its own models and
     * the shared ones, {@link TeamScope}; a name both use is its own): another team's model is as absent as one that
     * does not exist.
     */
    public Optional<Model> find(String idOrName) {
        Optional<Model> found = Optional.empty();
        if (idOrName.length() == 36) { // a name on every submission: no exception thrown to find that out
            try {
                found = models.findById(UUID.fromString(idOrName));
            } catch (IllegalArgumentException notAnId) {
                // then it is a name
            }
        }
        found = found.filter(m -> TeamScope.sees(m.getOwnerTeam()));
        return found.isPresent() ? found : models.findVisibleByName(idOrName);
    }

    /**
     * Registers the folder {@code path} (inside the model roots) under {@code name}, after validating its config
     * and weights. Throws {@link dev.whittle.worker.storage.OutsideRootsException},
     * {@link InvalidModelFolderException} or {@link DuplicateNameException}.
     */
    public Model register(String name, String path) {
        if (nameTaken(name)) {
            throw new DuplicateNameException("A model named '" + name + "' is already registered");
        }
        Path folder = roots.modelFolder(path);
        return save(name, folder, ModelFolders.describe(folder, roots.modelFileRoots()), List.of(), null);
    }

    /** Whether the current thread's team already has a model named {@code name} (names are unique per team). */
    public boolean nameTaken(String name) {
        return models.existsByOwnerTeamAndName(TeamScope.owner(), name);
    }

    /**
     * Registers a complete folder written by job {@code jobId} from models {@code parentIds} (the job's input first),
     * unless it holds NaN or infinite weights ({@link InvalidModelFolderException}). Joins the caller's transaction.
     */
    @Transactional
    public Model registerOutput(String name, Path folder, List<UUID> parentIds, UUID jobId) {
        return save(name, folder, ModelFolders.describe(folder, roots.modelFileRoots(), true), parentIds, jobId);
    }

    private Model save(String name, Path folder, ModelDescription d, List<UUID> parentIds, UUID jobId) {
        try {
            return models.saveAndFlush(new Model(name, folder.toString(), d.family(), d.architecture(),
                    d.parameterCount(), d.files(), parentIds, jobId));
        } catch (DataIntegrityViolationException e) {
            throw new DuplicateNameException("A model named '" + name + "' is already registered");
        }
    }
}
