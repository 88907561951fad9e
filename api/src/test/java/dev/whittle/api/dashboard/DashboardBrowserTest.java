package dev.whittle.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through Debian's chromedriver (nothing is
 * downloaded at run time). Skipped where they are not installed (.ci/run installs them).
 */
@ApiTest
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path DATA_ROOT = Path.of("target/test-storage/datasets").toAbsolutePath();

    @LocalServerPort
    int port;
    Api api;
    WebDriver browser;
    WebDriverWait wait;
    String model;
    String task;

    @BeforeEach
    void aBrowserOnTheDashboard() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        api = new Api(port);
        model = TestModelFolders.registerLlama(api).get("name").asString();
        task = "pick-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(DATA_ROOT);
        Files.writeString(DATA_ROOT.resolve(task + ".jsonl"), """
                {"q": "The fox jumps over the", "options": [" dog", " sky"], "gold": 0}
                {"q": "The dog sleeps in the", "options": [" run", " house"], "gold": 1}
                {"q": "Birds fly in the", "options": [" green", " sky"], "gold": 1}
                {"q": "She drinks a cup of", "options": [" tea", " under"], "gold": 0}
                """);
        assertThat(api.post("/api/v1/tasks", """
                {"name": "%s", "dataset": {"format": "jsonl", "path": "%s.jsonl"}, "prompt": {"text": "{q}"},
                 "request": {"type": "loglikelihood", "choicesField": "options", "goldField": "gold"}}
                """.formatted(task, task)).status()).isEqualTo(201);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1366,768");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(120));
        wait.ignoring(StaleElementReferenceException.class); // the page re-renders while it is read
        browser.get("http://localhost:" + port + "/");
        // #main: before a key is entered, the alert region above it shows the 401 as a heading of its own.
        wait.until(b -> b.findElement(By.cssSelector("#main h2")).getText().equals("Jobs"));
        // The page is public; what it fetches needs a key, entered as a user would.
        browser.findElement(By.id("api-key")).sendKeys(Api.ADMIN_KEY);
        browser.findElement(By.cssSelector("#key-form button")).click();
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anExperimentSubmittedThroughThePageRunsItsTrialsAndItsPlotsAndTheCompareViewRender() {
        browser.get("http://localhost:" + port + "/#/experiments");
        WebElement json = wait.until(b -> b.findElement(By.id("experiment-json")));
        setValue(json, """
                {"name": "browser sweep", "model": "%s", "stages": [{"type": "PRUNE", "method": "magnitude"}],
                 "axes": {"sparsity": [0.25, 0.5]}, "evaluation": {"tasks": ["%s"], "limit": 4}, "maxParallel": 1}
                """.formatted(model, task));
        browser.findElement(By.id("experiment-submit")).click();
        wait.until(b -> b.getCurrentUrl().matches(".*#/experiments/[0-9a-f-]{36}"));
        String id = browser.getCurrentUrl().replaceAll(".*#/experiments/", "");

        // A trial's progress bar moves: seen without progress (pending) or below 100, and later at 100.
        boolean[] seenBelow = {false};
        wait.until(b -> {
            String percent = (String) js().executeScript(
                    "const p = document.querySelector('progress.trial-progress[aria-label=\"progress of trial 2\"]');"
                            + "return p ? p.dataset.percent : null;");
            if (percent != null && (percent.isEmpty() || Double.parseDouble(percent) < 100)) {
                seenBelow[0] = true;
            }
            return seenBelow[0] && percent != null && !percent.isEmpty() && Double.parseDouble(percent) >= 100;
        });
        wait.until(b -> b.findElement(By.id("experiment-status")).getText().equals("SUCCEEDED"));
        assertThat(browser.findElement(By.id("experiment-done")).getText()).isEqualTo("3 of 3 trials done");
        wait.until(b -> imagesDrawn() >= 2);

        JsonNode results = api.get("/api/v1/experiments/" + id + "/results").json();
        String child = results.get("trials").get(2).get("modelId").asString();
        browser.get("http://localhost:" + port + "/#/compare?models=" + model + "," + child);
        wait.until(b -> b.findElements(By.cssSelector("main table")).size() >= 2);
        assertThat(browser.findElement(By.cssSelector("main table")).getText()).contains(task);
        wait.until(b -> imagesDrawn() >= 2);
    }

    @Test
    void aRefusedRequestShowsItsProblemDetail() {
        browser.get("http://localhost:" + port + "/#/experiments");
        WebElement json = wait.until(b -> b.findElement(By.id("experiment-json")));
        setValue(json, "{\"model\": \"no-such-model\", \"stages\": [{\"type\": \"PRUNE\", \"method\": \"magnitude\"}],"
                + " \"axes\": {\"sparsity\": [0.5]}, \"evaluation\": {\"limit\": 4}}");
        browser.findElement(By.id("experiment-submit")).click();
        WebElement problem = wait.until(b -> {
            WebElement p = b.findElement(By.id("problem"));
            return p.isDisplayed() ? p : null;
        });
        assertThat(problem.getText()).contains("Invalid request (422)", "model", "no model with id or name 'no-such-model'");
    }

    /** How many chart images on the page have loaded and have a size. */
    private long imagesDrawn() {
        return (Long) js().executeScript("return Array.from(document.querySelectorAll('img.chart'))"
                + ".filter(i => i.complete && i.naturalWidth > 0).length;");
    }

    private void setValue(WebElement element, String value) {
        js().executeScript("arguments[0].value = arguments[1];", element, value);
    }

    private JavascriptExecutor js() {
        return (JavascriptExecutor) browser;
    }
}
