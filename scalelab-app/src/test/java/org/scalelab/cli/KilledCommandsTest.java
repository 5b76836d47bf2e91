package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;
import org.scalelab.train.TrainingCheckpoint;

/**
 * Crash tests: real {@code scalelab} commands run in child JVMs and are killed with SIGKILL
 * ({@link Process#destroyForcibly}) at seeded random moments, then the lab is checked as a user would
 * find it: the store opens, nothing finished is lost, nothing half-written reads as complete, and
 * running the same command again finishes the work with the result an uninterrupted run gives.
 *
 * <p>The kill moment is drawn uniformly over the part of one uninterrupted run (measured first) that
 * follows the moment its work becomes visible on disk (the store, the manifest, the run folder appear),
 * so kills land in the work and in the final writes rather than in JVM start-up. {@code -Dscalelab.crash.kills=N} sets the kills per command (default 3 here; the long run in
 * {@code bench/crash_commands.sh} uses more) and {@code -Dscalelab.crash.seed=S} the moments.
 */
class KilledCommandsTest {
    private static final int KILLS = Integer.getInteger("scalelab.crash.kills", 3);
    private static final long SEED = Long.getLong("scalelab.crash.seed", 11);

    @TempDir Path dir;

    /** A child JVM running one scalelab command line, and whether it was killed before it ended by itself. */
    private record Child(boolean killed, int exitCode, String output) {}

    /** When, in an uninterrupted run, the command's work became visible ({@code watch} appeared) and when it ended. */
    private record Timing(long visibleMillis, long endMillis) {}

    /** Starts {@code scalelab args} in a child JVM on the test class path, its output to {@code log}. */
    private static Process start(Path log, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", cp, Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Runs {@code args} in a child JVM and kills it {@code killAfterMillis} after {@code watch} appears
     * (a file the command writes once its work starts), unless it ends first.
     */
    private Child run(Path watch, long killAfterMillis, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = start(log, args);
        while (p.isAlive() && !Files.exists(watch)) {
            Thread.sleep(2);
        }
        boolean ended = p.waitFor(killAfterMillis, TimeUnit.MILLISECONDS);
        if (!ended) {
            p.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "killed child did not end");
        }
        String output = Files.readString(log);
        Files.delete(log);
        return new Child(!ended, ended ? p.exitValue() : -1, output);
    }

    /** One uninterrupted run in a child JVM, timed; fails if the command fails. */
    private Timing measure(Path watch, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "child", ".log");
        long t0 = System.nanoTime();
        Process p = start(log, args);
        long visible = -1;
        while (p.isAlive()) {
            if (visible < 0 && Files.exists(watch)) {
                visible = System.nanoTime();
            }
            Thread.sleep(2);
        }
        long end = System.nanoTime();
        assertEquals(0, p.exitValue(), Files.readString(log));
        Files.delete(log);
        return new Timing(((visible < 0 ? end : visible) - t0) / 1_000_000, (end - t0) / 1_000_000);
    }

    /** Kill moments after the work became visible, uniform over the rest of an uninterrupted run. */
    private static long[] killMoments(Timing t, long salt) {
        SplittableRandom r = new SplittableRandom(SEED * 1_000_003L + salt);
        long[] at = new long[KILLS];
        for (int i = 0; i < KILLS; i++) {
            at[i] = (long) (r.nextDouble() * Math.max(1, t.endMillis() - t.visibleMillis()));
        }
        return at;
    }

    private static void record(String what, int kills, int killedMidway) {
        System.out.printf(Locale.ROOT, "crash test %s: %d kills, %d before the command ended%n", what, kills, killedMidway);
    }

    // ---------------------------------------------------------------- import

    @Test
    void killedImportLeavesEitherTheWholeImportOrNoneAndARerunFinishesIt() throws Exception {
        Path csv = dir.resolve("runs.csv");
        int rows = 20_000;
        StringBuilder b = new StringBuilder("model,params,tokens,loss\n");
        for (int i = 0; i < rows; i++) {
            double n = 1e6 * (1 + i % 97);
            double d = 2e7 * (1 + i % 89);
            b.append("m").append(i).append(',').append(n).append(',').append(d).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", 1.7 + 400 / Math.pow(n, 0.34) + 410 / Math.pow(d, 0.28))).append('\n');
        }
        Files.writeString(csv, b);
        Path timingLab = dir.resolve("timing-lab");
        Timing full = measure(timingLab.resolve("scalelab.duckdb"), "runs", "import", csv.toString(), "--lab", timingLab.toString());
        int midway = 0;
        int k = 0;
        for (long at : killMoments(full, 1)) {
            Path lab = dir.resolve("lab-" + k++);
            Child c = run(lab.resolve("scalelab.duckdb"), at, "runs", "import", csv.toString(), "--lab", lab.toString());
            midway += c.killed() ? 1 : 0;
            // Whatever the moment: the store opens, and an import is whole or absent.
            JsonNode q = new CliRun("runs", "sql", "SELECT import_id, (SELECT count(*) FROM runs r WHERE r.import_id = i.import_id) AS n "
                    + "FROM imports i", "--lab", lab.toString(), "--json").json();
            JsonNode found = q.get("rows");
            assertTrue(found.size() <= 1, "at most one import: " + found);
            if (found.size() == 1) {
                assertEquals(rows, found.get(0).get(1).asLong(), "a listed import holds all its runs");
            }
            // Re-running finishes the work (or says it is already done, with exit 2 and the way out).
            CliRun again = new CliRun("runs", "import", csv.toString(), "--lab", lab.toString());
            if (found.size() == 1) {
                assertEquals(2, again.code, again.err.toString());
                assertTrue(again.err.toString().contains("delete-import"), again.err.toString());
            } else {
                assertEquals(0, again.code, again.err.toString());
            }
            JsonNode total = new CliRun("runs", "sql", "SELECT count(*) FROM runs", "--lab", lab.toString(), "--json").json();
            assertEquals(rows, total.at("/rows/0/0").asLong());
        }
        record("runs import", KILLS, midway);
    }

    // ---------------------------------------------------------------- result + report writes

    @Test
    void killedFitNeverLeavesAHalfWrittenReportOrResult() throws Exception {
        Path csv = dir.resolve("points.csv");
        StringBuilder b = new StringBuilder("compute,loss\n");
        for (int i = 0; i < 12; i++) {
            double c = Math.pow(10, 18 + i * 0.5);
            b.append(c).append(',').append(String.format(Locale.ROOT, "%.6f", 1.8 + 2000 * Math.pow(c, -0.15) * (1 + 0.01 * Math.sin(i)))).append('\n');
        }
        Files.writeString(csv, b);
        Path lab = dir.resolve("lab");
        Path report = dir.resolve("report");
        String[] fit = {"fit", "power", "--data", csv.toString(), "--x", "compute", "--y-col", "loss", "--bootstrap", "200",
                "--lab", lab.toString(), "--out", report.toString()};
        Timing full = measure(csv, fit);
        assertComplete(report);
        int midway = 0;
        for (long at : killMoments(full, 2)) {
            Child c = run(csv, at, fit);
            midway += c.killed() ? 1 : 0;
            // The previous report is still whole (or replaced by a whole new one); no half-written report.
            assertComplete(report);
            // The store opens, and every saved result is a whole JSON record.
            JsonNode results = new CliRun("runs", "sql", "SELECT result_id, result_json FROM results", "--lab", lab.toString(), "--json").json();
            for (JsonNode r : results.get("rows")) {
                assertTrue(Json.mapper().readTree(r.get(1).asText()).isObject(), "result " + r.get(0) + " is a whole record");
            }
        }
        // Running it again finishes the work.
        CliRun again = new CliRun(fit);
        assertEquals(0, again.code, again.err.toString());
        assertComplete(report);
        record("fit power --out", KILLS, midway);
    }

    /** A report folder as a reader finds it: result.json parses, index.html is whole, every plot it names exists. */
    private static void assertComplete(Path report) throws IOException {
        assertTrue(Files.isDirectory(report), report + " exists");
        JsonNode result = Json.mapper().readTree(report.resolve("result.json").toFile());
        assertTrue(result.isObject(), "result.json is a record");
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.strip().endsWith("</html>"), "index.html is whole");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            assertTrue(Files.size(report.resolve(m.group(1))) > 0, "plot " + m.group(1) + " is written");
        }
    }

    // ---------------------------------------------------------------- capture

    @Test
    void killedCaptureIsRefusedUntilReRunAndTheResumedSetEqualsAnUninterruptedOne() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path prompts = dir.resolve("prompts.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 96; i++) {
            b.append("{\"id\": \"p").append(i).append("\", \"text\": \"Step ").append(i).append(": the quick brown fox ")
                    .append("jumps over the lazy dog ").append(i % 7).append(" times.\", \"domain\": \"").append(i % 2 == 0 ? "a" : "b").append("\"}\n");
        }
        Files.writeString(prompts, b);
        Path reference = dir.resolve("acts-reference");
        Timing full = measure(reference.resolve("manifest.json"), capture(model, prompts, reference));
        int midway = 0;
        int refused = 0;
        int k = 0;
        for (long at : killMoments(full, 3)) {
            Path out = dir.resolve("acts-" + k++);
            Child c = run(out.resolve("manifest.json"), at, capture(model, prompts, out));
            midway += c.killed() ? 1 : 0;
            Path manifest = out.resolve("manifest.json");
            if (Files.exists(manifest) && !Json.mapper().readTree(manifest.toFile()).path("complete").asBoolean()) {
                // Half-written: every reader refuses it until the capture is finished.
                CliRun geometry = new CliRun("geometry", "--acts", out.toString(), "--no-store");
                assertEquals(2, geometry.code, "geometry on an unfinished capture: " + geometry.out + geometry.err);
                assertTrue(geometry.err.toString().contains("complete"), geometry.err.toString());
                refused++;
            }
            CliRun again = new CliRun(capture(model, prompts, out));
            assertEquals(0, again.code, again.err.toString());
            assertSameActivations(reference, out);
        }
        record("capture (" + refused + " unfinished sets refused)", KILLS, midway);
    }

    private static String[] capture(Path model, Path prompts, Path out) {
        return new String[] {"capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.*.hook_resid_post",
                "--out", out.toString(), "--shard-mb", "0.05", "--batch", "4"};
    }

    private static void assertSameActivations(Path expected, Path actual) {
        try (ActivationSet a = ActivationSet.open(expected); ActivationSet b = ActivationSet.open(actual)) {
            assertTrue(b.manifest().complete(), "re-run capture is complete");
            assertEquals(a.trajectories().size(), b.trajectories().size());
            for (ActivationManifest.Trajectory t : a.trajectories()) {
                for (String hook : a.hooks()) {
                    float[][] x = a.rows(hook, t);
                    float[][] y = b.rows(hook, b.trajectory(t.id()));
                    assertEquals(x.length, y.length, t.id());
                    for (int i = 0; i < x.length; i++) {
                        assertArrayEquals(x[i], y[i], 0f, t.id() + " " + hook + " row " + i);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- train

    @Test
    void killedTrainingResumesToTheWeightsOfAnUninterruptedRun() throws Exception {
        Path model = CliRun.tinyModel("llama", dir.resolve("init"));
        Path data = dir.resolve("train.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            b.append("{\"text\": \"").append(i).append(" + ").append(i % 9).append(" = ").append(i + i % 9).append("\"}\n");
        }
        Files.writeString(data, b);
        Path reference = dir.resolve("run-reference");
        Timing full = measure(reference, train(model, data, reference, false));
        Path referenceWeights = finalWeights(reference);
        int midway = 0;
        int k = 0;
        for (long at : killMoments(full, 4)) {
            Path out = dir.resolve("run-" + k++);
            Child c = run(out, at, train(model, data, out, false));
            midway += c.killed() ? 1 : 0;
            boolean started = TrainingCheckpoint.latest(out).isPresent();
            CliRun again = new CliRun(train(model, data, out, started));
            assertEquals(0, again.code, again.out + "" + again.err);
            assertArrayEquals(Files.readAllBytes(referenceWeights), Files.readAllBytes(finalWeights(out)),
                    "resumed run's final weights equal the uninterrupted run's");
        }
        record("train", KILLS, midway);
    }

    private static String[] train(Path model, Path data, Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("train", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--steps", "16", "--batch", "4", "--lr", "3e-3", "--seed", "3", "--checkpoint-every", "3", "--keep", "0"));
        if (resume) {
            a.add("--resume");
        }
        return a.toArray(String[]::new);
    }

    private static Path finalWeights(Path run) throws IOException {
        try (Stream<Path> s = Files.walk(run)) {
            List<Path> w = s.filter(p -> p.getFileName().toString().equals("model.safetensors")).sorted().toList();
            assertFalse(w.isEmpty(), "no weights in " + run);
            return w.get(w.size() - 1);
        }
    }
}
