package dev.whittle.worker.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.whittle.engine.io.Folders;
import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Deletes a model: refused while a job that has not ended reads it or another model was made from it. A folder a
 * job wrote (in the output root) is removed with it, once the deletion has committed; a folder registered by path
 * is the user's and is only unregistered, never touched. Its evaluations go with it; ended jobs that read or wrote
 * it keep their record.
 */
@Component
public class ModelRemoval {

    /** What happened to the folder. */
    public enum Outcome { FOLDER_DELETED, UNREGISTERED_ONLY }

    private final Models models;
    private final Jobs jobs;
    private final StorageRoots storage;

    public ModelRemoval(Models models, Jobs jobs, StorageRoots storage) {
        this.models = models;
        this.jobs = jobs;
        this.storage = storage;
    }

    /** @throws ModelInUseException when a job or a child model still needs it */
    @Transactional
    public Outcome remove(UUID id) {
        Model model = models.lockById(id).orElseThrow(() -> new IllegalArgumentException("no model " + id));
        List<Job> running = jobs.findUnfinishedOn(id);
        if (!running.isEmpty()) {
            throw new ModelInUseException("Model '" + model.getName() + "' is used by " + running.size()
                    + " job(s) that have not ended (" + running.stream().map(j -> j.getId().toString())
                    .collect(Collectors.joining(", ")) + "); cancel them or wait until they end");
        }
        List<Model> children = models.findChildren(id);
        if (!children.isEmpty()) {
            throw new ModelInUseException("Model '" + model.getName() + "' has models made from it ("
                    + children.stream().map(Model::getName).collect(Collectors.joining(", ")) + "); delete them first");
        }
        Path folder = Path.of(model.getPath()).toAbsolutePath().normalize();
        boolean jobWritten = model.getProducingJobId() != null && folder.startsWith(storage.outputRoot())
                && !folder.equals(storage.outputRoot()) && Files.isDirectory(folder);
        models.delete(model);
        models.flush();
        if (!jobWritten) {
            return Outcome.UNREGISTERED_ONLY;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                Folders.deleteRecursively(folder);
            }
        });
        return Outcome.FOLDER_DELETED;
    }
}
