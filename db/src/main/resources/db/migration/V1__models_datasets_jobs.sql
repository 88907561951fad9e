-- Whittle's own tables: registered models and datasets, jobs (the queue), and each job's event log.
-- Timestamps are timestamptz and lease arithmetic uses the database clock, so workers on hosts whose
-- clocks disagree still agree on who holds a lease.

create table model (
    id               uuid primary key,
    name             text        not null unique,
    path             text        not null,
    family           text        not null,
    architecture     jsonb       not null,
    parameter_count  bigint      not null check (parameter_count >= 0),
    size_bytes       bigint      not null check (size_bytes >= 0),
    files            jsonb       not null,
    parent_id        uuid        references model (id),
    producing_job_id uuid,
    created_at       timestamptz not null
);

create table dataset (
    id           uuid primary key,
    name         text        not null unique,
    path         text        not null,
    format       text        not null check (format in ('TEXT', 'JSONL', 'CSV')),
    size_bytes   bigint      not null check (size_bytes >= 0),
    record_count bigint      not null check (record_count >= 0),
    sha256       text        not null,
    created_at   timestamptz not null
);

create table job (
    id                 uuid primary key,
    name               text,
    model_id           uuid        not null references model (id),
    recipe             jsonb       not null,
    labels             jsonb       not null default '{}',
    callback_url       text,
    status             text        not null
        check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED')),
    idempotency_key    text unique,
    request_hash       text,

    -- The lease: who runs the job and until when. attempt counts claims; (worker_id, attempt) fences a
    -- worker whose lease expired from writing over the job's next attempt.
    attempt            int         not null default 0 check (attempt >= 0),
    max_attempts       int         not null check (max_attempts >= 1),
    worker_id          text,
    lease_expires_at   timestamptz,
    heartbeat_at       timestamptz,
    batch_execution_id bigint,

    -- Progress as last reported by the running stage.
    stage_index        int,
    stage_count        int         not null check (stage_count >= 1),
    stage_name         text,
    unit_done          bigint,
    unit_total         bigint,
    percent            double precision,
    progress_message   text,
    eta                timestamptz,

    created_at         timestamptz not null,
    queued_at          timestamptz not null,
    started_at         timestamptz,
    finished_at        timestamptz,
    updated_at         timestamptz not null,

    error_code         text,
    error_message      text,
    result             jsonb,
    output_model_id    uuid        references model (id),

    -- Callback delivery (an outbox: any process may deliver, retries survive restarts).
    callback_state     text check (callback_state in ('PENDING', 'DELIVERED', 'FAILED')),
    callback_attempts  int         not null default 0,
    callback_next_at   timestamptz
);

alter table model add constraint model_producing_job_fk foreign key (producing_job_id) references job (id);

create index job_queue_idx on job (queued_at) where status = 'QUEUED';
create index job_lease_idx on job (lease_expires_at) where status in ('RUNNING', 'CANCELLING');
create index job_created_idx on job (created_at desc, id);
create index job_model_idx on job (model_id);
create index job_labels_idx on job using gin (labels);
create index job_stages_idx on job using gin ((recipe -> 'stages') jsonb_path_ops);
create index job_callback_idx on job (callback_next_at) where callback_state = 'PENDING';
create index model_parent_idx on model (parent_id);

create table job_event (
    id      bigint generated always as identity primary key,
    job_id  uuid        not null references job (id) on delete cascade,
    at      timestamptz not null,
    level   text        not null check (level in ('DEBUG', 'INFO', 'WARN', 'ERROR')),
    type    text        not null,
    message text        not null,
    data    jsonb
);

create index job_event_job_idx on job_event (job_id, id);
