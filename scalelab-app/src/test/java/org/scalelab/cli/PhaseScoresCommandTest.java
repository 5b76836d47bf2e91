package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhaseScoresCommandTest {
    /** The study's public 14-model table (see scalelab-core/src/main/resources/org/scalelab/phase/README.md). */
    static final Path FOURTEEN = Path.of("..", "scalelab-core", "src", "main", "resources", "org", "scalelab", "phase", "hellaswag-truthfulqa-14.csv");

    @TempDir
    Path dir;

    /** The 14-model table; it carries the models' published widths (d_model). */
    Path withWidths() {
        return FOURTEEN;
    }

    @Test
    void jsonHasThePinnedShape() throws Exception {
        JsonNode j = new CliRun("phase", "scores", "--data", withWidths().toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--d-model-col", "d_model", "--bootstrap", "2000", "--permutations", "500", "--seed", "42", "--json", "--no-store").json();
        JsonNode pythia = j.at("/families/0");
        assertEquals("Pythia", pythia.get("family").asText());
        JsonNode step = pythia.at("/steps/0");
        assertEquals("pythia-70m", step.get("from").asText());
        assertEquals("pythia-160m", step.get("to").asText());
        assertEquals(-4.12 / 2.3, step.get("gamma").asDouble(), 1e-12);
        assertTrue(step.has("ci95") && step.get("ci95").isNull(), "no stderr: no interval");
        assertEquals("tax", step.get("phase").asText());
        assertTrue(pythia.get("r").asDouble() < -0.9);
        assertEquals(2, pythia.get("r_ci95").size());
        assertTrue(pythia.get("r_width_normalized").isNumber());
        assertTrue(pythia.at("/r_width_null/mean").isNumber() && pythia.at("/r_width_null/p95").isNumber(), pythia.toString());
        assertTrue(j.at("/families/1/r_ci95").isNull(), "Llama-1 has 3 models: no Fisher-z interval");
        JsonNode quad = j.at("/critical_size/0");
        assertEquals("quadratic_vertex", quad.get("method").asText());
        assertEquals(3.43e9, quad.get("value").asDouble(), 0.01e9);
        assertTrue(quad.get("median").isNumber() && quad.get("ci95").size() == 2 && quad.get("valid_replicates").asInt() > 1900);
        assertEquals("gamma_zero", j.at("/critical_size/1/method").asText());
        assertTrue(j.at("/critical_size/1").has("valid_replicates"));
        assertEquals("phase.scores", j.at("/provenance/analysis").asText());
        assertEquals(42, j.at("/provenance/seed").asLong());
    }

    @Test
    void standardErrorsGiveStepIntervalsAndMoreBenchmarksADimension() throws Exception {
        Path f = dir.resolve("se.csv");
        Files.writeString(f, "family,model,params,hs,tqa,hs_se,tqa_se,arc\n"
                + "P,p1,1e8,30,45,0.4,1.5,22\nP,p2,4e8,40,42,0.5,1.5,25\nP,p3,1e9,48,40,0.5,1.5,29\nP,p4,1e10,66,41,0.5,1.5,38\n"
                + "Q,q1,7e9,77,35,0.4,1.6,50\nQ,q2,1.3e10,81,39,0.4,1.6,56\nQ,q3,6.5e10,86,43,0.3,1.6,60\n");
        JsonNode j = new CliRun("phase", "scores", "--data", f.toString(), "--a", "hs", "--b", "tqa", "--a-stderr-col", "hs_se",
                "--b-stderr-col", "tqa_se", "--also", "arc", "--bootstrap", "1000", "--permutations", "0", "--json", "--no-store").json();
        JsonNode step = j.at("/families/0/steps/0");
        assertEquals(2, step.get("ci95").size(), step.toString());
        assertTrue(step.at("/ci95/0").asDouble() < step.get("gamma").asDouble() && step.get("gamma").asDouble() < step.at("/ci95/1").asDouble());
        assertEquals(1000, step.get("valid_replicates").asInt());
        JsonNode all = j.at("/benchmark_dimension/2");
        assertEquals("all", all.get("group").asText());
        double pr = all.get("participation_ratio").asDouble();
        assertTrue(pr >= 1 && pr <= 3, all.toString());
    }

    @Test
    void tableAndReportWithPlots() throws Exception {
        Path out = dir.resolve("report");
        CliRun r = new CliRun("phase", "scores", "--data", FOURTEEN.toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--bootstrap", "500", "--seed", "1", "--out", out.toString(), "--no-store");
        assertEquals(0, r.code, r.err.toString());
        String text = r.out.toString();
        assertTrue(text.contains("quadratic_vertex") && text.contains("gamma_zero") && text.contains("pythia-70m"), text);
        assertTrue(text.contains("no standard errors"), "says why the γ12 intervals are absent: " + text);
        for (String plot : List.of("gamma", "scores", "quadratic", "nc_quadratic_vertex")) {
            assertTrue(Files.exists(out.resolve(plot + ".svg")), plot);
        }
        assertTrue(Files.readString(out.resolve("index.html")).contains("Critical size"));
    }

    @Test
    void readsTheLabsMetricsThroughAQuery() throws Exception {
        Path lab = dir.resolve("lab");
        CliRun imp = new CliRun("runs", "import", FOURTEEN.toString(), "--metric", "hellaswag=hellaswag", "--metric", "truthfulqa=truthfulqa",
                "--lab", lab.toString());
        assertEquals(0, imp.code, imp.err.toString());
        JsonNode fromLab = new CliRun("phase", "scores", "--query", "SELECT family, model, params, hellaswag, truthfulqa FROM points",
                "--a", "hellaswag", "--b", "truthfulqa", "--bootstrap", "300", "--lab", lab.toString(), "--json").json();
        JsonNode fromFile = new CliRun("phase", "scores", "--data", FOURTEEN.toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--bootstrap", "300", "--json", "--no-store").json();
        assertEquals(fromFile.at("/critical_size/0/value").asDouble(), fromLab.at("/critical_size/0/value").asDouble(), 1e-6);
        assertEquals(fromFile.at("/critical_size/0/median").asDouble(), fromLab.at("/critical_size/0/median").asDouble(), 1e-6);
        assertEquals(fromFile.at("/families/0/r").asDouble(), fromLab.at("/families/0/r").asDouble(), 1e-12);
        JsonNode stored = new CliRun("runs", "sql", "SELECT analysis FROM results", "--lab", lab.toString(), "--json").json();
        assertEquals("phase.scores", stored.at("/rows/0/0").asText());
    }

    @Test
    void badInputIsOneLineWithExitCode2AndLeavesAPreviousReportAlone() throws Exception {
        Path out = dir.resolve("report");
        assertEquals(0, new CliRun("phase", "scores", "--data", FOURTEEN.toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--bootstrap", "0", "--out", out.toString(), "--no-store").code);
        String before = Files.readString(out.resolve("result.json"));
        String header = "family,model,params,hellaswag,truthfulqa\n";
        String ok = "P,p1,1e8,30,45\nP,p2,1e9,40,42\nP,p3,1e10,50,44\n";
        expectRefused(header + ok.replace("42", "NaN"), "row 2, column 'truthfulqa'", "NaN", out);
        expectRefused(header + ok.replace("40", "forty"), "row 2, column 'hellaswag': value 'forty' is not a number", null, out);
        expectRefused(header + ok.replace("1e9", "Inf"), "row 2, column 'params'", "Inf", out);
        expectRefused("family,model,params,hellaswag\nP,p1,1e8,30\n", "no column 'truthfulqa'", null, out);
        expectRefused(header + ok + "Q,q1,1e9,40,40\n", "family 'Q' has one model", "--single-size pool", out);
        expectRefused(header + "P,p1,1e8,30,45\nP,p2,1e9,40,42\n", "at least 3", null, out);
        expectRefused(header + ok + "Q,p2,1e9,41,41\nQ,q2,1e10,42,42\n", "model 'p2' already appeared at row 2", null, out);
        assertEquals(before, Files.readString(out.resolve("result.json")), "a refused run must not touch the previous report");
        CliRun badOption = new CliRun("phase", "scores", "--data", FOURTEEN.toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--gamma-zero", "spline", "--no-store");
        assertEquals(2, badOption.code);
        assertTrue(badOption.err.toString().contains("--gamma-zero spline"), badOption.err.toString());
    }

    private void expectRefused(String csv, String must, String alsoMust, Path out) throws Exception {
        Path f = dir.resolve("bad" + System.nanoTime() + ".csv");
        Files.writeString(f, csv);
        CliRun r = new CliRun("phase", "scores", "--data", f.toString(), "--a", "hellaswag", "--b", "truthfulqa", "--bootstrap", "10",
                "--out", out.toString(), "--no-store");
        String err = r.err.toString();
        assertEquals(2, r.code, err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains(must), err);
        assertTrue(err.contains(f.getFileName().toString()), "names the file: " + err);
        if (alsoMust != null) {
            assertTrue(err.contains(alsoMust), err);
        }
        assertFalse(r.out.toString().contains("report:"), r.out.toString());
    }
}
