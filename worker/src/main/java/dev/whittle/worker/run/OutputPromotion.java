package dev.whittle.worker.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import dev.whittle.engine.io.Folders;
import dev.whittle.persistence.evaluation.Evaluations;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.jobs.JobOutput;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.storage.StorageRoots;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.JsonNode;

/**
 * Makes a succeeded job's final output a registered model: moves its folder from the workspace into the output
 * root in one rename (copy, then rename, across file systems), registers it with its parents (the job's input, then
 * the models stages recorded as also made from) and producing job,
 * and gives it the evaluations that later stages made of it. It runs inside the transaction that ends the job;
 * if that transaction does not commit, the promoted folder is removed, so that no unregistered model is left.
 */
@Component
class OutputPromotion {

    private final StorageRoots storage;
    private final ModelCatalog catalog;
    private final Evaluations evaluations;
    private final Models models;

    OutputPromotion(StorageRoots storage, ModelCatalog catalog, Evaluations evaluations, Models models) {
        this.storage = storage;
        this.models = models;
        this.catalog = catalog;
        this.evaluations = evaluations;
    }

    /**
     * Promotes {@code output} of {@code run}, with a model card written from the job's {@code results}, and returns
     * the id of the registered model. Needs a transaction.
     */
    UUID promote(RunningJob run, StageOutputs.Output output, JsonNode results) {
        String name = name(run, output);
        Path promoted = move(output.folder(), name);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    Folders.deleteRecursively(promoted);
                }
            }
        });
        writeCard(promoted, name, run, output, results);
        List<UUID> parents = new ArrayList<>();
        parents.add(run.model().getId());
        parents.addAll(output.parents());
        UUID model = catalog.registerOutput(promoted.getFileName().toString(), promoted, parents,
                run.job().getId()).getId();
        // Stages after the one that wrote the output read that output; earlier evaluations of models the job
        // wrote were of intermediate ones, never registered, and stay without a model.
        evaluations.attributeToModel(run.job().getId(), output.stage().index(), model);
        return model;
    }

    /** The card replaces any the input model's folder had (it described the input, not this model). */
    private void writeCard(Path folder, String name, RunningJob run, StageOutputs.Output output, JsonNode results) {
        List<Model> lineage = new ArrayList<>();
        lineage.add(run.model());
        lineage.addAll(models.findAncestors(run.model().getId()));
        try {
            Files.writeString(folder.resolve(ModelCard.FILE), ModelCard.of(name, run.job(), lineage, results,
                    output.stage().index(), Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the model card of " + folder, e);
        }
    }

    /**
     * The output model's name: the job's {@code output.name}, or else the input's, what made it, and the job id's
     * first characters.
     */
    static String name(RunningJob run, StageOutputs.Output output) {
        JsonNode requested = run.job().getRecipe().path(JobOutput.FIELD).path("name");
        if (requested.isString() && !requested.asString().isBlank()) {
            return requested.asString();
        }
        return run.model().getName() + "-" + output.stage().type().name().toLowerCase(Locale.ROOT) + "-"
                + run.job().getId().toString().substring(0, 8);
    }

    private Path move(Path folder, String name) {
        Path target = storage.outputRoot().resolve(name);
        try {
            try {
                return Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                return copyThenRename(folder, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the output model " + folder + " into " + storage.outputRoot(), e);
        }
    }

    private Path copyThenRename(Path folder, Path target) throws IOException {
        Path staging = target.resolveSibling("." + target.getFileName() + ".partial");
        Folders.deleteRecursively(staging);
        Files.createDirectories(staging);
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path source : files.toList()) {
                Path copy = staging.resolve(folder.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
