package dev.whittle.api.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.imageio.ImageIO;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.worker.testing.SvgPoints;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@ApiTest
class ExperimentsApiTest {

    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();
    private static final Set<String> OVER = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    @LocalServerPort
    int port;
    @Autowired
    ExperimentScheduler scheduler;
    Api api;
    String task;
    String model;

    /** A tiny random Llama and a 2-way task on it, 6 samples: a trial evaluates in well under a second. */
    @BeforeEach
    void aModelAndATask() throws Exception {
        api = new Api(port);
        task = "pick-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), """
                {"q": "The fox jumps over the", "options": [" dog", " sky"], "gold": 0}
                {"q": "In the morning the farmer", "options": [" wakes", " blue"], "gold": 0}
                {"q": "The dog sleeps in the", "options": [" run", " house"], "gold": 1}
                {"q": "The quick brown", "options": [" fox", " of"], "gold": 0}
                {"q": "She drinks a cup of", "options": [" tea", " under"], "gold": 0}
                {"q": "Birds fly in the", "options": [" green", " sky"], "gold": 1}
                """);
        Api.Response registered = api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        model = TestModelFolders.registerLlama(api).get("id").asString();
    }

    private String sweep(int maxParallel) {
        return """
                {"name": "sweep", "model": "%s", "stages": [{"type": "PRUNE", "method": "magnitude"}],
                 "axes": {"sparsity": [0.25, 0.5], "nm": [null, "2:4"]},
                 "evaluation": {"tasks": ["%s"], "limit": 6}, "maxParallel": %d}
                """.formatted(model, task, maxParallel);
    }

    @Test
    void aSweepRunsTheBaselineOnceThenEveryValidCombinationOnceWithinMaxParallel() {
        Api.Response created = api.post("/api/v1/experiments", sweep(1));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode experiment = created.json();
        // 0.25 with 2:4 is refused by PRUNE (2:4 prunes exactly 0.5): skipped; 0.5 with 2:4 is the same fraction.
        assertThat(experiment.get("trials")).hasSize(4);
        assertThat(experiment.get("trials").get(0).get("baseline").asBoolean()).isTrue();
        assertThat(experiment.get("skipped")).hasSize(1);
        assertThat(experiment.get("skipped").get(0).get("settings").toString()).isEqualTo("{\"sparsity\":0.25,\"nm\":\"2:4\"}");

        String location = created.header("Location");
        int mostActive = 0;
        JsonNode now;
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        do {
            now = api.get(location).json();
            mostActive = Math.max(mostActive, now.get("progress").get("active").asInt());
            assertThat(System.nanoTime()).as(now.toString()).isLessThan(deadline);
        } while (now.get("status").asString().equals("RUNNING"));
        assertThat(now.get("status").asString()).as(now.toString()).isEqualTo("SUCCEEDED");
        assertThat(mostActive).isLessThanOrEqualTo(1);
        assertThat(now.get("progress").get("done").asInt()).isEqualTo(4);
        assertThat(now.get("progress").get("percent").asDouble()).isEqualTo(100.0);

        JsonNode jobs = api.get("/api/v1/jobs?label=experiment:" + experiment.get("id").asString() + "&size=50").json();
        assertThat(jobs.get("totalItems").asInt()).as("one job per trial").isEqualTo(4);

        JsonNode results = api.get(location + "/results").json();
        assertThat(results.get("trials")).hasSize(4);
        JsonNode half = results.get("trials").get(2);
        assertThat(half.get("label").asString()).isEqualTo("sparsity=0.5 nm=-");
        assertThat(half.get("blockSparsity").asDouble()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        JsonNode dense = results.get("trials").get(0);
        assertThat(dense.get("averageRetention").asDouble()).isEqualTo(1.0);
        assertThat(half.get("macsPerToken").asLong()).isLessThan(dense.get("macsPerToken").asLong());
        assertThat(half.get("nonZero").asLong()).isLessThan(dense.get("nonZero").asLong());
        // The pruned trials' EVALUATE reused the baseline's result rather than evaluating the dense model again.
        JsonNode trialJob = api.get("/api/v1/jobs/" + now.get("trials").get(1).get("jobId").asString()).json();
        JsonNode baselineJob = api.get("/api/v1/jobs/" + now.get("trials").get(0).get("jobId").asString()).json();
        assertThat(stageResult(trialJob).get("tasks").get(0).get("baselineEvaluationId").asString())
                .isEqualTo(stageResult(baselineJob).get("tasks").get(0).get("evaluationId").asString());
        // The retention the worker recorded, checked against its definition: the trial's accuracy over the dense one's.
        JsonNode trialTask = stageResult(trialJob).get("tasks").get(0);
        JsonNode denseTask = stageResult(baselineJob).get("tasks").get(0);
        JsonNode row = rows(results, 1).getFirst();
        if (denseTask.get("value").get("value").asDouble() > 0) {
            assertThat(row.get("retention").get("value").asDouble()).isCloseTo(trialTask.get("value").get("value").asDouble()
                    / denseTask.get("value").get("value").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
        }
        // Any Pareto front holds the cheapest trial (the best-retaining among equally cheap) and the best-retaining one
        // (the cheapest among equally good).
        List<JsonNode> byCost = results.get("trials").valueStream().sorted(java.util.Comparator
                .comparingLong((JsonNode t) -> t.get("macsPerToken").asLong())
                .thenComparing(t -> -t.get("averageRetention").asDouble())).toList();
        List<JsonNode> byRetention = results.get("trials").valueStream().sorted(java.util.Comparator
                .comparingDouble((JsonNode t) -> -t.get("averageRetention").asDouble())
                .thenComparingLong(t -> t.get("macsPerToken").asLong())).toList();
        assertThat(results.get("pareto").valueStream().map(JsonNode::asInt).toList())
                .contains(byCost.getFirst().get("trial").asInt(), byRetention.getFirst().get("trial").asInt());

        Api.Response markdown = api.get(location + "/results?format=md");
        assertThat(markdown.header("Content-Type")).startsWith("text/markdown");
        assertThat(markdown.body()).contains("| trial | settings | retention " + task + " | average retention |",
                "| 0 | dense baseline | 1.000 ± 0.000 | 1.000 |");
        Api.Response csv = api.get(location + "/results", "Accept", "text/csv");
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.body().lines().toList()).hasSize(5)
                .first().asString().startsWith("trial,settings,task,metric,samples,value,stderr,retention");

        // What the plots drew is what the results say.
        Set<String> plotted = new HashSet<>();
        SvgPoints.refs(api.get(location + "/plots/retention.svg").body()).forEach(ref -> plotted.add(
                ref.get("task").asString() + " " + ref.get("series").asString() + " " + ref.get("sparsity").asDouble()
                        + " " + ref.get("retention").asDouble()));
        Set<String> stored = new HashSet<>();
        for (JsonNode t : results.get("trials")) {
            for (JsonNode r : rows(results, t.get("trial").asInt())) {
                String series = t.get("baseline").asBoolean() ? "dense" : t.get("label").asString().replaceAll("sparsity=\\S+ ", "");
                stored.add(task + " " + series + " " + t.get("blockSparsity").asDouble() + " " + r.get("retention").get("value").asDouble());
            }
        }
        assertThat(plotted).isEqualTo(stored);

        // (A point drawn with a line and a shape is in two groups, one per rendering pass: hence distinct.)
        List<JsonNode> pareto = SvgPoints.refs(api.get(location + "/plots/pareto.svg").body()).stream().distinct().toList();
        assertThat(pareto.stream().filter(r -> r.get("series").asString().equals("Pareto front")).map(r -> r.get("trial").asInt()).toList())
                .as("the front, cheapest first").isEqualTo(results.get("pareto").valueStream().map(JsonNode::asInt).toList());
        for (JsonNode ref : pareto) {
            JsonNode t = results.get("trials").get(ref.get("trial").asInt());
            assertThat(ref.get("cost").asDouble()).isEqualTo(t.get("macsPerToken").asDouble());
            assertThat(ref.get("retention").asDouble()).isEqualTo(t.get("averageRetention").asDouble());
        }
    }

    @Test
    void thePlotsAreImagesAndAnUnknownPlotOrCostIsAProblem() throws Exception {
        String location = api.post("/api/v1/experiments", sweep(2)).header("Location");
        api.poll(location, e -> OVER.contains(e.get("status").asString()), Duration.ofSeconds(240));
        HttpResponse<byte[]> png = HttpClient.newHttpClient().send(api.builder(location + "/plots/pareto.png?width=640&height=400")
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(api.get(location + "/plots/pareto.svg?cost=size").body()).contains("model size (bytes)");
        assertProblem(api.get(location + "/plots/lines.svg"), 404);
        assertProblem(api.get(location + "/plots/pareto.svg?cost=flops"), 400);
        assertProblem(api.get(location + "/results?format=xml"), 400);
        assertProblem(api.get("/api/v1/experiments/" + UUID.randomUUID()), 404);
    }

    @Test
    void cancellingEndsTheExperimentCancelsItsTrialsAndStartsNoMore() {
        String body = sweep(1).replace("[0.25, 0.5]", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]");
        Api.Response created = api.post("/api/v1/experiments", body);
        String location = created.header("Location");
        api.poll(location, e -> e.get("trials").get(1).get("status").asString().matches("QUEUED|RUNNING|SUCCEEDED"),
                Duration.ofSeconds(120));
        Api.Response cancelled = api.post(location + "/cancel", "");
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(202);
        assertThat(cancelled.json().get("status").asString()).isEqualTo("CANCELLED");
        JsonNode after = api.poll(location, e -> e.get("progress").get("active").asInt() == 0, Duration.ofSeconds(60));
        assertThat(after.get("trials").valueStream().map(t -> t.get("status").asString()))
                .contains("NOT_STARTED").doesNotContain("PENDING", "QUEUED", "RUNNING");
        assertProblem(api.post(location + "/cancel", ""), 409);
    }

    @Test
    void toppingUpFromManyThreadsAtOnceStartsEachTrialOnce() throws Exception {
        Api.Response created = api.post("/api/v1/experiments", sweep(3));
        UUID id = UUID.fromString(created.json().get("id").asString());
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(threads.submit(() -> scheduler.topUp(id)));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        }
        JsonNode done = api.poll("/api/v1/experiments/" + id, e -> OVER.contains(e.get("status").asString()), Duration.ofSeconds(240));
        assertThat(done.get("status").asString()).isEqualTo("SUCCEEDED");
        JsonNode jobs = api.get("/api/v1/jobs?label=experiment:" + id + "&size=50").json();
        assertThat(jobs.get("totalItems").asInt()).isEqualTo(done.get("trials").size());
    }

    @Test
    void badExperimentsAreRefusedAtTheOffendingField() {
        assertRefused(api.post("/api/v1/experiments", sweep(1).replace(model, "no-such-model")), "model");
        assertRefused(api.post("/api/v1/experiments", sweep(1).replace("[0.25, 0.5]", "[0.5, 1.5]")), "axes.sparsity[1]");
        assertRefused(api.post("/api/v1/experiments", sweep(1).replace("\"sparsity\":", "\"7.sparsity\":")), "axes.7.sparsity");
        assertRefused(api.post("/api/v1/experiments", sweep(1).replace("\"limit\": 6", "\"baseline\": \"x\"")), "evaluation.baseline");
        assertRefused(api.post("/api/v1/experiments", sweep(0)), "maxParallel");
        assertRefused(api.post("/api/v1/experiments", sweep(1).replace("\"tasks\": [\"" + task + "\"]", "\"tasks\": [\"nope\"]")),
                "evaluation.tasks[0]");
    }

    private static JsonNode stageResult(JsonNode job) {
        JsonNode stages = job.get("result").get("stages");
        return stages.get(stages.size() - 1).get("result");
    }

    private static List<JsonNode> rows(JsonNode results, int trial) {
        return results.get("rows").valueStream().filter(r -> r.get("trial").asInt() == trial).toList();
    }

    private static void assertProblem(Api.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    private static void assertRefused(Api.Response r, String field) {
        assertProblem(r, 422);
        assertThat(r.errorFields()).as(r.body()).contains(field);
    }
}
