package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;

/**
 * The sweeps API over training runs written straight into a lab: progress and time left from the stored
 * runs, the width fits and flags equal to what {@code scalelab world report --json} concludes, errors
 * naming the parameter.
 */
class SweepsApiTest {
    @TempDir
    Path dir;

    private static final int STEPS = 100;

    /** A run of width w, seed s whose held-out accuracy rises to a plateau that peaks at width 64. */
    private static void run(LabStore store, String experiment, int width, long seed, String status, long lastStep, Random random) {
        String name = experiment + "/w" + width + "-d1-seed" + seed;
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("width", width, "depth", 1, "seed", seed, "steps", STEPS));
        store.putTrainingRun(new LabStore.TrainingRun(name, experiment, Json.write(Map.of("spec", spec)), status, 1000L * width, 
                "running".equals(status) ? 0 : lastStep, "running".equals(status) ? 0 : 12.5));
        double plateau = width == 64 ? 0.8 : width == 32 ? 0.5 : 0.35;
        for (long step : new long[] {1, 3, 10, 30, 100}) {
            if (step > lastStep) {
                break;
            }
            Map<String, Double> m = new HashMap<>();
            double a = Math.min(1, Math.max(0, plateau * Math.log10(step + 1) / 2.0 + 0.02 * random.nextGaussian()));
            m.put("accuracy.analogical_ood", Math.round(a * 200) / 200.0);
            m.put("accuracy.atomic_id", Math.round(Math.min(1, a + 0.1) * 200) / 200.0);
            m.put("train_loss", 3.0 / step);
            store.putCurvePoints(name, step, m);
        }
    }

    private static HttpResponse<String> get(Dashboard d, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void progressFitsAndFlagsAreTheWorldReportsAndBadInputIsNamed() throws Exception {
        Path lab = dir.resolve("lab");
        Random random = new Random(3);
        try (LabStore store = LabStore.open(lab)) {
            for (int w : new int[] {16, 32, 64, 128}) {
                for (long s = 0; s < 3; s++) {
                    run(store, "ended", w, s, "finished", STEPS, random);
                }
            }
            run(store, "going", 16, 0, "finished", STEPS, random);
            run(store, "going", 32, 0, "running", 30, random);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new String[] {"world", "report", "--experiment", "ended", "--lab", lab.toString(), "--json", "--no-store",
                "--out", dir.resolve("report").toString()}, new PrintWriter(out, true), new PrintWriter(err, true)), err.toString());
        JsonNode cli = Json.mapper().readTree(out.toString());

        try (Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0))) {
            JsonNode experiments = Json.mapper().readTree(get(d, "api/sweeps").body()).get("experiments");
            assertEquals(2, experiments.size());
            assertEquals("ended", experiments.get(0).get("experiment").asText());
            assertEquals(12, experiments.get(0).get("runs").asInt());
            assertEquals(1, experiments.get(1).get("running").asInt());

            JsonNode going = Json.mapper().readTree(get(d, "api/sweeps/going").body());
            assertEquals(1, going.get("running").asInt());
            assertEquals(1, going.get("ended").asInt());
            // 100 steps of the ended run and 30 of the running one, over 200 planned.
            assertEquals(130 / 200.0, going.get("fraction").asDouble(), 1e-12);
            JsonNode running = going.get("runs").get(1);
            assertEquals(30, running.get("step").asLong());
            assertEquals(0.3, running.get("fraction").asDouble(), 1e-12);
            assertEquals(running.get("seconds").asDouble() / 30 * 70, running.get("eta_seconds").asDouble(), 1e-6);
            assertEquals("/runs?run=going/w32-d1-seed0", running.get("link").asText());
            assertTrue(going.get("metrics").toString().contains("accuracy.analogical_ood"), going.toString());

            JsonNode partial = Json.mapper().readTree(get(d, "api/sweeps/going/scaling").body());
            assertEquals(1, partial.get("ended").asInt(), "the running run is left out until it ends");
            assertEquals(1, partial.get("running").asInt());

            JsonNode sc = Json.mapper().readTree(get(d, "api/sweeps/ended/scaling?set=analogical_ood&measure=final").body());
            assertEquals(12, sc.get("ended").asInt());
            // The fit of the page is the report's: same verdict, best size and p-value on the same axis.
            JsonNode fit = sc.get("fits").get(0);
            assertEquals("width", fit.get("axis").asText());
            JsonNode reported = null;
            for (JsonNode s : cli.get("scaling")) {
                if (s.get("metric").asText().equals("final_accuracy.analogical_ood at depth 1")) {
                    reported = s;
                }
            }
            assertNotNull(reported, cli.get("scaling").toString());
            assertEquals(reported.get("verdict").asText(), fit.get("verdict").asText());
            assertEquals(reported.get("best_x").asDouble(), fit.get("best").asDouble(), 0);
            assertEquals(reported.get("test").get("p_value").asDouble(), fit.get("null_p").asDouble(), 0);
            assertEquals(cli.get("findings"), sc.get("findings"));
            // Runs as points linking to themselves, a band, the quadratic and the backtest's predictions.
            JsonNode width = sc.get("charts").get(0);
            List<String> kinds = new ArrayList<>();
            width.get("series").forEach(s -> kinds.add(s.get("kind").asText()));
            assertEquals(List.of("points", "band", "line", "points"), kinds, width.toString());
            // One link per point (each point is another run): the run of that point's width.
            JsonNode runPoints = width.get("series").get(0);
            assertEquals(12, runPoints.get("links").size());
            Set<String> linked = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                String link = runPoints.get("links").get(i).asText();
                assertTrue(link.matches("/runs\\?run=ended/w" + runPoints.get("x").get(i).asInt() + "-d1-seed[0-2]"), i + ": " + link);
                linked.add(link);
            }
            assertEquals(12, linked.size(), "every run once: " + linked);
            assertTrue(fit.get("backtest_mean_abs_error").isNumber(), fit.toString());
            assertTrue(sc.get("flags").size() >= 4 * 2, "emergence and transience per cell: " + sc.get("flags"));

            HttpResponse<String> unknown = get(d, "api/sweeps/nope");
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("experiment 'nope' has no training runs"), unknown.body());
            HttpResponse<String> badSet = get(d, "api/sweeps/ended/scaling?set=bogus");
            assertEquals(400, badSet.statusCode());
            assertTrue(badSet.body().contains("set 'bogus': give one of atomic_id"), badSet.body());
            HttpResponse<String> badMeasure = get(d, "api/sweeps/ended/scaling?measure=best");
            assertEquals(400, badMeasure.statusCode());
            assertTrue(badMeasure.body().contains("measure 'best': give one of final, peak"), badMeasure.body());
        }
    }
}
