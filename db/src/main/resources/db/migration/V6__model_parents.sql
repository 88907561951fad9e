-- A model can have more than one parent: a MERGE stage's output is made from every model it merged. model_parent
-- lists each model's parents in order (position 0 is the job's input model); model.parent_id stays the first parent,
-- as it was, for those who read only one. Lineage queries walk model_parent. A parent cannot be deleted while a model
-- lists it; a model's own rows go with it.

create table model_parent (
    model_id  uuid not null references model (id) on delete cascade,
    position  int  not null check (position >= 0),
    parent_id uuid not null references model (id),
    primary key (model_id, position),
    unique (model_id, parent_id)
);

create index model_parent_parent_id on model_parent (parent_id);

insert into model_parent (model_id, position, parent_id)
select id, 0, parent_id from model where parent_id is not null;
