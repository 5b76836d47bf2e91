package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.StoredResult;

/**
 * The Overview page on the test lab (results of every kind, made by the real commands) and on an empty
 * lab: the holdings match the store, each family card's item repeats the newest result of its kind that
 * names the family (checked against the stored results themselves), a missing item names its command,
 * and an empty lab shows the welcome.
 */
class OverviewPageTest {
    static Dashboard dashboard;
    static Browser browser;

    @BeforeAll
    static void start() {
        dashboard = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        dashboard.close();
    }

    static JsonNode get(Dashboard d, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }

    static JsonNode card(JsonNode overview, String family) {
        for (JsonNode c : overview.path("families")) {
            if (c.path("family").asText().equals(family)) {
                return c;
            }
        }
        throw new AssertionError("no card for " + family + " in " + overview.path("families"));
    }

    static JsonNode item(JsonNode card, String kind) {
        for (JsonNode i : card.path("items")) {
            if (i.path("kind").asText().equals(kind)) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " item in " + card);
    }

    @Test
    void holdingsLatestResultsAndFamilyCardsRepeatTheStore() throws Exception {
        JsonNode o = get(dashboard, "api/overview");
        Path lab = LabFixture.lab();
        Map<String, Long> byAnalysis = new HashMap<>();
        long newestId;
        long runs;
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            store.listResults().forEach(r -> byAnalysis.merge(r.analysis(), 1L, Long::sum));
            newestId = store.listResults().get(store.listResults().size() - 1).resultId();
            runs = store.runCount();
        }
        assertEquals(false, o.path("empty").asBoolean());
        assertEquals(runs, o.path("holdings").path("runs").asLong());
        assertEquals(byAnalysis, Json.mapper().convertValue(o.path("holdings").path("results_by_analysis"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() { }));
        assertEquals(LabFixture.WIDTHS.size(), o.path("holdings").path("training_runs_by_experiment").path(LabFixture.EXPERIMENT).asInt());
        assertEquals(newestId, o.path("latest").get(0).path("id").asLong());
        assertEquals("/results/" + newestId, o.path("latest").get(0).path("href").asText());

        // The synthetic family: a loss law and a shape test whose queries select it, and the forecast made from its Chinchilla fit.
        JsonNode synthetic = card(o, LabFixture.SYNTHETIC_FAMILY);
        assertEquals("/runs?family=" + LabFixture.SYNTHETIC_FAMILY, synthetic.path("runs_href").asText());
        for (String kind : List.of("law", "shape")) {
            StoredResult r = stored(item(synthetic, kind));
            assertTrue(r.inputs().get(0).path("source").asText().contains("family = '" + LabFixture.SYNTHETIC_FAMILY + "'"), r.inputs().toString());
        }
        assertEquals("fit.shape", stored(item(synthetic, "shape")).analysis());
        StoredResult forecast = stored(item(synthetic, "forecast"));
        assertEquals("forecast.chinchilla", forecast.analysis());
        StoredResult chinchilla = newest("fit.chinchilla");
        assertEquals(chinchilla.result().path("params"), forecast.result().path("params"), "the forecast is made from the family's fit");
        assertTrue(item(synthetic, "shape").path("lines").get(0).asText().startsWith(
                stored(item(synthetic, "shape")).result().path("shape").asText().replace('_', ' ')));
        assertNull(item(synthetic, "geometry").path("result_id").numberValue());
        assertTrue(item(synthetic, "geometry").path("hint").asText().startsWith("scalelab geometry "));

        // The other imported family has its own power law.
        StoredResult hoffmannLaw = stored(item(card(o, LabFixture.HOFFMANN_FAMILY), "law"));
        assertEquals("fit.power", hoffmannLaw.analysis());
        assertTrue(hoffmannLaw.inputs().get(0).path("source").asText().contains(LabFixture.HOFFMANN_FAMILY));

        // The world's models: geometry phases per domain and the capability diagnosis.
        JsonNode world = card(o, LabFixture.EXPERIMENT);
        StoredResult geometry = stored(item(world, "geometry"));
        assertEquals("geometry", geometry.analysis());
        JsonNode firstComparison = geometry.result().path("comparisons").get(0);
        assertTrue(item(world, "geometry").path("lines").get(0).asText().startsWith(firstComparison.path("domain").asText() + ": "
                + firstComparison.path("phase").asText()), item(world, "geometry").toString());
        StoredResult diagnosis = stored(item(world, "capability"));
        assertEquals("phase.diagnose", diagnosis.analysis());
        String lines = item(world, "capability").path("lines").toString();
        for (JsonNode m : diagnosis.result().path("models")) {
            assertTrue(lines.contains(m.path("verdict").asText().toLowerCase(java.util.Locale.ROOT)), lines);
        }
    }

    static StoredResult stored(JsonNode item) {
        assertNotNull(item.path("result_id").numberValue(), "an item with a result: " + item);
        assertEquals("/results/" + item.path("result_id").asLong(), item.path("href").asText());
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), LabStore.Wait.none())) {
            StoredResult r = store.loadResult(item.path("result_id").asLong());
            assertEquals(r.analysis(), item.path("analysis").asText());
            return r;
        }
    }

    static StoredResult newest(String analysis) {
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), LabStore.Wait.none())) {
            long id = store.listResults().stream().filter(r -> r.analysis().equals(analysis)).reduce((a, b) -> b).orElseThrow().resultId();
            return store.loadResult(id);
        }
    }

    @Test
    void pageDrawsTheCardsWithLinksToResultsAndRuns() {
        Page page = browser.open(dashboard.url());
        page.waitForSelector("#content:not([data-loading]) #family-cards");
        assertTrue(page.locator(".card.family[data-family='" + LabFixture.SYNTHETIC_FAMILY + "'] .item[data-kind='law'] a").count() == 1);
        String href = page.getAttribute(".card.family[data-family='" + LabFixture.EXPERIMENT + "'] .item[data-kind='capability'] a", "href");
        assertTrue(href.startsWith("/results/"), href);
        assertTrue(page.locator("#latest-results li a").count() > 0);
        assertTrue(page.textContent("#holdings").contains("runs"));
        Browser.screenshot(page, "overview");
        page.click(".card.family[data-family='" + LabFixture.SYNTHETIC_FAMILY + "'] h3 a");
        page.waitForSelector("#content:not([data-loading]) #runs-table");
        assertEquals(LabFixture.SYNTHETIC_FAMILY, page.inputValue("#runs-family"));
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void anEmptyLabIsWelcomedWithTheCommandsThatFillIt(@TempDir Path empty) throws Exception {
        try (Dashboard d = Dashboard.start(DashboardOptions.local(empty, 0))) {
            JsonNode o = get(d, "api/overview");
            assertTrue(o.path("empty").asBoolean());
            assertEquals(0, o.path("families").size());
            Page page = browser.open(d.url());
            page.waitForSelector("#content:not([data-loading]) #welcome");
            String text = page.textContent("#welcome");
            assertTrue(text.contains("scalelab demo") && text.contains("scalelab runs import"), text);
            Browser.screenshot(page, "overview-empty");
            Page runs = browser.open(d.url() + "runs");
            runs.waitForSelector("#content:not([data-loading]) #runs-table");
            assertEquals("0", runs.getAttribute("#runs-table", "data-rows"));
            runs.close();
            page.close();
        }
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }
}
