package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.eval.EvalResult;
import org.scalelab.eval.Metric;
import org.scalelab.eval.RollingScore;
import org.scalelab.eval.TaskScore;

/** The evaluation's table and report section, from the result alone. */
class EvalRendererTest {
    @TempDir Path tmp;

    @Test
    void oneRowPerTaskAndMetricAndARowPerRollingText() throws Exception {
        Map<String, Metric> m = new LinkedHashMap<>();
        m.put("acc", new Metric(0.625, 0.0412));
        m.put("mc2", new Metric(0.5, Double.NaN));
        EvalResult r = new EvalResult("tiny", "llama", 41_696, "chars", List.of(new TaskScore("arc_easy", 40, m)), 3,
                List.of(RollingScore.of("wiki.txt", 100, 20, 120, -150)));
        String text = new EvalRenderer().text(r);
        assertTrue(text.startsWith("tiny (llama, 41,696 parameters); 3 examples resumed"), text);
        assertTrue(text.contains("arc_easy  40  acc     0.625"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("arc_easy  40  mc2") && l.endsWith("—")), "no stderr shows as a dash:\n" + text);
        assertTrue(text.contains(TextTable.num(150 / (120 * Math.log(2)))), "bits per byte:\n" + text);
        Report report = Report.create("eval");
        new EvalRenderer().section(report, r);
        String html = Files.readString(report.write(tmp.resolve("eval")).resolve("index.html"));
        assertTrue(html.contains("Evaluation of tiny") && html.contains("0.0412") && html.contains("wiki.txt"));
        assertEquals(2, EvalRenderer.rows(r).size());
    }
}
