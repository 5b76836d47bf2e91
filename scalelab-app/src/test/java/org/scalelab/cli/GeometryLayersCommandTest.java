package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.geometry.LayerProfile;
import org.scalelab.geometry.LayeredSets;
import org.scalelab.io.Json;
import org.scalelab.report.LayerProfileRenderer;
import org.scalelab.report.Plot;
import org.scalelab.report.Report;

/**
 * {@code scalelab geometry --hook GLOB}: a glob naming several layers profiles them all (stored as
 * geometry_layers, drawn as profiles, verdict table and CKA), a glob naming one hook gives today's
 * one-hook result, and bad globs exit 2 with one line.
 */
class GeometryLayersCommandTest {
    @TempDir
    Path dir;

    static final String[] SETTINGS = {"--by", "domain", "--compare-sizes", "--bootstrap", "8", "--null-replicates", "3", "--k-range", "2:3",
        "--seed", "4"};

    static String[] args(Path small, Path large, String hook, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("geometry", "--acts", small.toString(), "--acts", large.toString(), "--hook", hook));
        a.addAll(List.of(SETTINGS));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aGlobOfSeveralLayersProfilesThemStoresGeometryLayersAndDrawsEveryPlot() throws Exception {
        Path small = LayeredSets.write(dir, "small", 2, 6, 1_000, false);
        Path large = LayeredSets.write(dir, "large", 4, 8, 9_000, false);
        Path lab = dir.resolve("lab");
        Path report = dir.resolve("report");
        JsonNode r = new CliRun(args(small, large, "blocks.*.hook_resid_post", "--json", "--lab", lab.toString(), "--out", report.toString())).json();
        assertEquals(LayerProfile.ANALYSIS, r.get("provenance").get("analysis").asText());
        assertEquals(6, r.get("layers").size(), "2 + 4 layers");
        JsonNode first = r.get("layers").get(0);
        assertEquals("blocks.0.hook_resid_post", first.get("hook").asText());
        assertEquals(2, first.get("groups").size(), "math and law");
        assertEquals(1.0, r.get("layers").get(1).get("relative_depth").asDouble(), 0);
        assertEquals(1.0 / 3, r.get("layers").get(3).get("relative_depth").asDouble(), 1e-12);
        // 2 domains × (1 + 3 consecutive pairs + 2 matched layers)
        assertEquals(12, r.get("cka").size());
        assertEquals(4, r.get("comparisons").size(), "2 layers of the smaller × 2 domains");
        JsonNode c = r.get("comparisons").get(1);
        assertEquals(1, c.get("from_layer").asInt());
        assertEquals(3, c.get("to_layer").asInt(), "the last layers meet at relative depth 1");
        assertTrue(c.get("verdict").get("phase").isTextual());

        // Each layer equals the one-hook analysis of that hook (same options and seed).
        JsonNode one = new CliRun("geometry", "--acts", small.toString(), "--hook", "blocks.1.hook_resid_post", SETTINGS[0], SETTINGS[1],
                SETTINGS[3], SETTINGS[4], SETTINGS[5], SETTINGS[6], SETTINGS[7], SETTINGS[8], SETTINGS[9], SETTINGS[10], "--json", "--no-store").json();
        for (int g = 0; g < 2; g++) {
            ObjectNode expected = (ObjectNode) one.get("groups").get(g);
            ObjectNode profiled = (ObjectNode) r.get("layers").get(1).get("groups").get(g);
            assertEquals(expected, profiled, "group " + g + " at blocks.1");
        }

        for (String f : List.of("index.html", "result.json", "layers-participation-ratio.svg", "layers-twonn.svg", "layers-alignment.svg",
                "layers-tangling.svg", "layers-step-cosine.svg", "layers-silhouette.svg", "layers-cka-consecutive.svg", "layers-cka-sizes.svg")) {
            assertTrue(Files.size(report.resolve(f)) > 0, f);
        }
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("Phase verdicts per layer — points: token") && html.contains("Linear CKA"), "report sections");

        JsonNode stored = new CliRun("runs", "sql", "SELECT analysis FROM results", "--lab", lab.toString(), "--json").json();
        assertTrue(stored.toString().contains("geometry_layers"), stored.toString());
    }

    @Test
    void theRendererDrawsTheValueIntervalAndNullBandOfEveryModelAsLines() throws Exception {
        Path small = LayeredSets.write(dir, "s", 2, 6, 1_000, false);
        Path large = LayeredSets.write(dir, "l", 3, 6, 9_000, false);
        JsonNode r = new CliRun(args(small, large, "blocks.*.hook_resid_post", "--json", "--no-store")).json();
        LayerProfile.Result result = Json.mapper().treeToValue(r, LayerProfile.Result.class);
        Report rep = Report.create("layers");
        new LayerProfileRenderer().section(rep, result);
        Plot.Contents pr = rep.blocks().stream().filter(b -> b instanceof Report.Figure f && f.name().equals("layers-twonn"))
                .map(b -> ((Report.Figure) b).plot().contents()).findFirst().orElseThrow();
        List<String> series = pr.layers().stream().map(l -> l.kind() + ":" + l.name()).toList();
        assertTrue(series.contains("line:s (1k) · math"), series.toString());
        assertTrue(series.contains("band:l (9k) · law · 95 % CI"), series.toString());
        assertTrue(series.contains("band:l (9k) · law · null ± 2 sd"), series.toString());
        Plot.Contents.Layer line = pr.layers().stream().filter(l -> l.name().equals("l (9k) · law") && l.kind().equals("line")).findFirst().orElseThrow();
        assertEquals(List.of(0.0, 0.5, 1.0), java.util.Arrays.stream(line.x()).boxed().toList(), "x: relative depth");
        double twonnAtLast = r.get("layers").get(4).get("groups").get(1).get("twonn").asDouble();
        assertEquals(twonnAtLast, line.y()[2], 0, "y: the record's value");
        String text = new LayerProfileRenderer().text(result);
        assertTrue(text.contains("phase verdicts per layer") && text.contains("linear CKA"), text);
    }

    @Test
    void aGlobNamingOneHookGivesTheOneHookResult() throws Exception {
        Path small = LayeredSets.write(dir, "a", 2, 6, 1_000, false);
        Path large = LayeredSets.write(dir, "b", 2, 8, 9_000, false);
        JsonNode glob = new CliRun(args(small, large, "blocks.1.hook_resid_p?st", "--json", "--no-store")).json();
        JsonNode plain = new CliRun(args(small, large, "blocks.1.hook_resid_post", "--json", "--no-store")).json();
        assertEquals("geometry", glob.get("provenance").get("analysis").asText());
        assertEquals(plain.get("groups"), glob.get("groups"));
        assertEquals(plain.get("comparisons"), glob.get("comparisons"));
    }

    @Test
    void aGlobMatchingNothingOrOnlyHooksOfAnotherWidthExitsTwoWithOneLine() throws Exception {
        Path small = LayeredSets.write(dir, "x", 2, 6, 1_000, true);
        Path large = LayeredSets.write(dir, "y", 2, 10, 9_000, true);
        CliRun none = new CliRun(args(small, large, "blocks.*.hook_mlp_out", "--no-store"));
        assertEquals(2, none.code);
        assertTrue(none.err.toString().contains("'blocks.*.hook_mlp_out' matches no hook"), none.err.toString());
        assertFalse(none.err.toString().contains("Exception"), none.err.toString());
        CliRun narrow = new CliRun(args(small, large, "blocks.*.attn.hook_z", "--no-store"));
        assertEquals(2, narrow.code);
        assertTrue(narrow.err.toString().contains("not d_model (6) wide"), narrow.err.toString());
        // The wide layers are profiled; the narrow hook is left out with its reason.
        JsonNode mixed = new CliRun(args(small, large, "blocks.*", "--json", "--no-store")).json();
        assertEquals(4, mixed.get("layers").size());
        assertEquals(2, mixed.get("reasons").size(), mixed.get("reasons").toString());
        assertTrue(mixed.get("reasons").get(0).asText().contains("blocks.0.attn.hook_z"));
    }

    @Test
    void stepsAsPointsWorkAtEveryLayer() throws Exception {
        Path small = LayeredSets.write(dir, "u", 2, 6, 1_000, false);
        Path large = LayeredSets.write(dir, "v", 3, 6, 9_000, false);
        JsonNode r = new CliRun(args(small, large, "blocks.*.hook_resid_post", "--unit", "step", "--pool", "last", "--json", "--no-store")).json();
        assertEquals("step", r.get("provenance").get("options").get("unit").asText());
        JsonNode g = r.get("layers").get(0).get("groups").get(0);
        assertEquals("step (last)", g.get("unit").asText());
        assertEquals(12, g.get("n_points").asInt(), "4 math prompts × 3 steps");
        String text = new LayerProfileRenderer().text(Json.mapper().treeToValue(r, LayerProfile.Result.class));
        assertTrue(text.contains("points: step (last)"), text);
    }
}
