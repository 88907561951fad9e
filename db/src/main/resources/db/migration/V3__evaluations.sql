-- Evaluations (the EVALUATE stage): one row per task run on a model, its per-sample records, and the tasks users
-- registered. An evaluation of a registered model has model_id; one of a model a job wrote (not registered while
-- the job runs) has only job_id, and belongs to that job's output model once it exists.

create table eval_task (
    name       text primary key,
    version    int         not null check (version >= 1),
    definition jsonb       not null,
    created_at timestamptz not null
);

create table evaluation (
    id              uuid primary key,
    job_id          uuid references job (id),
    stage_index     int,
    model_id        uuid references model (id),
    task            text             not null,
    task_version    int              not null,
    task_definition jsonb            not null,
    request_type    text             not null,
    primary_metric  text             not null,
    sample_limit    int              not null check (sample_limit >= 0),
    seed            bigint,
    metrics         jsonb            not null,
    groups          jsonb            not null,
    macro           jsonb            not null,
    details         jsonb            not null,
    samples         int              not null,
    available       int              not null,
    truncated       int              not null,
    seconds         double precision not null,
    model_stats     jsonb            not null,
    baseline_id     uuid references evaluation (id),
    baseline_model_id uuid references model (id),
    retention       jsonb,
    created_at      timestamptz      not null
);

-- Reuse of a dense model's results: same model, task version, limit and seed.
create index evaluation_reuse_idx on evaluation (model_id, task, task_version, sample_limit, created_at desc);
create index evaluation_job_idx on evaluation (job_id);
create index evaluation_created_idx on evaluation (created_at desc, id);

create table evaluation_sample (
    evaluation_id uuid    not null references evaluation (id) on delete cascade,
    idx           int     not null,
    correct       boolean,
    record        jsonb   not null,
    primary key (evaluation_id, idx)
);

create index evaluation_sample_correct_idx on evaluation_sample (evaluation_id, correct, idx);
