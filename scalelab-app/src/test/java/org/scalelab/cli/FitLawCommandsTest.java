package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

/** {@code scalelab fit power|bnsl|sigmoid|shape|exp}, run in-process through picocli. */
class FitLawCommandsTest {
    static final String CHINCHILLA = Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv").toString();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** Writes a CSV with columns params and the given y name: y = f(x) + noise over log-spaced x. */
    Path csv(String yName, int n, double lo, double hi, java.util.function.DoubleUnaryOperator f, double sigma)
            throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder("params," + yName + "\n");
        for (int i = 0; i < n; i++) {
            double x = Math.pow(10, Math.log10(lo) + (Math.log10(hi) - Math.log10(lo)) * i / (n - 1));
            double noise = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
            sb.append(String.format(Locale.ROOT, "%.10g,%.10g%n", x, f.applyAsDouble(x) + sigma * noise));
        }
        Path p = dir.resolve(yName + ".csv");
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void powerOnChinchillaComputeMatchesScipyReference() throws Exception {
        // Reference: bench/laws_scipy.py power on (compute, loss) of this file gives
        // E = 1.79858, A = 4546.86, alpha = 0.188058 (scipy.optimize.curve_fit, log-space residuals).
        Run r = run("fit", "power", "--data", CHINCHILLA, "--x", "compute", "--bootstrap", "20", "--json", "--no-store");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals("power", j.get("law").asText());
        assertEquals("converged", j.get("status").asText());
        assertEquals(245, j.get("n_points").asInt());
        assertEquals(1.79858, j.get("parameters").get(0).get("value").asDouble(), 1e-3);
        assertEquals(0.188058, j.get("parameters").get(2).get("value").asDouble(), 1e-4);
        assertEquals(2, j.get("parameters").get(2).get("ci95").size());
        assertEquals("ran", j.get("backtest").get("status").asText());
        assertEquals("fit power", j.get("provenance").get("analysis").asText());
        assertEquals(64, j.get("provenance").get("inputs").get(0).get("sha256").asText().length());
    }

    @Test
    void humanOutputIsATableWithStatusAndBacktest() {
        Run r = run("fit", "power", "--data", CHINCHILLA, "--x", "compute", "--bootstrap", "0", "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("status: converged"), r.out());
        assertTrue(r.out().contains("alpha"), r.out());
        assertTrue(r.out().contains("backtest: fitted 196 points"), r.out());
    }

    @Test
    void shapeFindsPlantedInvertedUAndPrintsRequiredJson() throws Exception {
        Path p = csv("accuracy", 20, 1e7, 1e11, x -> 0.7 - 0.08 * Math.pow(Math.log10(x) - 8.6, 2), 0.02);
        Run r = run("fit", "shape", "--data", p.toString(), "--y-col", "accuracy", "--json", "--no-store");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals("inverted_U", j.get("shape").asText());
        double tp = Math.log10(j.get("turning_point").get("x").asDouble());
        assertEquals(8.6, tp, 0.3);
        assertEquals(2, j.get("turning_point").get("ci95").size());
        assertTrue(j.get("p_value").asDouble() < 0.05);
        assertTrue(j.has("coefficients") && j.has("n_points") && j.has("status"));
    }

    @Test
    void sigmoidReportsHalfwayPointWithInterval() throws Exception {
        Path p = csv("accuracy", 30, 1e6, 1e12, x -> 0.25 + 0.75 / (1 + Math.exp(-2.5 * (Math.log10(x) - 9))), 0.02);
        Run r = run("fit", "sigmoid", "--data", p.toString(), "--floor", "0.25", "--ceiling", "1", "--bootstrap", "50",
                "--json", "--no-store");
        assertEquals(0, r.code(), r.err());
        JsonNode x50 = null;
        for (JsonNode n : r.json().get("parameters")) {
            if (n.get("name").asText().equals("x50")) {
                x50 = n;
            }
        }
        assertEquals(9.0, Math.log10(x50.get("value").asDouble()), 0.15);
        assertTrue(x50.get("ci95").get(0).asDouble() < 1e9 && 1e9 < x50.get("ci95").get(1).asDouble());
    }

    @Test
    void bnslListsEveryCandidateAndWritesAReport() throws Exception {
        Path out = dir.resolve("report");
        Run r = run("fit", "bnsl", "--data", CHINCHILLA, "--x", "compute", "--breaks", "1", "--bootstrap", "10",
                "--no-backtest", "--out", out.toString(), "--no-store");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rss(log y)"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
        assertTrue(Files.isRegularFile(out.resolve("fit.svg")));
        assertTrue(Files.isRegularFile(out.resolve("residuals.png")));
        JsonNode j = Json.mapper().readTree(out.resolve("result.json").toFile());
        assertEquals(2, j.get("candidates").size());
    }

    @Test
    void missingColumnAndBadOptionsAreInputErrorsWithExitCode2() {
        Run missing = run("fit", "power", "--data", CHINCHILLA, "--x", "tokens", "--no-store");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no column 'tokens'"), missing.err());
        Run negative = run("fit", "power", "--data", CHINCHILLA, "--bootstrap", "-1", "--no-store");
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("--bootstrap"), negative.err());
        Run floor = run("fit", "sigmoid", "--data", CHINCHILLA, "--y-col", "loss", "--floor", "low", "--no-store");
        assertEquals(2, floor.code());
        assertTrue(floor.err().contains("--floor"), floor.err());
    }

    @Test
    void sigmoidFloorAboveCeilingIsAnInputError() {
        Run r = run("fit", "sigmoid", "--data", CHINCHILLA, "--y-col", "loss", "--floor", "0.9", "--ceiling", "0.1", "--no-store");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("floor 0.9 must be below its ceiling 0.1"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void expFitsADecayWithTheSameJsonAsTheOtherLaws() throws Exception {
        Path data = csv("loss", 30, 100, 1e5, x -> 2 + 3 * Math.exp(-x / 2e4), 0.01);
        Run r = run("fit", "exp", "--data", data.toString(), "--bootstrap", "20", "--json", "--no-store");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals("exp", j.get("law").asText());
        assertEquals("converged", j.get("status").asText(), j.path("reason").asText());
        assertEquals(2e4, j.get("parameters").get(2).get("value").asDouble(), 2e3);
        for (String key : new String[] {"form", "warnings", "n_points", "rss", "rmse", "bootstrap", "forecasts",
                "backtest", "provenance"}) {
            assertTrue(j.has(key), key + " in " + j);
        }
        Run text = run("fit", "exp", "--data", data.toString(), "--bootstrap", "0", "--no-store");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("rms residual of loss"), text.out());
    }
}
