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
import dev.whittle.persistence.job.JobRows;
import dev.whittle.persistence.model.ModelName;
import dev.whittle.persistence.model.ModelNames;
import dev.whittle.persistence.team.TeamScope;
import org.springframework.stereotype.Component;

/** Reads jobs as {@link JobView}s, with their models' names (one query for all the jobs shown). */
@Component
public class JobViews {

    private final ModelNames modelNames;
    private final JobRows rows;

    public JobViews(ModelNames modelNames, JobRows rows) {
        this.rows = rows;
        this.modelNames = modelNames;
    }

    /**
     * The job's view, if the current thread's team owns it ({@link TeamScope#owns}: another team's job is as absent as
     * one that does not exist); one statement reads the job, its team and its models' names.
     */
    public Optional<JobView> find(UUID id) {
        return rows.find(id).filter(n -> TeamScope.owns(n.job().getOwnerTeam())).map(n -> JobView.of(n.job(),
                ref(n.job().getModelId(), n.inputModelName()), ref(n.job().getOutputModelId(), n.outputModelName())));
    }

    private static JobView.ModelRef ref(UUID id, String name) {
        return id == null || name == null ? null : new JobView.ModelRef(id, name);
    }

    public JobView of(Job job) {
        return of(List.of(job)).getFirst();
    }

    /**
     * The view of a job just submitted on {@code input}, whose name the caller holds already: no query when the job
     * has no output model yet ({@code input} null: as {@link #of(Job)}).
     */
    public JobView of(Job job, ModelName input) {
        if (input == null || job.getOutputModelId() != null || !input.id().equals(job.getModelId())) {
            return of(job);
        }
        return JobView.of(job, new JobView.ModelRef(input.id(), input.name()), null);
    }

    /** The views of {@code list}, in its order. */
    public List<JobView> of(List<Job> list) {
        Set<UUID> ids = new HashSet<>();
        list.forEach(job -> Stream.of(job.getModelId(), job.getOutputModelId()).filter(Objects::nonNull).forEach(ids::add));
        Map<UUID, JobView.ModelRef> names = refs(modelNames.of(ids));
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
