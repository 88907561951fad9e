package dev.whittle.worker.jobs;

import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.job.Job;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import org.springframework.stereotype.Component;

/** Reads jobs as {@link JobView}s (with their models' names). */
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
        Model model = job.getModelId() == null ? null : models.findById(job.getModelId()).orElse(null);
        Model output = job.getOutputModelId() == null ? null : models.findById(job.getOutputModelId()).orElse(null);
        return JobView.of(job, model, output);
    }
}
