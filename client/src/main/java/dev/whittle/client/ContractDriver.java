package dev.whittle.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.whittle.client.api.JobsApi;
import dev.whittle.client.api.ModelsApi;
import dev.whittle.client.api.ReportsApi;
import dev.whittle.client.invoker.ApiClient;
import dev.whittle.client.model.Calibration;
import dev.whittle.client.model.ComparisonView;
import dev.whittle.client.model.EvaluateResult;
import dev.whittle.client.model.EvaluateStage;
import dev.whittle.client.model.JobOutput;
import dev.whittle.client.model.JobRequest;
import dev.whittle.client.model.JobView;
import dev.whittle.client.model.ModelRequest;
import dev.whittle.client.model.ModelView;
import dev.whittle.client.model.PruneStage;
import dev.whittle.client.model.PruneStatistics;
import dev.whittle.client.model.PruneWandaStage;
import dev.whittle.client.model.Stage;

/**
 * Drives a running service through the generated client, as a team's pipeline would: registers a model folder,
 * submits PRUNE (wanda 50%) + EVALUATE, polls the job to SUCCEEDED, reads the stages' typed results and the compare
 * report of the model and its pruned child. Exits non-zero (with the reason) when any step does not hold.
 * Usage: {@code ContractDriver URL MODEL} (MODEL: a folder in the service's first model root, registered under
 * that name).
 */
public final class ContractDriver {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private ContractDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ContractDriver URL MODEL");
            System.exit(2);
        }
        ApiClient client = new ApiClient();
        client.updateBaseUri(args[0]);
        String key = System.getenv("WHITTLE_API_KEY"); // the bootstrap admin key contract-check.sh starts the service with
        if (key != null && !key.isBlank()) {
            client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + key));
        }
        String name = args[1];
        ModelsApi models = new ModelsApi(client);
        JobsApi jobs = new JobsApi(client);

        ModelView model = models.registerModel(new ModelRequest().name(name).path(name));
        check(model.getParameterCount() != null && model.getParameterCount() > 0, "registered model has parameters");

        JobRequest request = new JobRequest().model(name).output(new JobOutput().name(name + "-wanda50"))
                .addStagesItem(new Stage(new PruneStage(new PruneWandaStage().type(PruneWandaStage.TypeEnum.PRUNE)
                        .method(PruneWandaStage.MethodEnum.WANDA).sparsity(0.5)
                        .calibration(new Calibration().nsamples(4).seqlen(64)))))
                .addStagesItem(new Stage(new EvaluateStage().type(EvaluateStage.TypeEnum.EVALUATE)
                        .tasks(List.of("ref-multiple-choice")).limit(4)));
        JobView job = jobs.submitJob(request, "contract-" + name);
        check(job.getStatus() == JobView.StatusEnum.QUEUED || job.getStatus() == JobView.StatusEnum.RUNNING,
                "a submitted job is queued, not " + job.getStatus());
        check(job.getStages().get(0).getPruneStage().getPruneWandaStage().getCalibration().getSeqlen() == 64,
                "the job's recipe reads back as typed stages");

        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!List.of(JobView.StatusEnum.SUCCEEDED, JobView.StatusEnum.FAILED, JobView.StatusEnum.CANCELLED)
                .contains(job.getStatus())) {
            check(Instant.now().isBefore(deadline), "job " + job.getId() + " ended within " + TIMEOUT);
            Thread.sleep(500);
            job = jobs.getJob(job.getId());
        }
        check(job.getStatus() == JobView.StatusEnum.SUCCEEDED, "job " + job.getId() + " succeeded, not "
                + job.getStatus() + (job.getError() == null ? "" : ": " + job.getError().getMessage()));

        PruneStatistics statistics = job.getResult().getStages().get(0).getPruneStageResult().getResult().getStatistics();
        check(Math.abs(statistics.getPrunedSparsity() - 0.5) < 0.01,
                "PRUNE pruned half of the chosen weights, got " + statistics.getPrunedSparsity());
        check("wanda".equals(statistics.getSettings().getWanda().getMethod().getValue()),
                "PRUNE's statistics echo the wanda settings");
        EvaluateResult evaluation = job.getResult().getStages().get(1).getEvaluateStageResult().getResult();
        check(evaluation.getTasks().size() == 1 && evaluation.getTasks().getFirst().getValue().getValue() != null,
                "EVALUATE scored ref-multiple-choice");

        String child = job.getOutputModel().getName();
        ComparisonView report = new ReportsApi(client).compareModels(List.of(name, child), null, null);
        check(report.getModels().size() == 2 && report.getTasks() != null, "the compare report has both models");
        System.out.printf("contract: java client: job %s SUCCEEDED; sparsity %.3f; %s = %s; compared %s with %s%n",
                job.getId(), statistics.getPrunedSparsity(), evaluation.getTasks().getFirst().getTask(),
                evaluation.getTasks().getFirst().getValue().getValue(), name, child);
    }

    private static void check(boolean holds, String what) {
        if (!holds) {
            System.err.println("contract: FAIL (java client): expected " + what);
            System.exit(1);
        }
    }
}
