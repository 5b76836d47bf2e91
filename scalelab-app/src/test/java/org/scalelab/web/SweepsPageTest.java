package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.store.LabStore;

/**
 * The World sweeps page follows a sweep started from the command line in another process: new points
 * appear in the open page within 2 s of being logged, progress moves, and the width fits are redone as
 * runs end.
 */
class SweepsPageTest {
    private static Browser browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void launch() {
        browser = Browser.launch();
    }

    @AfterAll
    static void close() {
        browser.close();
    }

    /** Points drawn in the curves chart, and its series, read back from ECharts. */
    private static final String DRAWN = "(() => { const c = ScaleLab.chartOf(document.getElementById('sweep-curves'));"
            + " if (!c) return [0, 0]; const s = c.getOption().series;"
            + " return [s.reduce((n, x) => n + (x.data ? x.data.length : 0), 0), s.length]; })()";

    @Test
    void aSweepStartedFromTheCommandLineShowsNewPointsInTheOpenPageWithinTwoSeconds() throws Exception {
        Path lab = dir.resolve("lab");
        Files.createDirectories(lab);
        try (Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0))) {
            Page page = browser.open(d.url() + "sweeps");
            page.waitForSelector("#content:not([data-loading])");
            page.waitForSelector("#sweep-live.good");

            // When the store file changes: a commit of the sweep (size and modification time move on each one).
            Path db = lab.resolve(LabStore.FILE_NAME);
            List<Long> commits = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                String last = "";
                while (watching.get()) {
                    try {
                        String now = Files.exists(db) ? Files.size(db) + "/" + Files.getLastModifiedTime(db).toMillis() : "";
                        if (!now.equals(last)) {
                            commits.add(System.currentTimeMillis());
                            last = now;
                        }
                        Thread.sleep(5);
                    } catch (Exception e) {
                        // the file is being replaced: look again
                    }
                }
            });
            watcher.setDaemon(true);
            watcher.start();

            Process sweep = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "org.scalelab.cli.Main", "world", "sweep", "--lab", lab.toString(),
                    "--experiment", "live", "--widths", "16,32", "--depths", "1", "--seeds", "1", "--entities", "16", "--trajectories", "12",
                    "--truth-facts", "40", "--compositions", "40", "--steps", "60", "--batch", "16", "--eval-per-decade", "8", "--parallel", "1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sweep.log").toFile()).start();

            // Each time the drawn points grow on a run already drawn: how long since the first commit after the last growth.
            List<Long> delays = new ArrayList<>();
            long lastGrowth = System.currentTimeMillis();
            int lastPoints = 0;
            int lastSeries = 0;
            boolean shot = false;
            long deadline = System.currentTimeMillis() + 240_000;
            while (sweep.isAlive() && System.currentTimeMillis() < deadline) {
                List<?> drawn = (List<?>) page.evaluate(DRAWN);
                int points = ((Number) drawn.get(0)).intValue();
                int series = ((Number) drawn.get(1)).intValue();
                long now = System.currentTimeMillis();
                if (points > lastPoints) {
                    long since = lastGrowth;
                    Long commit = commits.stream().filter(t -> t > since).findFirst().orElse(null);
                    if (commit != null && series == lastSeries) {
                        delays.add(now - commit);
                    }
                    lastGrowth = now;
                    lastPoints = points;
                    lastSeries = series;
                    if (delays.size() == 3 && !shot) {
                        Browser.screenshot(page, "sweeps-live");
                        shot = true;
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(sweep.waitFor(60, TimeUnit.SECONDS), "the sweep did not end");
            assertEquals(0, sweep.exitValue(), Files.readString(dir.resolve("sweep.log")));
            watching.set(false);

            // Both runs ended: the page refits the width axis over them (a row in the fits table) and shows them done.
            try {
                page.waitForFunction("() => document.getElementById('sweep-scaling-note').textContent.includes('Over the 2 runs that have ended')",
                        null, new Page.WaitForFunctionOptions().setTimeout(15_000));
            } catch (com.microsoft.playwright.PlaywrightException e) {
                Browser.screenshot(page, "sweeps-failed");
                throw new AssertionError("the page did not show both runs ended: progress '" + page.textContent("#sweep-progress")
                        + "', scaling '" + page.textContent("#sweep-scaling-note") + "', errors " + page.locator(".error").allTextContents()
                        + ", problems " + browser.problems(), e);
            }
            page.waitForSelector("#sweep-fits[data-rows='1']", new Page.WaitForSelectorOptions().setTimeout(15_000));
            page.waitForSelector("#sweep-width[data-rendered='true']");
            assertEquals("1", page.getAttribute("#sweep-progress", "data-fraction"));
            assertEquals("2", page.getAttribute("#sweep-runs-table", "data-rows"));
            assertTrue(page.locator("#sweep-runs-table a[href^='/runs?run=live/']").count() == 2);
            Browser.screenshot(page, "sweeps");

            List<Long> sorted = delays.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "sweeps page: %d growths of a drawn run; logged → drawn median %d ms, slowest %d ms%n",
                    sorted.size(), sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
            assertTrue(sorted.size() >= 3, "the page drew new points of a run only " + sorted.size() + " times while the sweep ran");
            // The target is 2 s from the commit to the drawing; the bounds (twice that for the median) leave room for a
            // loaded machine, where the sweep, the server and the browser share two cores (numbers in docs/dashboard.md).
            assertTrue(sorted.get(sorted.size() / 2) < 4000, "new points drawn after " + sorted + " ms");
            assertTrue(sorted.get(sorted.size() - 1) < 8000, "new points drawn after " + sorted + " ms");
            assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
            page.close();
        }
    }
}
