package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;
import org.scalelab.store.ImportOptions;
import org.scalelab.store.LabStore;

/**
 * The Runs page over a lab of 10,000 runs, in Chromium: rows are on screen within 1 s of opening the page,
 * a filter redraws the table within 200 ms (the dashboard's targets on loopback), the API answers a page
 * and a filter well within those, sorting and filtering show the rows the same query in SQL gives, and
 * the SQL box shows results and errors.
 */
class RunsPageTest {
    static final int RUNS = 10_000;
    static final String[] FAMILIES = {"alpha", "beta", "gamma", "delta", "epsilon"};

    @TempDir
    static Path dir;
    static Path lab;
    static Dashboard dashboard;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        lab = dir.resolve("lab");
        Path csv = dir.resolve("runs.csv");
        SplittableRandom random = new SplittableRandom(7);
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("model,family,params,tokens,loss,accuracy\n");
            for (int i = 0; i < RUNS; i++) {
                String f = FAMILIES[i % FAMILIES.length];
                double n = Math.pow(10, 6 + 5 * random.nextDouble());
                double d = n * (5 + 45 * random.nextDouble());
                double loss = 1.7 + 400 / Math.pow(n, 0.34) + 410 / Math.pow(d, 0.28) + 0.01 * random.nextDouble();
                w.write(String.format(Locale.ROOT, "%s-%05d,%s,%.6g,%.6g,%.6f,%.4f%n", f, i, f, n, d, loss, random.nextDouble()));
            }
        }
        long t0 = System.nanoTime();
        try (LabStore store = LabStore.open(lab)) {
            store.importRuns(csv, ImportOptions.defaults().withMetric("loss", "loss").withMetric("accuracy", "accuracy"));
        }
        System.out.printf(Locale.ROOT, "imported %d runs in %.1f s%n", RUNS, (System.nanoTime() - t0) / 1e9);
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        dashboard.close();
    }

    static List<String> modelsBySql(String query) {
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            return store.sql(query).rows().stream().map(r -> (String) r.get(0)).toList();
        }
    }

    /** The model names the runs table shows, top to bottom. */
    static List<String> shownModels(Page page) {
        int col = ((Number) page.evaluate("[...document.querySelectorAll('#runs-table th')].findIndex(th => th.dataset.column === 'model')"))
                .intValue();
        @SuppressWarnings("unchecked")
        List<String> models = (List<String>) page.evaluate("c => [...document.querySelectorAll('#runs-table tbody tr')]"
                + ".map(tr => tr.cells[c].textContent)", col);
        return models;
    }

    static void settled(Page page) {
        page.waitForSelector("#content:not([data-loading]) #runs-table");
    }

    @Test
    void apiAnswersAPageAndAFilterWellWithinTheTargets() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String[] paths = {"api/runs?limit=100", "api/runs?family=gamma&limit=100", "api/runs?q=beta-01&sort=loss&desc=true&limit=100"};
        for (String p : paths) {
            http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + p)).build(), HttpResponse.BodyHandlers.ofString());
        }
        for (String p : paths) {
            double[] ms = new double[5];
            JsonNode last = null;
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + p)).build(),
                        HttpResponse.BodyHandlers.ofString());
                ms[i] = (System.nanoTime() - t0) / 1e6;
                assertEquals(200, r.statusCode(), r.body());
                last = Json.mapper().readTree(r.body());
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "GET /%s over %d runs: median %.1f ms, best %.1f ms (total %d)%n", p, RUNS, ms[2], ms[0],
                    last.path("total").asLong());
            // The best of five: on a shared machine the others wait for a core, not for the dashboard.
            assertTrue(ms[0] < 200, p + ": best " + ms[0] + " ms");
        }
    }

    @Test
    void rowsAppearWithinOneSecondAndAFilterRedrawsWithin200Ms() {
        Page page = browser.open(dashboard.url() + "runs");
        settled(page);
        // Opened once to warm the server; measured on the next opening, from navigation start to rows drawn.
        page.addInitScript("new MutationObserver((m, o) => { const t = document.querySelector('#runs-table tbody tr');"
                + " if (t) { window.rowsAt = performance.now(); o.disconnect(); } }).observe(document, {childList: true, subtree: true});");
        double[] paint = new double[3];
        for (int i = 0; i < paint.length; i++) {
            page.navigate(dashboard.url() + "runs");
            page.waitForSelector("#runs-table tbody tr");
            paint[i] = ((Number) page.evaluate("window.rowsAt")).doubleValue();
            settled(page);
        }
        assertEquals("100", page.getAttribute("#runs-table", "data-rows"));
        assertEquals(String.valueOf(RUNS), page.getAttribute("#runs-table", "data-total"));
        double bestPaint = Arrays.stream(paint).min().orElseThrow();
        System.out.printf(Locale.ROOT, "runs page over %d runs: rows drawn %s ms after navigation start (best %.0f ms)%n",
                RUNS, Arrays.toString(Arrays.stream(paint).map(Math::rint).toArray()), bestPaint);
        // The best of three openings, for the same reason as above.
        assertTrue(bestPaint < 1000, "first rows after " + Arrays.toString(paint) + " ms");

        List<Double> filter = new ArrayList<>();
        for (String family : new String[] {"gamma", "beta", "delta"}) {
            double ms = ((Number) page.evaluate("f => new Promise(done => {"
                    + " const select = document.getElementById('runs-family'); const t0 = performance.now();"
                    + " select.value = f; select.dispatchEvent(new Event('change'));"
                    + " const check = () => { const first = document.querySelector('#runs-table tbody tr');"
                    + "   if (!document.getElementById('content').dataset.loading && first && first.textContent.includes(f + '-'))"
                    + "     done(performance.now() - t0); else requestAnimationFrame(check); };"
                    + " requestAnimationFrame(check); })", family)).doubleValue();
            filter.add(ms);
            assertEquals(String.valueOf(RUNS / FAMILIES.length), page.getAttribute("#runs-table", "data-total"));
        }
        String typedTotal = String.valueOf(modelsBySql("SELECT model FROM points WHERE family = 'delta' AND model LIKE '%delta-001%'").size());
        double typed = ((Number) page.evaluate("n => new Promise(done => {"
                + " const q = document.getElementById('runs-q'); const t0 = performance.now();"
                + " q.value = 'delta-001'; q.dispatchEvent(new Event('input'));"
                + " const check = () => { const t = document.getElementById('runs-table');"
                + "   if (!document.getElementById('content').dataset.loading && t && t.dataset.total === n)"
                + "     done(performance.now() - t0); else requestAnimationFrame(check); };"
                + " requestAnimationFrame(check); })", typedTotal)).doubleValue();
        List<Double> sorted = new ArrayList<>(filter);
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "family filter redraws over %d runs: %s ms (best %.0f, median %.0f); typed search (with its 120 ms pause): %.0f ms%n",
                RUNS, filter.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList(), sorted.get(0), sorted.get(1), typed);
        assertTrue(sorted.get(0) < 200, "family filter redraws in " + filter + " ms");
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        page.close();
    }

    @Test
    void sortingAndFiltersShowTheRowsSqlGivesAndTheAddressPrefillsThem() {
        Page page = browser.open(dashboard.url() + "runs?family=beta");
        settled(page);
        assertEquals("beta", page.inputValue("#runs-family"));
        assertEquals(modelsBySql("SELECT model FROM points WHERE family = 'beta' ORDER BY run_id LIMIT 100"), shownModels(page));

        page.click("#runs-table th[data-column='loss']");
        page.waitForSelector("#content:not([data-loading]) #runs-table th[data-column='loss'][aria-sort='ascending']");
        assertEquals(modelsBySql("SELECT model FROM points WHERE family = 'beta' ORDER BY loss, run_id LIMIT 100"), shownModels(page));
        page.click("#runs-table th[data-column='loss']");
        page.waitForSelector("#content:not([data-loading]) #runs-table th[data-column='loss'][aria-sort='descending']");
        assertEquals(modelsBySql("SELECT model FROM points WHERE family = 'beta' ORDER BY loss DESC, run_id LIMIT 100"), shownModels(page));
        assertTrue(page.url().contains("sort=loss") && page.url().contains("desc=true"), page.url());

        page.click("#runs-next");
        page.waitForSelector("#content:not([data-loading]) #runs-table");
        page.waitForFunction("() => document.getElementById('runs-total').textContent.startsWith('rows 101–200')");
        assertEquals(modelsBySql("SELECT model FROM points WHERE family = 'beta' ORDER BY loss DESC, run_id LIMIT 100 OFFSET 100"),
                shownModels(page));

        page.fill("#runs-q", "beta-000");
        page.waitForFunction("() => document.getElementById('runs-table').dataset.total === '"
                + modelsBySql("SELECT model FROM points WHERE family = 'beta' AND model LIKE '%beta-000%'").size() + "'");
        settled(page);
        assertEquals(modelsBySql("SELECT model FROM points WHERE family = 'beta' AND model LIKE '%beta-000%' ORDER BY loss DESC, run_id"),
                shownModels(page));
        page.close();

        Page linked = browser.open(dashboard.url() + "runs?run=gamma-00042");
        settled(linked);
        assertEquals("gamma-00042", linked.inputValue("#runs-model"));
        assertEquals(List.of("gamma-00042"), shownModels(linked));
        Browser.screenshot(linked, "runs-linked");
        linked.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void sqlBoxShowsResultsAndErrors() {
        Page page = browser.open(dashboard.url() + "runs");
        settled(page);
        page.fill("#sql-text", "SELECT family, count(*) AS runs FROM points GROUP BY family ORDER BY family");
        page.click("#sql-run");
        page.waitForSelector("#sql-table");
        assertEquals("5", page.getAttribute("#sql-table", "data-rows"));
        Locator cells = page.locator("#sql-table tbody tr").first().locator("td");
        assertEquals("alpha", cells.nth(0).textContent());
        assertEquals(String.valueOf(RUNS / FAMILIES.length), cells.nth(1).textContent());
        Browser.screenshot(page, "runs");

        page.fill("#sql-text", "COPY runs TO '" + dir.resolve("out.csv") + "'");
        page.press("#sql-text", "Control+Enter");
        page.waitForSelector("#sql-message");
        assertTrue(page.textContent("#sql-message").startsWith("only reading statements are allowed"), page.textContent("#sql-message"));
        assertEquals(0, page.locator("#sql-table").count());
        assertTrue(Files.notExists(dir.resolve("out.csv")));
        Browser.screenshot(page, "runs-sql-error");
        List<String> problems = browser.problems();
        browser.clearProblems();
        // The refused statement's 400 is the only problem (Chromium logs a failed answer on the console too).
        assertTrue(problems.stream().allMatch(p -> p.contains("/api/sql") || p.contains("status of 400")), String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("HTTP 400 for ") && p.endsWith("/api/sql")), String.join("\n", problems));
        page.close();
    }
}
