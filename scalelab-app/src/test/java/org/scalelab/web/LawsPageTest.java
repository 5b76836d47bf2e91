package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Page;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.StoredResult;

/**
 * The Laws page and the dashboard's jobs: a fit started in the browser saves the record {@code scalelab
 * fit --json} prints for the same data and options; jobs need {@code --allow-jobs}, run one at a time per
 * kind, stop when cancelled without saving anything, and refuse a bad request with one message naming
 * the field and value.
 */
class LawsPageTest {
    static final Path CHINCHILLA = (Files.exists(Path.of("..", "data")) ? Path.of("..") : Path.of("."))
            .resolve("data/chinchilla_hoffmann2022_fig4.csv").toAbsolutePath().normalize();
    static final String IMPORT_QUERY = "SELECT * FROM points WHERE import_id = 1";

    static Path lab;
    static Dashboard jobs;
    static Dashboard readOnly;
    static Browser browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        lab = Files.createTempDirectory("scalelab-laws-page");
        cli("runs", "import", CHINCHILLA.toString(), "--lab", lab.toString());
        // A saved fit from the command line, so that every page finds one to show.
        cli("fit", "power", "--lab", lab.toString(), "--query", IMPORT_QUERY, "--x-col", "compute", "--bootstrap", "20");
        jobs = Dashboard.start(new DashboardOptions(lab, DashboardOptions.DEFAULT_HOST, 0, null, true));
        readOnly = Dashboard.start(DashboardOptions.local(lab, 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (readOnly != null) {
            readOnly.close();
        }
        try (var files = Files.walk(lab)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + "\n" + err);
        return out.toString();
    }

    @Test
    void fitStartedInTheBrowserSavesTheSameRecordAsTheCommandLine() throws Exception {
        Page page = browser.open(jobs.url() + "laws");
        page.waitForSelector("#content:not([data-loading])");
        page.check("#fit-source-import");
        page.selectOption("#fit-import", "1");
        page.selectOption("#fit-law", "power");
        page.fill("#fit-x", "compute");
        page.fill("#fit-y", "loss");
        page.fill("#fit-bootstrap", "24");
        page.fill("#fit-seed", "7");
        page.fill("#fit-forecast", "1e24,1e25");
        page.click("#fit-run");
        page.waitForSelector("#fit-job[data-state=done]");
        long id = Long.parseLong(page.getAttribute("#fit-job", "data-result"));
        page.waitForSelector("#fit-shown[data-result='" + id + "']");
        // Data and fitted law (with its bootstrap band when every refit converged), as the renderer's plot holds them.
        page.waitForSelector("#chart-fit[data-rendered=true]");
        JsonNode fitChart = null;
        for (JsonNode b : get(jobs, "api/laws/fits/" + id).path("view").path("blocks")) {
            if (b.path("name").asText().equals("fit")) {
                fitChart = b.path("spec");
            }
        }
        List<String> layers = new ArrayList<>();
        fitChart.path("series").forEach(l -> layers.add(l.path("kind").asText() + " " + l.path("name").asText()));
        assertTrue(layers.contains("points data") && layers.contains("line fit"), layers.toString());
        assertEquals(String.valueOf(layers.size()), page.getAttribute("#chart-fit", "data-series"), layers.toString());
        assertTrue(page.locator("#fit-view").textContent().contains("backtest"), "the backtest is shown");

        JsonNode cliRecord = Json.mapper().readTree(cli("fit", "power", "--lab", lab.toString(), "--query", IMPORT_QUERY,
                "--x-col", "compute", "--y-col", "loss", "--bootstrap", "24", "--seed", "7", "--forecast", "1e24,1e25",
                "--json", "--no-store"));
        StoredResult saved = stored(id);
        assertEquals("fit.power", saved.analysis());
        assertSameRecord(cliRecord, saved.result());
        assertTrue(saved.result().path("backtest").path("status").asText().equals("ran"), saved.result().toString());
        Browser.screenshot(page, "laws");
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        page.close();
    }

    @Test
    void chinchillaFitAsAJobSavesTheSameRecordAsTheCommandLine() throws Exception {
        long id = runToEnd(Map.of("kind", "fit", "law", "chinchilla", "query", IMPORT_QUERY, "grid", "coarse",
                "bootstrap", 16, "seed", 2, "drop_highest_loss", 5), "done").path("result_id").asLong();
        JsonNode cliRecord = Json.mapper().readTree(cli("fit", "chinchilla", "--lab", lab.toString(), "--query", IMPORT_QUERY,
                "--grid", "coarse", "--bootstrap", "16", "--seed", "2", "--drop-highest-loss", "5", "--json", "--no-store"));
        assertSameRecord(cliRecord, stored(id).result());
    }

    @Test
    void twoSavedFitsAreComparedOnOneChart() throws Exception {
        long first = runToEnd(Map.of("kind", "fit", "law", "power", "query", IMPORT_QUERY, "x", "compute", "bootstrap", 12,
                "backtest", false), "done")
                .path("result_id").asLong();
        long second = runToEnd(Map.of("kind", "fit", "law", "power", "query", IMPORT_QUERY, "x", "compute", "offset", false,
                "bootstrap", 12, "seed", 1, "backtest", false), "done").path("result_id").asLong();
        Page page = browser.open(jobs.url() + "laws?fit=" + second);
        page.waitForSelector("#content:not([data-loading])");
        page.selectOption("#compare-a", String.valueOf(first));
        page.selectOption("#compare-b", String.valueOf(second));
        page.click("#compare-run");
        page.waitForSelector("#compare-chart[data-rendered=true]");
        // One set of points (the same data), and each fit's curve and band.
        assertEquals("5", page.getAttribute("#compare-chart", "data-series"));
        JsonNode spec = get(jobs, "api/laws/compare?a=" + first + "&b=" + second);
        List<String> names = new ArrayList<>();
        spec.path("series").forEach(s -> names.add(s.path("kind").asText() + " " + s.path("name").asText()));
        assertEquals(1, names.stream().filter(n -> n.startsWith("points")).count(), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("band #" + first)), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("band #" + second)), names.toString());
        Browser.screenshot(page, "laws-compare");
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        page.close();
    }

    @Test
    void aReadOnlyDashboardRefusesJobsAndStillShowsSavedFits() throws Exception {
        HttpResponse<String> r = post(readOnly, Map.of("kind", "fit", "law", "power", "query", IMPORT_QUERY, "x", "compute"));
        assertEquals(403, r.statusCode());
        JsonNode body = Json.mapper().readTree(r.body());
        assertEquals(403, body.path("status").asInt());
        assertTrue(body.path("message").asText().contains("scalelab serve --allow-jobs"), r.body());

        Page page = browser.open(readOnly.url() + "laws?fit=1");
        page.waitForSelector("#content:not([data-loading])");
        assertTrue(page.isVisible("#jobs-disabled"));
        assertTrue(page.isDisabled("#fit-run"));
        // The saved record keeps no fitted points; its query still gives the same rows, so the view draws the fit from them.
        page.waitForSelector("#fit-view table[data-rows]");
        page.waitForSelector("#fit-view [data-rendered='true']");
        assertTrue(Integer.parseInt(page.locator("#fit-view [data-rendered='true']").first().getAttribute("data-series")) >= 2,
                "data and fitted curve at least");
        assertTrue(Integer.parseInt(page.getAttribute("#fits-table", "data-rows")) >= 1);
        assertTrue(page.locator("#fit-provenance-table").textContent().contains("sha256"));
        Browser.screenshot(page, "laws-readonly");
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        page.close();
    }

    @Test
    void fitsRunOneAtATimeAndACancelledFitSavesNothing() throws Exception {
        int before = resultCount();
        String longFit = id(post(jobs, Map.of("kind", "fit", "law", "chinchilla", "query", IMPORT_QUERY, "grid", "coarse",
                "bootstrap", 4000)));
        String next = id(post(jobs, Map.of("kind", "fit", "law", "exp", "query", IMPORT_QUERY, "x", "params", "y", "loss",
                "bootstrap", 0, "backtest", false)));
        assertEquals("queued", get(jobs, "api/jobs/" + next).path("state").asText(), "a second fit waits for the first");
        JsonNode running = waitFor(longFit, s -> s.path("state").asText().equals("running") && s.path("fraction").asDouble() > 0
                && s.path("message").asText().contains("bootstrap"));
        assertTrue(running.path("fraction").asDouble() < 1, running.toString());
        assertEquals("queued", get(jobs, "api/jobs/" + next).path("state").asText(), "still waiting while the first runs");

        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(URI.create(jobs.url() + "api/jobs/" + longFit)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, cancel.statusCode());
        JsonNode stopped = waitFor(longFit, s -> !s.path("state").asText().equals("running"));
        assertEquals("cancelled", stopped.path("state").asText(), stopped.toString());
        assertTrue(stopped.path("result_id").isNull(), stopped.toString());
        JsonNode done = waitFor(next, s -> s.path("state").asText().equals("done"));
        assertEquals(before + 1, resultCount(), "only the fit that was not cancelled is saved");
        assertEquals(before + 1, done.path("result_id").asLong());
        List<String> states = new ArrayList<>();
        get(jobs, "api/jobs").forEach(s -> states.add(s.path("id").asText() + ":" + s.path("state").asText()));
        assertTrue(states.contains(longFit + ":cancelled") && states.contains(next + ":done"), states.toString());
    }

    @Test
    void badRequestsAnswer400NamingTheFieldAndValue() throws Exception {
        assertBad(Map.of("kind", "fit", "law", "cubic", "query", IMPORT_QUERY), "law", "cubic");
        assertBad(Map.of("kind", "fit", "law", "power", "query", IMPORT_QUERY, "x", "compute", "y", "perplexity"), "perplexity");
        assertBad(Map.of("kind", "fit", "law", "power", "query", "SELECT compute, 'nan'::DOUBLE AS loss FROM points", "x", "compute"),
                "NaN");
        assertBad(Map.of("kind", "fit", "law", "power", "query", IMPORT_QUERY, "bootstrap", "many"), "bootstrap", "many");
        assertBad(Map.of("kind", "fit", "law", "power", "import", 1, "query", IMPORT_QUERY), "import", "query");
        assertBad(Map.of("kind", "fit", "law", "power", "import", 1, "bootstraps", 3), "bootstraps");
        assertBad(Map.of("kind", "train", "law", "power"), "kind", "train");
    }

    private static void assertBad(Map<String, Object> request, String... mentions) throws Exception {
        HttpResponse<String> r = post(jobs, request);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = Json.mapper().readTree(r.body());
        assertEquals(400, body.path("status").asInt());
        String message = body.path("message").asText();
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String m : mentions) {
            assertTrue(message.contains(m), "'" + message + "' should mention " + m);
        }
    }

    /** The two records agree field by field, but for when each was made and how long it took (wall-clock seconds). */
    static void assertSameRecord(JsonNode expected, JsonNode actual) {
        ObjectNode e = expected.deepCopy();
        ObjectNode a = actual.deepCopy();
        ((ObjectNode) e.path("provenance")).remove("created_at");
        ((ObjectNode) a.path("provenance")).remove("created_at");
        withoutTimings(e);
        withoutTimings(a);
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            assertEquals(e.get(f), a.get(f), "field " + f);
        }
        assertEquals(e, a);
    }

    private static void withoutTimings(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(List.of("seconds", "bootstrap_seconds", "grid_seconds"));
        }
        node.forEach(LawsPageTest::withoutTimings);
    }

    static StoredResult stored(long id) {
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            return store.loadResult(id);
        }
    }

    static int resultCount() {
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            return store.listResults().size();
        }
    }

    static HttpResponse<String> post(Dashboard d, Map<String, Object> body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(d.url() + "api/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(Dashboard d, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return Json.mapper().readTree(r.body());
    }

    static String id(HttpResponse<String> started) throws Exception {
        assertEquals(202, started.statusCode(), started.body());
        return Json.mapper().readTree(started.body()).path("id").asText();
    }

    static JsonNode runToEnd(Map<String, Object> request, String state) throws Exception {
        JsonNode s = waitFor(id(post(jobs, request)), j -> !j.path("state").asText().matches("queued|running"));
        assertEquals(state, s.path("state").asText(), s.toString());
        return s;
    }

    static JsonNode waitFor(String job, java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            JsonNode s = get(jobs, "api/jobs/" + job);
            if (until.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + job + " did not get there: " + s);
            }
            Thread.sleep(50);
        }
    }
}
