package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.store.LabStore;

/**
 * A sweep as a dashboard job runs the command line's training loop on the experiment's world, skips the
 * runs already finished, and when cancelled stops at its next logged evaluation, keeping finished runs.
 */
class SweepJobTest {
    @TempDir
    Path dir;

    @Test
    void aSweepJobTrainsTheGridAndACancelledOneKeepsFinishedRuns() throws Exception {
        Path lab = dir.resolve("lab");
        // The experiment's world (a tiny one) and its first run, from the command line.
        LawsPageTest.cli("world", "sweep", "--lab", lab.toString(), "--experiment", "tiny", "--widths", "16", "--depths", "1",
                "--seeds", "1", "--entities", "16", "--relations", "4", "--compositions", "40", "--truth-facts", "10",
                "--trajectories", "10", "--steps", "60", "--batch", "16", "--eval-per-decade", "4");
        try (Dashboard d = Dashboard.start(new DashboardOptions(lab, DashboardOptions.DEFAULT_HOST, 0, null, true))) {
            Map<String, Object> grid = Map.of("kind", "sweep", "experiment", "tiny", "widths", List.of(16, 32), "depths", List.of(1),
                    "seeds", 1, "steps", 60, "batch", 16, "eval_per_decade", 4);
            JsonNode done = waitFor(d, started(d, grid), s -> s.path("state").asText().matches("done|failed|cancelled"));
            assertEquals("done", done.path("state").asText(), done.toString());
            assertEquals(List.of("finished", "finished"), statuses(lab));

            String longSweep = started(d, Map.of("kind", "sweep", "experiment", "tiny", "widths", List.of(24), "depths", List.of(1),
                    "seeds", 1, "steps", 100000, "batch", 16, "eval_per_decade", 20));
            waitFor(d, longSweep, s -> s.path("state").asText().equals("running") && s.path("fraction").asDouble() > 0);
            HttpResponse<String> cancel = LawsPageTest.HTTP.send(HttpRequest.newBuilder(URI.create(d.url() + "api/jobs/" + longSweep))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, cancel.statusCode(), cancel.body());
            JsonNode stopped = waitFor(d, longSweep, s -> !s.path("state").asText().equals("running"));
            assertEquals("cancelled", stopped.path("state").asText(), stopped.toString());
            List<String> after = statuses(lab);
            assertEquals(3, after.size(), after.toString());
            assertEquals(2, after.stream().filter("finished"::equals).count(), "finished runs stay: " + after);
        }
    }

    private static List<String> statuses(Path lab) {
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            return store.trainingRuns("tiny").stream().map(LabStore.TrainingRun::status).toList();
        }
    }

    private static String started(Dashboard d, Map<String, Object> request) throws Exception {
        HttpResponse<String> r = LawsPageTest.HTTP.send(HttpRequest.newBuilder(URI.create(d.url() + "api/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(org.scalelab.io.Json.write(request))).build(), HttpResponse.BodyHandlers.ofString());
        return LawsPageTest.id(r);
    }

    private static JsonNode waitFor(Dashboard d, String job, java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (true) {
            JsonNode s = LawsPageTest.get(d, "api/jobs/" + job);
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
