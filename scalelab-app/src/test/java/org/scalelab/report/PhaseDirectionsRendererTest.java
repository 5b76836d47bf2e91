package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.Provenance;
import org.scalelab.phase.CapabilityDirections;

/** The directions renderer on a run alone: one table row per (set, hook), and both plots in the section. */
class PhaseDirectionsRendererTest {
    @TempDir
    Path tmp;

    static CapabilityDirections.Result result(String set, long params, int layer, double acc, double stability) {
        List<CapabilityDirections.Direction> ds = new ArrayList<>();
        for (CapabilityDirections.Method m : CapabilityDirections.Method.values()) {
            ds.add(new CapabilityDirections.Direction(m, new double[] {1, 0}, 2.5 + layer));
        }
        return new CapabilityDirections.Result(set, "models/" + set, params, "blocks." + layer + ".hook_resid_post", 50, 40, ds,
                acc, new double[] {acc - 0.05, acc + 0.03}, 0.6, new double[] {0.5, 0.7}, stability, new double[] {stability - 0.1, stability + 0.05});
    }

    @Test
    void oneRowPerSetAndHookAndTwoPlotsAgainstLayer() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<CapabilityDirections.Result> rs = List.of(result("lab/acts/small", 1_000_000, 0, 0.55, 0.1), result("lab/acts/small", 1_000_000, 1, 0.9, 0.8),
                result("lab/acts/large", 9_000_000, 0, 0.6, 0.2), result("lab/acts/large", 9_000_000, 1, 0.97, 0.9));
        CapabilityDirections.Run run = new CapabilityDirections.Run("labels.truth=true", "labels.truth=false", "last",
                CapabilityDirections.Options.defaults(), rs, Provenance.of("phase.directions", List.of(), Map.of(), 0L));
        PhaseDirectionsRenderer renderer = new PhaseDirectionsRenderer();
        String[] lines = renderer.text(run).split("\n");
        assertTrue(lines[0].startsWith("capability directions: labels.truth=true vs labels.truth=false (last token"), lines[0]);
        assertEquals(3 + rs.size(), lines.length, String.join("\n", lines));
        assertTrue(lines[3].startsWith("small ") && lines[3].contains("blocks.0.hook_resid_post") && lines[3].contains("50 / 40")
                && lines[3].contains("0.55 [0.5, 0.58]") && lines[3].endsWith("2.5"), lines[3]);
        assertTrue(lines[6].startsWith("large ") && lines[6].contains("0.9 [0.8, 0.95]"), lines[6]);
        assertEquals(1.0, PhaseDirectionsRenderer.layer("blocks.1.hook_resid_post", 7));
        assertEquals(7.0, PhaseDirectionsRenderer.layer("hook_embed", 7));

        Report report = Report.create("directions");
        renderer.section(report, run);
        Path dir = report.write(tmp.resolve("r"));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("probe-accuracy.svg") && html.contains("stability.svg"), "both plots are in the section");
        assertTrue(html.contains("blocks.1.hook_resid_post"), "the table is in the section");
    }
}
