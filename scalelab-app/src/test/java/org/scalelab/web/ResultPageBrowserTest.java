package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.io.Json;

/** The result page (/results/{id}) in a real browser, on results of several kinds from the test lab. */
class ResultPageBrowserTest {
    static Dashboard dashboard;
    static Browser browser;

    static final List<String> KINDS = List.of("testtime.passk", "testtime.coverage", "reliability.table", "fit.power",
            "fit.shape", "fit.chinchilla", "forecast.chinchilla", "geometry", "geometry_layers", "phase.scores", "phase.coupling");

    @BeforeAll
    static void start() {
        dashboard = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() {
        try {
            browser.close();
        } finally {
            dashboard.close();
        }
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return Json.mapper().readTree(r.body());
    }

    static long newest(String analysis) throws Exception {
        for (JsonNode r : json("/api/results?analysis=" + analysis)) {
            if (r.get("analysis").asText().equals(analysis)) {
                return r.get("result_id").asLong();
            }
        }
        throw new AssertionError("no " + analysis + " result in the test lab");
    }

    static Page open(long id) {
        Page page = browser.open(dashboard.url() + "results/" + id);
        page.waitForSelector("#content:not([data-loading])");
        return page;
    }

    @Test
    void resultPagesOfSeveralKindsDrawEveryChartOfTheirView() throws Exception {
        for (String analysis : KINDS) {
            long id = newest(analysis);
            JsonNode view = json("/api/results/" + id + "/view");
            Page page = open(id);
            int charts = 0;
            for (JsonNode b : view.get("blocks")) {
                if (b.get("type").asText().equals("chart")) {
                    String sel = "#chart-" + b.get("name").asText();
                    page.waitForSelector(sel + "[data-rendered=true]");
                    assertEquals(String.valueOf(b.get("spec").get("series").size()), page.getAttribute(sel, "data-series"), analysis + " " + sel);
                    charts++;
                }
            }
            assertEquals(charts, page.locator("figure.report-chart").count(), analysis);
            assertTrue(page.textContent("#provenance").contains(analysis), analysis);
            assertEquals(charts * 4, page.locator("#provenance a.plot-link").count(), analysis + ": four downloads per plot");
            assertTrue(page.textContent("main h1").contains("Result " + id), analysis);
            Browser.screenshot(page, "result-" + analysis);
            page.close();
        }
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void theLogToggleLegendAndCsvDownloadWorkOnAResultsChart() throws Exception {
        long id = newest("testtime.passk");
        JsonNode spec = null;
        for (JsonNode b : json("/api/results/" + id + "/view").get("blocks")) {
            if (b.get("type").asText().equals("chart") && b.get("name").asText().equals("passk")) {
                spec = b.get("spec");
            }
        }
        Page page = open(id);
        page.waitForSelector("#chart-passk[data-rendered=true]");
        String chart = "ScaleLab.chartOf(document.getElementById('chart-passk'))";
        assertEquals("log", page.evaluate(chart + ".getOption().xAxis[0].type"), "k starts on a log axis, as in the report");
        page.click("#chart-passk .toggle-log-x");
        assertEquals("value", page.evaluate(chart + ".getOption().xAxis[0].type"));
        page.click("#chart-passk .toggle-log-x");
        assertEquals("log", page.evaluate(chart + ".getOption().xAxis[0].type"));

        String name = spec.get("series").get(1).get("name").asText();
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) page.evaluate("name => { const c = " + chart + ";"
                + "const t = c.getZr().storage.getDisplayList().find(e => e.style && e.style.text === name);"
                + "const r = t.getBoundingRect(), m = t.getComputedTransform() || [1, 0, 0, 1, 0, 0];"
                + "const x = r.x + r.width / 2, y = r.y + r.height / 2;"
                + "const box = c.getDom().getBoundingClientRect();"
                + "return [box.left + m[0] * x + m[2] * y + m[4], box.top + m[1] * x + m[3] * y + m[5]]; }", name);
        page.mouse().click(at.get(0).doubleValue(), at.get(1).doubleValue());
        assertEquals(Boolean.FALSE, page.evaluate("name => " + chart + ".getOption().legend[0].selected[name]", name));

        Download csv = page.waitForDownload(() -> page.click("#chart-passk .download-csv"));
        List<String> lines = Files.readAllLines(csv.path());
        int points = 0;
        for (JsonNode s : spec.get("series")) {
            points += s.get("x").size();
        }
        assertEquals(points + 1, lines.size());
        assertEquals("series,kind,index,x,y,lo,hi,z", lines.get(0));
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void aMissingResultSaysSoOnThePage() {
        Page page = open(999999);
        assertTrue(page.textContent("#content .error").contains("no result 999999"), page.textContent("#content"));
        page.close();
        // the page's own requests for the missing result are the only problems
        assertTrue(browser.problems().stream().allMatch(p -> p.contains("/api/results/999999")
                || p.contains("/results/999999: Failed to load resource: the server responded with a status of 404")), String.join("\n", browser.problems()));
        browser.clearProblems();
    }
}
