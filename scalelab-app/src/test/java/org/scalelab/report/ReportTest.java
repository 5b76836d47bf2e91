package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path tmp;

    @Test
    void writesHtmlWithSvgAndPngPlotsAndTheResultJson() throws Exception {
        System.setProperty("java.awt.headless", "true");
        double[] x = {1e6, 1e7, 1e8, 1e9};
        double[] y = {4.0, 3.2, 2.7, 2.4};
        Plot p = Plot.of("loss vs params", "parameters N", "loss").logX().logY()
                .points("runs", x, y).line("fit", x, y).band("95% CI", x, y,
                        new double[] {3.9, 3.1, 2.6, 2.3}, new double[] {4.1, 3.3, 2.8, 2.5})
                .vline("N*", 3e8);
        Path dir = Report.create("Demo <report>").text("a & b").table(List.of("param", "value"), List.of(List.of("E", "1.69")))
                .plot("fit", p, "data and fit").plot("hist", Plot.of("boot", "alpha", "count").histogram("alpha", new double[] {0.3, 0.31, 0.35}, 5), "h")
                .json(Map.of("law", "power")).write(tmp.resolve("r"));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("Demo &lt;report&gt;"), "title escaped");
        assertTrue(html.contains("<img src=\"fit.svg\""));
        assertTrue(Files.readString(dir.resolve("fit.svg")).contains("<svg"));
        BufferedImage png = ImageIO.read(dir.resolve("fit.png").toFile());
        assertEquals(720, png.getWidth());
        assertTrue(Files.readString(dir.resolve("result.json")).contains("\"law\" : \"power\""));
        // no temporary folder is left next to the report
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(dir.getFileName().toString()), s.map(q -> q.getFileName().toString()).toList());
        }
    }

    @Test
    void rewritingReplacesTheOldReportWhole() throws Exception {
        Path dir = tmp.resolve("r");
        Report.create("one").plot("a", Plot.of("t", "x", "y").points("p", new double[] {1}, new double[] {1}), "c").write(dir);
        Report.create("two").write(dir);
        assertFalse(Files.exists(dir.resolve("a.svg")), "old plot gone");
        assertTrue(Files.readString(dir.resolve("index.html")).contains("two"));
    }

    @Test
    void textTableAlignsNumbersRight() {
        String t = TextTable.render(List.of("param", "value"), List.of(List.of("E", "1.69"), List.of("alpha", "0.3392")));
        assertEquals("param  value\n-----  ------\nE        1.69\nalpha  0.3392", t);
    }
}
