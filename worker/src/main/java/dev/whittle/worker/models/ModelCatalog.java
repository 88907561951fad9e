package dev.whittle.worker.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelFolder;
import dev.whittle.persistence.model.ModelNames;
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
    private final ModelNames names;
    private final StorageRoots roots;

    public ModelCatalog(Models models, ModelNames names, StorageRoots roots) {
        this.models = models;
        this.names = names;
        this.roots = roots;
    }

    /**
     * The model with this id or, failing that, this name, if the current thread's team sees it (its own models and
     * the shared ones, {@link TeamScope}; a name both use is its own): another team's model is as absent as one that
     * does not exist.
     */
    public Optional<Model> find(String idOrName) {
        UUID id = idOrName.length() == 36 ? uuid(idOrName) : null; // a name on every submission: no exception thrown
        Optional<Model> found = id == null ? Optional.empty()
                : models.findById(id).filter(m -> TeamScope.sees(m.getOwnerTeam()));
        return found.isPresent() ? found : models.findVisibleByName(idOrName);
    }

    /**
     * As {@link #find}, only the model's id, name, folder and team, in plain SQL: what every job submission checks its
     * recipe on.
     */
    public Optional<ModelFolder> findFolder(String idOrName) {
        UUID id = idOrName.length() == 36 ? uuid(idOrName) : null;
        Optional<ModelFolder> found = id == null ? Optional.empty()
                : names.folder(id).filter(m -> TeamScope.sees(m.ownerTeam()));
        return found.isPresent() ? found
                : TeamScope.nearest(names.foldersNamed(idOrName, TeamScope.filter()), ModelFolder::ownerTeam);
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException notAnId) {
            return null; // then it is a name
        }
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
