package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTimeCommandTest {
    @TempDir
    Path dir;


    @Test
    void posttrainFitsAMetricAgainstFineTuningComputeThroughTheSameLaws() throws Exception {
        // loss = 1.5 + 30·x^(−0.1) exactly: the power fit must give these parameters back.
        StringBuilder csv = new StringBuilder("finetune_flops,loss\n");
        for (int i = 0; i < 12; i++) {
            double x = Math.pow(10, 15 + 0.5 * i);
            csv.append(x).append(',').append(1.5 + 30 * Math.pow(x, -0.1)).append('\n');
        }
        Path file = dir.resolve("posttrain.csv");
        Files.writeString(file, csv.toString());
        JsonNode j = new CliRun("testtime", "posttrain", "--data", file.toString(), "--y-col", "loss", "--bootstrap", "0",
                "--json", "--no-store").json();
        assertEquals("power", j.path("law").asText());
        for (JsonNode p : j.path("parameters")) {
            double expected = switch (p.path("name").asText()) {
                case "E" -> 1.5;
                case "A" -> 30;
                default -> 0.1;
            };
            assertEquals(expected, p.path("value").asDouble(), 1e-4 * expected, p.toString());
        }
        CliRun bad = new CliRun("testtime", "posttrain", "--law", "cubic", "--data", file.toString());
        assertEquals(2, bad.code);
        assertTrue(bad.err.toString().contains("--law cubic"), bad.err.toString());
    }

    @Test
    void passkPrintsTheUnbiasedMeanAsJson() throws Exception {
        Path csv = dir.resolve("counts.csv");
        Files.writeString(csv, "problem,n,c\na,2,1\nb,2,0\n");
        JsonNode j = new CliRun("testtime", "passk", "--data", csv.toString(), "--json", "--no-store").json();
        // (n=2, c=1) → pass@1 = ½, pass@2 = 1; (n=2, c=0) → 0: means ¼ and ½.
        assertEquals(0.25, j.at("/curve/0/pass_at_k").asDouble(), 1e-15);
        assertEquals(0.5, j.at("/curve/1/pass_at_k").asDouble(), 1e-15);
        assertEquals("testtime.passk", j.at("/provenance/analysis").asText());
        assertEquals(csv.toString(), j.at("/provenance/inputs/0/source").asText());
    }

    @Test
    void badCountsExitWithCode2AndOneLine() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "problem,n,c\na,2,3\n");
        CliRun r = new CliRun("testtime", "passk", "--data", csv.toString(), "--no-store");
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains("row 1, column 'c': value 3"), r.err.toString());
        assertEquals(1, r.err.toString().strip().lines().count(), r.err.toString());
    }

    @Test
    void coverageFitsACurveFileAndWritesAReport() throws Exception {
        Path csv = dir.resolve("curve.csv");
        StringBuilder sb = new StringBuilder("k,coverage\n");
        for (int k = 1; k <= 256; k *= 2) {
            sb.append(k).append(',').append(Math.exp(-2.0 * Math.pow(k, -0.5))).append('\n');
        }
        Files.writeString(csv, sb.toString());
        Path out = dir.resolve("report");
        JsonNode j = new CliRun("testtime", "coverage", "--data", csv.toString(), "--target", "0.95", "--json", "--no-store",
                "--out", out.toString()).json();
        assertEquals("converged", j.get("status").asText());
        assertEquals(2.0, j.get("a").asDouble(), 1e-9);
        assertEquals(0.5, j.get("b").asDouble(), 1e-9);
        assertEquals(Math.pow(2.0 / -Math.log(0.95), 2), j.get("k_needed").asDouble(), 1e-6);
        assertTrue(Files.exists(out.resolve("coverage.svg")) && Files.exists(out.resolve("index.html")));
    }

    @Test
    void majorityReadsJsonlAnswers() throws Exception {
        Path jsonl = dir.resolve("s.jsonl");
        Files.writeString(jsonl, "{\"problem\":\"q\",\"answer\":\"A\",\"reference\":\"A\"}\n"
                + "{\"problem\":\"q\",\"answer\":\"A\",\"reference\":\"A\"}\n{\"problem\":\"q\",\"answer\":\"B\",\"reference\":\"A\"}\n");
        JsonNode j = new CliRun("testtime", "majority", "--data", jsonl.toString(), "--k", "2,3", "--json", "--no-store").json();
        assertEquals(2.0 / 3, j.at("/curve/0/maj_at_k").asDouble(), 1e-15);
        assertEquals(1.0, j.at("/curve/1/maj_at_k").asDouble(), 1e-15);
        assertEquals("exact", j.get("method").asText());
    }

    @Test
    void majorityRefusesARaggedCsvNamingTheRowInsteadOfSkippingTheRowsBeforeIt() throws Exception {
        // Two files appended into one, the second with an extra column: a reader that guesses the layout
        // takes the second header for the real one and drops the rows above it without a word.
        Path csv = dir.resolve("appended.csv");
        Files.writeString(csv, "problem,answer\nq0,A\nq0,B\nproblem,answer,reference\n"
                + "q1,A,A\nq1,A,A\nq1,B,A\nq2,C,C\nq2,C,C\nq2,D,C\n");
        CliRun r = new CliRun("testtime", "majority", "--data", csv.toString(), "--k", "1", "--json", "--no-store");
        assertEquals(2, r.code, r.out.toString());
        assertTrue(r.err.toString().contains(csv + ": malformed CSV at line 4 (data row 3): 3 fields but the header has 2"), r.err.toString());
        assertTrue(r.out.toString().isEmpty(), r.out.toString());
    }

    @Test
    void majorityReadsACsvByItsHeaderWithQuotedDelimitersAndTabsForTsv() throws Exception {
        Path csv = dir.resolve("s.csv");
        Files.writeString(csv, "problem,answer,reference\nq,\"A, or B\",\"A, or B\"\nq,\"A, or B\",\"A, or B\"\nq,B,\"A, or B\"\n");
        Path tsv = dir.resolve("s.tsv");
        Files.writeString(tsv, "problem\tanswer\treference\nq\tA, or B\tA, or B\nq\tA, or B\tA, or B\nq\tB\tA, or B\n");
        for (Path f : new Path[] {csv, tsv}) {
            JsonNode j = new CliRun("testtime", "majority", "--data", f.toString(), "--k", "2,3", "--json", "--no-store").json();
            assertEquals(2.0 / 3, j.at("/curve/0/maj_at_k").asDouble(), 1e-15, f.toString());
            assertEquals(1.0, j.at("/curve/1/maj_at_k").asDouble(), 1e-15, f.toString());
        }
    }

    @Test
    void budgetReportsWinnersAndCrossovers() throws Exception {
        JsonNode j = new CliRun("testtime", "budget", "--model", "small,8,0.5,1", "--model", "large,0.1,0.2,100",
                "--budgets", "1e3:1e7:9", "--json", "--no-store").json();
        assertEquals("large", j.at("/rows/0/winner").asText());
        assertEquals("small", j.at("/rows/8/winner").asText());
        assertEquals(1, j.get("crossovers").size());
    }

    @Test
    void reliabilityPrintsTheTableAndTheNeededAccuracy() throws Exception {
        CliRun table = new CliRun("reliability", "--p", "0.999,0.9999", "--steps", "1000", "--no-store");
        assertEquals(0, table.code, table.err.toString());
        assertTrue(table.out.toString().contains("36.8%") && table.out.toString().contains("90.5%"), table.out.toString());
        JsonNode j = new CliRun("reliability", "--target", "0.9", "--steps", "1000", "--json", "--no-store").json();
        assertEquals(Math.pow(0.9, 1e-3), j.at("/rows/0/p").asDouble(), 1e-15);
        JsonNode c = new CliRun("reliability", "--p", "0.999", "--steps", "1000", "--rho", "0.1", "--json", "--no-store").json();
        assertTrue(c.at("/rows/0/success").asDouble() > 0.9, "shared difficulty raises success above 0.999^1000");
        assertEquals(2, new CliRun("reliability", "--target", "1.5", "--steps", "10", "--no-store").code);
    }

    @Test
    void reliabilityAtZeroAccuracyPrintsZeroNines() {
        CliRun r = new CliRun("reliability", "--p", "0,0.9", "--steps", "3", "--no-store");
        assertEquals(0, r.code, r.err.toString());
        assertFalse(r.out.toString().matches("(?s).*(^|\\s)-0(\\s|$).*"), r.out.toString());
        assertTrue(r.out.toString().lines().anyMatch(l -> l.matches("\\S*0\\.0\\s+0\\s.*")), r.out.toString());
    }
}
