-- An evaluation a job made of the model it wrote now gets that model's id when the job registers the model (until
-- V3, such rows kept a null model_id and were matched to the job's output model through producing_job_id, which also
-- claimed evaluations of intermediate models the job wrote and replaced). Earlier rows get their model id the way
-- they were matched until now.
update evaluation e
set model_id = m.id
from model m
where e.model_id is null and e.job_id is not null and m.producing_job_id = e.job_id;
