-- Teams and API keys (issue 14). Every job, model, dataset, registered task and evaluation belongs to a team; a key
-- (or a JWT) acts for one team and sees only that team's rows and those of the team 'shared' (reference models an
-- admin registered for everyone, read-only to the other teams). Rows made before teams existed go to 'default',
-- the team of the first admin key.
-- A key is stored as the hex SHA-256 of its secret: keys are 256 random bits, so a fast hash cannot be brute-forced
-- (bcrypt's cost protects guessable passwords, and would be paid on every request).

create table team (
    name       text primary key check (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    created_at timestamptz not null
);

insert into team (name, created_at) values ('default', now()), ('shared', now());

create table api_key (
    id         uuid primary key,
    name       text        not null,
    team       text        not null references team (name),
    role       text        not null check (role in ('ADMIN', 'SUBMITTER', 'VIEWER', 'METRICS')),
    prefix     text        not null,
    key_hash   text        not null unique,
    created_at timestamptz not null,
    revoked_at timestamptz,
    last_used_at timestamptz
);

alter table model add column owner_team text not null default 'default' references team (name);
alter table dataset add column owner_team text not null default 'default' references team (name);
alter table job add column owner_team text not null default 'default' references team (name);
alter table eval_task add column owner_team text not null default 'default' references team (name);
alter table evaluation add column owner_team text not null default 'default' references team (name);

create index model_owner_idx on model (owner_team, created_at desc);
create index dataset_owner_idx on dataset (owner_team, created_at desc);
create index job_owner_idx on job (owner_team, created_at desc, id);
create index evaluation_owner_idx on evaluation (owner_team, created_at desc);
