-- Models and ended jobs can be deleted (DELETE /models/{id}, DELETE /jobs/{id}); the API refuses while something
-- still needs them (a job that is not over uses the model, a child model descends from it, a registered model was
-- written by the job). What is left refers to them softly:
-- - the ended jobs that read a deleted model, or wrote it, keep their record without it;
-- - evaluations of a deleted model go with it (and their samples, by cascade); those that used it as a baseline
--   keep their numbers without the link;
-- - the evaluations a deleted job made keep their results without the job.

alter table job alter column model_id drop not null;
alter table job drop constraint job_model_id_fkey,
    add constraint job_model_id_fkey foreign key (model_id) references model (id) on delete set null;
alter table job drop constraint job_output_model_id_fkey,
    add constraint job_output_model_id_fkey foreign key (output_model_id) references model (id) on delete set null;

alter table evaluation drop constraint evaluation_model_id_fkey,
    add constraint evaluation_model_id_fkey foreign key (model_id) references model (id) on delete cascade;
alter table evaluation drop constraint evaluation_baseline_model_id_fkey,
    add constraint evaluation_baseline_model_id_fkey foreign key (baseline_model_id) references model (id) on delete set null;
alter table evaluation drop constraint evaluation_baseline_id_fkey,
    add constraint evaluation_baseline_id_fkey foreign key (baseline_id) references evaluation (id) on delete set null;
alter table evaluation drop constraint evaluation_job_id_fkey,
    add constraint evaluation_job_id_fkey foreign key (job_id) references job (id) on delete set null;
