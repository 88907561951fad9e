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
import dev.whittle.persistence.model.ModelName;
import dev.whittle.persistence.model.Models;
import org.springframework.stereotype.Component;

/** Reads jobs as {@link JobView}s, with their models' names (one query for all the jobs shown). */
@Component
public class JobViews {

    private final Jobs jobs;
    private final Models models;

    public JobViews(Jobs jobs, Models models) {
        this.jobs = jobs;
        this.models = models;
    }

    public Optional<JobView> find(UUID id) {
        return jobs.findById(id).map(this::of);
    }

    public JobView of(Job job) {
        return of(List.of(job)).getFirst();
    }

    /** The views of {@code list}, in its order. */
    public List<JobView> of(List<Job> list) {
        Set<UUID> ids = new HashSet<>();
        list.forEach(job -> Stream.of(job.getModelId(), job.getOutputModelId()).filter(Objects::nonNull).forEach(ids::add));
        Map<UUID, JobView.ModelRef> names = ids.isEmpty() ? Map.of() : models.findNames(ids).stream()
                .collect(Collectors.toMap(ModelName::id, m -> new JobView.ModelRef(m.id(), m.name()), (a, b) -> a));
        Function<UUID, JobView.ModelRef> name = id -> id == null ? null : names.get(id);
        return list.stream().map(job -> JobView.of(job, name.apply(job.getModelId()), name.apply(job.getOutputModelId())))
                .toList();
    }
}
