"""Drives a running Whittle through the Python client generated from the OpenAPI snapshot (scripts/contract-check.sh):
registers a model folder, submits PRUNE (sparsegpt 2:4) + EVALUATE, polls the job to SUCCEEDED, reads the stages' typed
results and the compare report. Exits 1 with the reason when a step does not hold.
Usage: driver.py URL MODEL   (MODEL: a folder in the service's first model root, registered under that name)"""
import os
import sys
import time

import whittle_client as w


def check(holds, what):
    if not holds:
        print(f"contract: FAIL (python client): expected {what}", file=sys.stderr)
        sys.exit(1)


def main(url, name):
    # The bearer key (the Authorize button's scheme): the bootstrap admin key contract-check.sh started the service with.
    client = w.ApiClient(w.Configuration(host=url, access_token=os.environ.get("WHITTLE_API_KEY")))
    models, jobs, reports = w.ModelsApi(client), w.JobsApi(client), w.ReportsApi(client)

    model = models.register_model(w.ModelRequest(name=name, path=name))
    check(model.parameter_count > 0, "the registered model has parameters")

    prune = w.PruneSparsegptStage(type="PRUNE", method="sparsegpt", nm="2:4",
                                  calibration=w.Calibration(nsamples=4, seqlen=64))
    evaluate = w.EvaluateStage(type="EVALUATE", tasks=["ref-multiple-choice"], limit=4)
    request = w.JobRequest(model=name, output=w.JobOutput(name=f"{name}-sparsegpt24"),
                           stages=[w.Stage(w.PruneStage(prune)), w.Stage(evaluate)])
    job = jobs.submit_job(request, idempotency_key=f"contract-{name}")
    check(job.status in ("QUEUED", "RUNNING"), f"a submitted job is queued, not {job.status}")

    deadline = time.monotonic() + 240
    while job.status not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        check(time.monotonic() < deadline, f"job {job.id} ended within 240 s")
        time.sleep(0.5)
        job = jobs.get_job(job.id)
    check(job.status == "SUCCEEDED", f"job {job.id} succeeded, not {job.status}: {job.error}")

    stages = job.result.stages
    statistics = stages[0].actual_instance.result.statistics
    check(abs(statistics.pruned_sparsity - 0.5) < 0.01, f"2:4 pruned half the weights, got {statistics.pruned_sparsity}")
    check(statistics.settings.actual_instance.method == "sparsegpt", "PRUNE's statistics echo the sparsegpt settings")
    evaluation = stages[1].actual_instance.result
    check(len(evaluation.tasks) == 1 and evaluation.tasks[0].value.value is not None, "EVALUATE scored the task")

    child = job.output_model.name
    report = reports.compare_models([name, child])
    check(len(report.models) == 2, "the compare report has both models")
    print(f"contract: python client: job {job.id} SUCCEEDED; sparsity {statistics.pruned_sparsity:.3f}; "
          f"{evaluation.tasks[0].task} = {evaluation.tasks[0].value.value}; compared {name} with {child}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
