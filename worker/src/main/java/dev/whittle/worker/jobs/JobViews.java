package dev.whittle.worker.jobs;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelName;
import dev.whittle.persistence.model.ModelNames;
import dev.whittle.persistence.model.Models;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Reads jobs as {@link JobView}s, with their models' names (one query for all the jobs shown). */
@Component
public class JobViews {

    private final Jobs jobs;
    private final Models models;
    private final ModelNames modelNames;

    public JobViews(Jobs jobs, Models models, ModelNames modelNames) {
        this.jobs = jobs;
        this.models = models;
        this.modelNames = modelNames;
    }

    /** The job's view; one read-only transaction for the job and its models' names. */
    @Transactional(readOnly = true)
    public Optional<JobView> find(UUID id) {
        return jobs.findById(id).map(this::of);
    }

    public JobView of(Job job) {
        Map<UUID, JobView.ModelRef> names = refs(modelNames.of(job.getModelId(), job.getOutputModelId()));
        return view(job, names);
    }

    /**
     * The view of a job just submitted on {@code input}, whose name the caller holds already: no query when the job
     * has no output model yet ({@code input} null: as {@link #of(Job)}).
     */
    public JobView of(Job job, Model input) {
        if (input == null || job.getOutputModelId() != null || !input.getId().equals(job.getModelId())) {
            return of(job);
        }
        return JobView.of(job, new JobView.ModelRef(input.getId(), input.getName()), null);
    }

    /** The views of {@code list}, in its order. */
    public List<JobView> of(List<Job> list) {
        Set<UUID> ids = new HashSet<>();
        list.forEach(job -> Stream.of(job.getModelId(), job.getOutputModelId()).filter(Objects::nonNull).forEach(ids::add));
        Map<UUID, JobView.ModelRef> names = ids.isEmpty() ? Map.of() : refs(models.findNames(ids));
        return list.stream().map(job -> view(job, names)).toList();
    }

    private static Map<UUID, JobView.ModelRef> refs(List<ModelName> names) {
        return names.stream().collect(Collectors.toMap(ModelName::id, m -> new JobView.ModelRef(m.id(), m.name()), (a, b) -> a));
    }

    private static JobView view(Job job, Map<UUID, JobView.ModelRef> names) {
        Function<UUID, JobView.ModelRef> name = id -> id == null ? null : names.get(id);
        return JobView.of(job, name.apply(job.getModelId()), name.apply(job.getOutputModelId()));
    }
}
