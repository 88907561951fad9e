package dev.whittle.client.cli;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.client.api.JobsApi;
import dev.whittle.client.api.ModelsApi;
import dev.whittle.client.invoker.ApiClient;
import dev.whittle.client.invoker.ApiException;
import dev.whittle.client.model.JobRequest;
import dev.whittle.client.model.JobView;
import dev.whittle.client.model.ModelView;
import dev.whittle.client.model.Progress;

/**
 * The command line for a running service ({@code ./whittle jobs|models|compare ...}), on the generated client: a
 * job file is read into the typed {@code JobRequest} (so a malformed stage is refused here, by the contract), and
 * every answer is the typed view. {@code --url URL} or {@code WHITTLE_URL} selects the service
 * (default http://localhost:8080); {@code --key KEY} or {@code WHITTLE_API_KEY} is sent as {@code Authorization: Bearer}.
 */
public final class ServiceCli {

    private static final String USAGE = """
            usage: whittle [--url URL] [--key KEY] jobs submit FILE.json|-     submit a job, print its id
                   whittle [--url URL] [--key KEY] jobs watch ID               follow a job's progress (SSE) until it ends
                   whittle [--url URL] [--key KEY] jobs list                   newest jobs
                   whittle [--url URL] [--key KEY] jobs cancel ID              cancel a job
                   whittle [--url URL] [--key KEY] models list | show ID       registered models
                   whittle [--url URL] [--key KEY] compare A,B [--format md|csv|json]
            URL: --url, else WHITTLE_URL, else http://localhost:8080
            KEY: --key, else WHITTLE_API_KEY (an API key, or a JWT where single sign-on is on)""";

    private final ApiClient client;
    private final String url;
    private final String key;

    private ServiceCli(String url, String key) {
        this.url = url.replaceAll("/+$", "");
        this.key = key == null || key.isBlank() ? null : key.strip();
        this.client = new ApiClient();
        client.updateBaseUri(this.url);
        client.setRequestInterceptor(this::authorize);
    }

    /** Adds the key, when there is one, to a request. */
    private HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String url = System.getenv().getOrDefault("WHITTLE_URL", "http://localhost:8080");
        url = option(args, "--url", url);
        String key = option(args, "--key", System.getenv("WHITTLE_API_KEY"));
        try {
            System.exit(new ServiceCli(url, key).run(args));
        } catch (ApiException e) {
            System.err.println("whittle: " + e.getCode() + " " + e.getResponseBody());
            System.exit(1);
        }
    }

    /** The value of {@code --name VALUE}, removed from {@code args}, or {@code fallback}. */
    private static String option(List<String> args, String name, String fallback) {
        int flag = args.indexOf(name);
        if (flag >= 0 && flag + 1 < args.size()) {
            String value = args.get(flag + 1);
            args.subList(flag, flag + 2).clear();
            return value;
        }
        return fallback;
    }

    private int run(List<String> args) throws Exception {
        String command = String.join(" ", args.subList(0, Math.min(2, args.size())));
        String argument = args.size() > 2 ? args.get(2) : null;
        JobsApi jobs = new JobsApi(client);
        ModelsApi models = new ModelsApi(client);
        ObjectMapper json = client.getObjectMapper();
        switch (command) {
            case "jobs submit" -> {
                if (argument == null) {
                    return usage();
                }
                try (InputStream in = argument.equals("-") ? System.in : Files.newInputStream(Path.of(argument))) {
                    JobView job = jobs.submitJob(json.readValue(in, JobRequest.class), null);
                    System.out.println(job.getId() + " " + job.getStatus());
                }
            }
            case "jobs watch" -> {
                return argument == null ? usage() : watch(jobs, UUID.fromString(argument));
            }
            case "jobs list" -> jobs.listJobs(null, null, null, null, 0, 20).getItems().forEach(job ->
                    System.out.printf("%s  %-10s  %-24s  %s%n", job.getId(), job.getStatus(), job.getModel().getName(),
                            job.getName() == null ? "" : job.getName()));
            case "jobs cancel" -> {
                if (argument == null) {
                    return usage();
                }
                System.out.println(argument + " " + jobs.cancelJob(UUID.fromString(argument)).getStatus());
            }
            case "models list" -> models.listModels(0, 50).getItems().forEach(model ->
                    System.out.printf("%s  %-28s  %-8s  %,d parameters%n", model.getId(), model.getName(),
                            model.getFamily(), model.getParameterCount()));
            case "models show" -> {
                if (argument == null) {
                    return usage();
                }
                ModelView model = models.getModel(argument);
                System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(model));
            }
            default -> {
                if (args.size() >= 2 && args.getFirst().equals("compare")) {
                    int format = args.indexOf("--format");
                    return compare(args.get(1), format > 0 && format + 1 < args.size() ? args.get(format + 1) : "md");
                }
                return usage();
            }
        }
        return 0;
    }

    /** Prints one progress line per event of the job's SSE stream, then the job's end. */
    private int watch(JobsApi jobs, UUID id) throws Exception {
        HttpRequest request = authorize(HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs/" + id + "/events/stream"))
                .header("Accept", "text/event-stream")).build();
        HttpResponse<java.util.stream.Stream<String>> stream = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofLines());
        if (stream.statusCode() != 200) {
            System.err.println("whittle: " + stream.statusCode() + " for job " + id);
            return 1;
        }
        stream.body().filter(line -> line.startsWith("data:")).forEach(line -> {
            try {
                System.out.print("\r" + progressLine(jobs.getJob(id)) + "\033[K");
                System.out.flush();
            } catch (ApiException e) {
                throw new IllegalStateException(e);
            }
        });
        JobView job = jobs.getJob(id);
        System.out.println("\r" + progressLine(job) + "\033[K");
        if (job.getError() != null) {
            System.out.println(job.getError().getCode() + ": " + job.getError().getMessage());
        }
        return job.getStatus() == JobView.StatusEnum.SUCCEEDED ? 0 : 1;
    }

    /** {@code RUNNING  stage 1/2 PRUNE: block 3/6  [#####     ] 41.0%  12 s left}. */
    static String progressLine(JobView job) {
        Progress p = job.getProgress();
        StringBuilder line = new StringBuilder(String.valueOf(job.getStatus()));
        if (p == null) {
            return line.toString();
        }
        if (p.getStageIndex() != null) {
            line.append("  stage ").append(p.getStageIndex() + 1).append('/').append(p.getStageCount());
        }
        if (p.getStageName() != null) {
            line.append(' ').append(p.getStageName());
        }
        if (p.getUnitDone() != null && p.getUnitTotal() != null) {
            line.append(": ").append(p.getUnitDone()).append('/').append(p.getUnitTotal());
        }
        if (p.getPercent() != null) {
            int filled = (int) Math.round(Math.min(100, p.getPercent()) / 5);
            line.append("  [").append("#".repeat(filled)).append(" ".repeat(20 - filled)).append("] ")
                    .append(String.format("%.1f%%", p.getPercent()));
        }
        if (p.getRemainingSeconds() != null) {
            line.append("  ").append(p.getRemainingSeconds()).append(" s left");
        } else if (p.getElapsedSeconds() != null) {
            line.append("  ").append(p.getElapsedSeconds()).append(" s");
        }
        return line.toString();
    }

    /** The compare report as the service renders it (md, csv or json). */
    private int compare(String models, String format) throws Exception {
        HttpRequest request = authorize(HttpRequest.newBuilder(URI.create(url + "/api/v1/reports/compare?models="
                + URLEncoder.encode(models, StandardCharsets.UTF_8) + "&format=" + format))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());
        return response.statusCode() == 200 ? 0 : 1;
    }

    private static int usage() {
        System.err.println(USAGE);
        return 2;
    }
}
