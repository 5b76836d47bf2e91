package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scalelab.store.LabStore;

/** A sweep's point links to /runs?run=NAME: the page shows that training run and its curves, not an empty table. */
class RunLinkBrowserTest {
    @Test
    void aTrainingRunsLinkShowsThatRunAndItsCurves() {
        List<LabStore.TrainingRun> runs;
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), LabStore.Wait.none())) {
            runs = store.trainingRuns(LabFixture.EXPERIMENT);
        }
        assertTrue(runs.size() >= 2, "the test lab's sweep has runs: " + runs);
        String run = runs.get(0).run();
        try (Dashboard d = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0)); Browser browser = Browser.launch()) {
            Page page = browser.open(d.url() + "runs?run=" + URLEncoder.encode(run, StandardCharsets.UTF_8));
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
            assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        }
    }
}
