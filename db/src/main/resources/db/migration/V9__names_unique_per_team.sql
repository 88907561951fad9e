-- Names are unique within a team, not across teams (issue 14): a team may call a model, dataset or task what another
-- team calls one of its own, and learns nothing of the other team's names when it registers its own. Idempotency keys
-- likewise: a key another team used is no longer "taken". A lookup by name finds the caller's own row first, then the
-- shared team's (the application's queries say so).

alter table model drop constraint model_name_key;
alter table model add constraint model_team_name_key unique (owner_team, name);
create index model_name_idx on model (name);

alter table dataset drop constraint dataset_name_key;
alter table dataset add constraint dataset_team_name_key unique (owner_team, name);
create index dataset_name_idx on dataset (name);

alter table eval_task drop constraint eval_task_pkey;
alter table eval_task add primary key (owner_team, name);

alter table job drop constraint job_idempotency_key_key;
alter table job add constraint job_team_idempotency_key_key unique (owner_team, idempotency_key);
