package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;

/**
 * The Test-time &amp; reliability, Geometry and Capability phases pages in Chromium, on the test lab
 * ({@link LabFixture}) and on an empty lab: every saved result of the page's kinds is offered newest first
 * and drawn (each chart rendered with the series its view holds), the nines planner answers what
 * {@code scalelab reliability} prints, and an empty lab names the command that makes a result.
 */
class AnalysisPagesBrowserTest {
    /** Charts each analysis's renderer draws at least (by plot name; the page gives them ids result-chart-NAME). */
    static final Map<String, List<String>> CHARTS = Map.ofEntries(
            Map.entry("testtime.passk", List.of("passk")),
            Map.entry("testtime.coverage", List.of("coverage")),
            Map.entry("testtime.budget", List.of("budget")),
            Map.entry("testtime.majority", List.of("majority")),
            Map.entry("reliability.table", List.of("success")),
            Map.entry("reliability.requirement", List.of("nines")),
            Map.entry("geometry", List.of("phase-diagram", "scree", "pca-0", "tangling-0")),
            Map.entry("geometry_layers", List.of("layers-participation-ratio", "layers-tangling", "layers-cka-consecutive", "layers-cka-sizes")),
            Map.entry("thought_cost", List.of("cost-tangling-0", "cost-alignment-0")),
            Map.entry("phase.scores", List.of("gamma", "scores")),
            Map.entry("phase.diagnose", List.of("phase_map")),
            Map.entry("phase.coupling", List.of("coupling-map", "coupling-vs-size")),
            Map.entry("phase.directions", List.of("probe-accuracy", "stability")),
            Map.entry("phase.steer", List.of("dose_logit_diff", "dose_accuracy")));

    static Dashboard full;
    static Dashboard empty;
    static Browser browser;

    @TempDir
    static Path emptyLab;

    @BeforeAll
    static void start() {
        full = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0));
        empty = Dashboard.start(DashboardOptions.local(emptyLab, 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() {
        browser.close();
        empty.close();
        full.close();
    }

    @BeforeEach
    void forgetProblems() {
        browser.clearProblems();
    }

    /** The saved results whose analysis starts with one of the prefixes, newest first, read from the store. */
    static List<ResultSummary> saved(String... prefixes) {
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), new LabStore.Wait(Duration.ofSeconds(5), m -> { }))) {
            List<ResultSummary> out = new ArrayList<>();
            for (ResultSummary r : store.listResults()) {
                for (String p : prefixes) {
                    if (r.analysis().startsWith(p)) {
                        out.add(r);
                        break;
                    }
                }
            }
            out.sort(Comparator.comparingLong(ResultSummary::resultId).reversed());
            return out;
        }
    }

    static JsonNode getJson(Dashboard d, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return Json.mapper().readTree(r.body());
    }

    static Page open(Dashboard d, String path) {
        Page page = browser.open(d.url() + path);
        page.waitForSelector("#content:not([data-loading])");
        return page;
    }

    /** Every chart inside {@code scope} has finished drawing. */
    static void waitForCharts(Page page, String scope) {
        page.waitForFunction("s => [...document.querySelectorAll(s + ' [id*=chart-]')].every(e => e.dataset.rendered === 'true')", scope);
    }

    /**
     * The picker offers exactly {@code expected} (newest first), and choosing each draws its view: every
     * chart of the view rendered with the view's number of series, the charts its renderer always draws,
     * and every table with the view's rows.
     */
    static void pickEach(Page page, List<ResultSummary> expected) throws Exception {
        List<String> offered = page.locator("#result-picker option").all().stream().map(o -> o.getAttribute("value")).toList();
        assertEquals(expected.stream().map(r -> Long.toString(r.resultId())).toList(), offered, "picker, newest first");
        for (ResultSummary r : expected) {
            String id = Long.toString(r.resultId());
            if (!id.equals(page.locator("#result-picker").inputValue())) {
                page.selectOption("#result-picker", id);
            }
            page.waitForSelector("#result-view[data-result='" + id + "']");
            page.waitForSelector("#content:not([data-loading])");
            waitForCharts(page, "#result-view");
            String view = r.analysis().equals("geometry") ? "api/geometry/" + id + "/view" : "api/results/" + id + "/view";
            assertViewDrawn(page, "#result-view", getJson(full, view), r.analysis());
            assertEquals("/results/" + id, page.locator("#result-link").getAttribute("href"));
            assertTrue(page.url().endsWith("?result=" + id) || r == expected.get(0), page.url());
        }
    }

    static void assertViewDrawn(Page page, String scope, JsonNode view, String analysis) {
        String prefix = scope.equals("#planner-answer") ? "planner-" : "result-";
        List<String> charts = new ArrayList<>();
        int tables = 0;
        for (JsonNode b : view.path("blocks")) {
            if ("chart".equals(b.path("type").asText())) {
                String name = b.path("name").asText();
                charts.add(name);
                Locator chart = page.locator(scope + " #" + prefix + "chart-" + name);
                int series = b.path("spec").path("series").size();
                assertTrue(series > 0, analysis + " chart " + name + " has series");
                assertEquals("true", chart.getAttribute("data-rendered"), analysis + " chart " + name + " rendered");
                assertEquals(Integer.toString(series), chart.getAttribute("data-series"), analysis + " chart " + name + " series");
            } else if ("table".equals(b.path("type").asText())) {
                Locator table = page.locator(scope + " #" + prefix + "table-" + tables);
                assertEquals(Integer.toString(b.path("rows").size()), table.getAttribute("data-rows"), analysis + " table " + tables);
                tables++;
            }
        }
        assertTrue(charts.containsAll(CHARTS.get(analysis)), analysis + " draws " + CHARTS.get(analysis) + ", drew " + charts);
        assertEquals(charts.size(), page.locator(scope + " [id^=" + prefix + "chart-]").count(), analysis + ": one chart per plot");
    }

    void assertNoProblems() {
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void testTimePageOffersAndDrawsEverySavedTestTimeAndReliabilityResult() throws Exception {
        Page page = open(full, "testtime");
        waitForCharts(page, "#planner-answer");
        List<ResultSummary> expected = saved("testtime.", "reliability.");
        assertEquals(LabFixture.EXPECTED_RESULTS.entrySet().stream().filter(e -> e.getKey().startsWith("testtime.")
                || e.getKey().startsWith("reliability.")).mapToInt(Map.Entry::getValue).sum(), expected.size());
        pickEach(page, expected);
        page.selectOption("#result-picker", Long.toString(saved("testtime.coverage").get(0).resultId()));
        page.waitForSelector("#content:not([data-loading])");
        waitForCharts(page, "#result-view");
        Browser.screenshot(page, "testtime");
        page.close();
        assertNoProblems();
    }

    @Test
    void ninesPlannerAnswersWhatTheCommandLinePrints(@TempDir Path cliLab) throws Exception {
        Page page = open(full, "testtime");
        waitForCharts(page, "#planner-answer");

        page.fill("#planner-p", "0.9,0.995");
        page.fill("#planner-steps", "3,30,300");
        page.fill("#planner-rho", "0.2");
        JsonNode table = plan(page);
        assertEquals("reliability.table", table.path("analysis").asText());
        assertEquals(withoutTime(cli(cliLab, "reliability", "--p", "0.9,0.995", "--steps", "3,30,300", "--rho", "0.2")),
                withoutTime(table.path("result")));
        assertViewDrawn(page, "#planner-answer", table.path("view"), "reliability.table");
        String table0 = page.locator("#planner-answer #planner-table-0").innerText();
        assertTrue(table0.contains("0.995") && table0.contains("300"), table0);

        page.check("input[name=mode][value=target]");
        page.fill("#planner-target", "0.5,0.95");
        page.fill("#planner-steps", "100");
        page.fill("#planner-rho", "0");
        JsonNode need = plan(page);
        assertEquals("reliability.requirement", need.path("analysis").asText());
        assertEquals(withoutTime(cli(cliLab, "reliability", "--target", "0.5,0.95", "--steps", "100")), withoutTime(need.path("result")));
        assertViewDrawn(page, "#planner-answer", need.path("view"), "reliability.requirement");
        // The page shows the numbers the analysis computed: p = target^(1/n) for independent steps.
        String shown = page.locator("#planner-answer #planner-table-0").innerText();
        assertTrue(shown.contains("0.99309") || shown.contains("0.9931"), shown);
        assertNoProblems();

        page.fill("#planner-target", "1.5");
        page.click("#planner-run");
        page.waitForSelector("#planner-answer .error");
        assertTrue(page.locator("#planner-answer .error").innerText().contains("1.5"), page.locator("#planner-answer .error").innerText());
        page.close();
        browser.clearProblems(); // the 400 answer above is the point of the check
    }

    /** Submits the planner and returns the server's answer once the page has drawn it. */
    static JsonNode plan(Page page) throws Exception {
        Response response = page.waitForResponse(r -> r.url().contains("/api/testtime/reliability"), () -> page.click("#planner-run"));
        JsonNode answer = Json.mapper().readTree(response.text());
        page.waitForSelector("#planner-answer[data-analysis='" + answer.path("analysis").asText() + "']");
        waitForCharts(page, "#planner-answer");
        return answer;
    }

    static JsonNode cli(Path dir, String... args) throws Exception {
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--json", "--no-store", "--lab", dir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(full.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)), err.toString());
        return Json.mapper().readTree(out.toString());
    }

    static JsonNode withoutTime(JsonNode result) {
        JsonNode copy = result.deepCopy();
        ((ObjectNode) copy.path("provenance")).remove("created_at");
        return copy;
    }

    @Test
    void geometryPageDrawsTheSavedGeometry() throws Exception {
        List<ResultSummary> expected = saved("geometry", "thought_cost");
        // One of each kind the page lists: one hook, every layer at once, the cost of thought.
        assertEquals(java.util.Set.of("geometry", "geometry_layers", "thought_cost"),
                expected.stream().map(ResultSummary::analysis).collect(java.util.stream.Collectors.toSet()));
        Page page = open(full, "geometry");
        pickEach(page, expected);
        // The metric table by domain × size: one table per domain, each metric with its interval or null.
        String text = page.locator("#result-view").innerText();
        assertTrue(text.contains("participation_ratio") && text.contains("tangling"), "metric table");
        Browser.screenshot(page, "geometry");
        page.close();
        assertNoProblems();
    }

    @Test
    void phasesPageDrawsEverySavedPhaseResultAndKeepsTheChoiceInTheAddress() throws Exception {
        List<ResultSummary> expected = saved("phase.");
        assertEquals(5, expected.size());
        Page page = open(full, "phases");
        pickEach(page, expected);
        page.close();

        ResultSummary diagnosis = saved("phase.diagnose").get(0);
        page = open(full, "phases?result=" + diagnosis.resultId());
        page.waitForSelector("#result-view[data-result='" + diagnosis.resultId() + "']");
        waitForCharts(page, "#result-view");
        assertEquals(Long.toString(diagnosis.resultId()), page.locator("#result-picker").inputValue());
        assertTrue(page.locator("#result-view .verdict").count() >= LabFixture.WIDTHS.size(), "a recommendation per model size");
        Browser.screenshot(page, "phases");
        page.close();
        assertNoProblems();
    }

    @Test
    void emptyLabPagesNameTheCommandThatMakesAResult() {
        for (String[] p : new String[][] {
            {"testtime", "scalelab testtime coverage"}, {"geometry", "scalelab geometry"}, {"phases", "scalelab phase scores"}}) {
            Page page = open(empty, p[0]);
            page.waitForSelector("#empty-state");
            assertTrue(page.locator("#empty-state").innerText().contains(p[1]), page.locator("#empty-state").innerText());
            assertEquals(0, page.locator("#result-picker").count());
            if (p[0].equals("testtime")) {
                waitForCharts(page, "#planner-answer");
                assertTrue(page.locator("#planner-answer [id^=planner-chart-]").count() > 0, "the planner works without saved results");
            }
            Browser.screenshot(page, p[0] + "-empty");
            page.close();
        }
        assertNoProblems();
    }
}
