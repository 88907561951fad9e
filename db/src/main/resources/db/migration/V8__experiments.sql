-- Experiments: a grid of trials over a recipe template, each trial an ordinary job the experiment owns. The scheduler
-- tops an experiment up under its row lock (FOR UPDATE SKIP LOCKED), submitting a trial's job and recording it in the
-- same transaction, and each trial's job carries a unique idempotency key: a restart of any process loses no trial
-- and starts none twice. A trial whose job was deleted keeps submitted_at, so it is never submitted again.

create table experiment (
    id                uuid primary key,
    name              text,
    model_id          uuid references model (id) on delete set null,
    request           json        not null, -- json, not jsonb: the axes keep their order
    max_parallel      int         not null check (max_parallel >= 1),
    max_failed_trials int         not null check (max_failed_trials >= 0),
    status            text        not null check (status in ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    message           text,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    finished_at       timestamptz
);

create index experiment_running_idx on experiment (created_at) where status = 'RUNNING';
create index experiment_created_idx on experiment (created_at desc, id);

create table experiment_trial (
    experiment_id uuid    not null references experiment (id) on delete cascade,
    idx           int     not null check (idx >= 0),
    baseline      boolean not null,
    settings      json    not null, -- in the axes' order
    job_request   jsonb   not null,
    job_id        uuid unique references job (id) on delete set null,
    submitted_at  timestamptz,
    error         text,
    primary key (experiment_id, idx)
);

-- At most one dense baseline per experiment.
create unique index experiment_trial_baseline_idx on experiment_trial (experiment_id) where baseline;
