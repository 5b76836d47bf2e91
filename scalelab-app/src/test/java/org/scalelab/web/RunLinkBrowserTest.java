package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.store.LabStore;

/**
 * A sweep's links to /runs?run=NAME: a point of its curves opens that training run, and the page shows the run
 * and its curves, not an empty table.
 */
class RunLinkBrowserTest {
    static Dashboard dashboard;
    static Browser browser;
    static List<LabStore.TrainingRun> runs;

    @BeforeAll
    static void start() {
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), LabStore.Wait.none())) {
            runs = store.trainingRuns(LabFixture.EXPERIMENT);
        }
        assertTrue(runs.size() >= 2, "the test lab's sweep has runs: " + runs);
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

    @Test
    void aTrainingRunsLinkShowsThatRunAndItsCurves() {
        String run = runs.get(0).run();
        Page page = browser.open(dashboard.url() + "runs?run=" + URLEncoder.encode(run, StandardCharsets.UTF_8));
        try {
            page.waitForSelector("#run-curves[data-rendered='true']", new Page.WaitForSelectorOptions().setTimeout(15_000));
        } catch (com.microsoft.playwright.PlaywrightException e) {
            throw new AssertionError("no curves drawn: " + page.textContent("#training-box") + " " + browser.problems()
                    + " " + page.locator(".error").allTextContents(), e);
        }
        assertEquals("1", page.getAttribute("#training-table", "data-rows"), "that run alone");
        assertTrue(page.textContent("#training-table").contains(run));
        assertTrue(Integer.parseInt(page.getAttribute("#run-curves", "data-series")) > 0, "its curves are drawn");
        assertEquals("", page.inputValue("#runs-model"), "the runs table is not filtered to a name it does not hold");
        Browser.screenshot(page, "runs-training-run");
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    /** A curve carries one link for all its points: clicking any of them opens the curve's own run. */
    @Test
    void clickingAPointOfASweepsCurveOpensItsRun() {
        Page page = browser.open(dashboard.url() + "sweeps?experiment=" + URLEncoder.encode(LabFixture.EXPERIMENT, StandardCharsets.UTF_8));
        page.waitForSelector("#sweep-curves[data-rendered='true']", new Page.WaitForSelectorOptions().setTimeout(15_000));
        // The last curve is drawn on top of the others; its middle point, where ECharts drew it, in page coordinates.
        @SuppressWarnings("unchecked")
        List<Object> at = (List<Object>) page.evaluate("(() => { const el = document.getElementById('sweep-curves');"
                + " const c = ScaleLab.chartOf(el); const o = c.getOption();"
                + " const k = o.series.map(s => s.id).filter(id => String(id).startsWith('spec-')).length - 1;"
                + " const s = o.series.find(x => x.id === 'spec-' + k); const d = s.data[Math.floor(s.data.length / 2)];"
                + " const p = c.convertToPixel({seriesId: 'spec-' + k}, [d[0], d[1]]); const box = c.getDom().getBoundingClientRect();"
                + " return [box.left + p[0], box.top + p[1], s.name, s.data.length]; })()");
        String name = (String) at.get(2);
        assertTrue(((Number) at.get(3)).intValue() > 1, "a curve of several points: " + at);
        // A curve's name is its run, followed by " · metric" when several metrics are drawn.
        String run = name.contains(" · ") ? name.substring(0, name.indexOf(" · ")) : name;
        assertTrue(runs.stream().anyMatch(r -> r.run().equals(run)), "the curve " + name + " is a run of the sweep: " + runs);
        page.waitForNavigation(() -> page.mouse().click(((Number) at.get(0)).doubleValue(), ((Number) at.get(1)).doubleValue()));
        assertTrue(page.url().endsWith("/runs?run=" + URLEncoder.encode(run, StandardCharsets.UTF_8)), page.url());
        page.waitForSelector("#run-curves[data-rendered='true']", new Page.WaitForSelectorOptions().setTimeout(15_000));
        assertTrue(page.textContent("#training-table").contains(run));
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }
}
