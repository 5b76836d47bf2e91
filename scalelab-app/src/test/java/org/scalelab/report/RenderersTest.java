package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.laws.PassAtK;
import org.scalelab.laws.Reliability;

/** Renderers are called on a result alone, as the web dashboard will: no command line, no lab. */
class RenderersTest {
    @TempDir
    Path tmp;

    @Test
    void passAtKRendersItsTableAndItsReportSectionFromTheResultAlone() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<PassAtK.Problem> problems = List.of(new PassAtK.Problem("a", 10, 3), new PassAtK.Problem("b", 10, 0),
                new PassAtK.Problem("c", 10, 9));
        PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(problems, List.of()), new PassAtK.Options(new int[] {1, 2, 5}));
        Renderer<PassAtK.Result> renderer = new PassAtKRenderer();
        String text = renderer.text(r);
        String[] lines = text.split("\n");
        assertEquals("pass@k over 3 problems (unbiased estimator, Chen et al. 2021)", lines[0]);
        assertEquals(3 + r.curve().size(), lines.length, "title, header, rule, one line per k:\n" + text);
        for (PassAtK.Point p : r.curve()) {
            assertTrue(text.contains(TextTable.num(p.passAtK())), "pass@" + p.k() + " is in the table:\n" + text);
        }
        Report report = Report.create("pass@k");
        renderer.section(report, r);
        Path dir = report.write(tmp.resolve("passk"));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("passk.svg"), "the plot is in the section");
        assertTrue(html.contains(TextTable.num(r.curve().get(2).passAtK())), "the table is in the section");
        assertTrue(Files.readString(dir.resolve("passk.svg")).contains("<svg"));
    }

    @Test
    void reliabilityTableHasOneRowPerAccuracyAndOneColumnPerStepCount() {
        double[] p = {0.99, 0.999};
        long[] steps = {10, 100, 1000};
        Reliability.Table r = Reliability.analyze(new Reliability.Grid(p, steps), new Reliability.Options(0));
        String[] lines = new ReliabilityTableRenderer(p, steps).text(r).split("\n");
        assertEquals("task success (independent steps)", lines[0]);
        assertTrue(lines[1].matches("p\\s+nines\\s+10 steps\\s+100 steps\\s+1000 steps"), lines[1]);
        assertEquals(3 + p.length, lines.length);
        assertTrue(lines[3].startsWith("0.99 "), lines[3]);
        assertTrue(lines[3].endsWith(ReliabilityTableRenderer.percent(Reliability.success(0.99, 1000, 0))), lines[3]);
    }
}
