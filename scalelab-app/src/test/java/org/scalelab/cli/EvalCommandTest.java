package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

/**
 * {@code scalelab eval} end to end on a tiny model: the JSON and per-example outputs, the run stored
 * in the lab (metrics TASK/METRIC with stderr in the points view, once per evaluation), bad input
 * refused with exit code 2 and nothing written lost, resumption after a SIGKILL, and
 * {@code eval compare} on paired files.
 */
class EvalCommandTest {
    @TempDir Path dir;

    private Path task(String name, int n) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(Json.write(java.util.Map.of("id", "q" + i, "context", "Question " + i + ": which colour?\nAnswer:",
                    "choices", List.of("red", "green " + i, "blue"), "gold", i % 3))).append('\n');
        }
        return Files.writeString(dir.resolve(name + ".jsonl"), sb.toString());
    }

    @Test
    void evalPrintsJsonWritesExamplesAndStoresTheRunOnce() throws Exception {
        Path model = CliRun.tinyModel("llama", dir.resolve("tiny"));
        Path task = task("colours", 6);
        Path lab = dir.resolve("lab");
        Path examples = dir.resolve("examples.jsonl");
        JsonNode r = new CliRun("eval", "--model", model.toString(), "--task", task.toString(), "--lab", lab.toString(),
                "--examples-out", examples.toString(), "--batch", "4", "--json").json();
        JsonNode t = r.get("tasks").get(0);
        assertEquals("colours", t.get("task").asText());
        assertEquals(6, t.get("n").asInt());
        for (String m : List.of("acc", "acc_norm", "mc1", "mc2")) {
            assertTrue(t.get("metrics").get(m).has("value") && t.get("metrics").get(m).has("stderr"), m);
        }
        List<String> lines = Files.readAllLines(examples);
        assertEquals(6, lines.size());
        int correct = 0;
        for (String line : lines) {
            JsonNode e = Json.mapper().readTree(line);
            for (String f : List.of("id", "logprobs", "bytes", "chosen", "correct")) {
                assertTrue(e.has(f), f + " in " + line);
            }
            assertEquals(3, e.get("logprobs").size());
            assertArrayEquals(new int[] {3, "green ".length() + e.get("id").asText().length() - 1, 4}, Json.mapper().treeToValue(e.get("bytes"), int[].class));
            correct += e.get("correct").asBoolean() ? 1 : 0;
        }
        assertEquals(correct / 6.0, t.get("metrics").get("acc").get("value").asDouble(), 1e-12, "acc is the mean of the examples' correct");
        assertFalse(Files.exists(dir.resolve("examples.jsonl.partial")), "the partial file is removed once the results are saved");
        CliRun points = new CliRun("runs", "sql", "--lab", lab.toString(), "--json", "SELECT model, params, \"colours/acc\", \"colours/acc_stderr\" FROM points");
        JsonNode rows = points.json().get("rows");
        assertEquals(1, rows.size(), points.out.toString());
        assertEquals(t.get("metrics").get("acc").get("value").asDouble(), rows.get(0).get(2).asDouble(), 1e-12);
        assertEquals(t.get("metrics").get("acc").get("stderr").asDouble(), rows.get(0).get(3).asDouble(), 1e-12);
        // The same evaluation at another batch size is the same run: recognised, not stored twice.
        CliRun again = new CliRun("eval", "--model", model.toString(), "--task", task.toString(), "--lab", lab.toString(), "--batch", "1");
        assertEquals(0, again.code, again.err.toString());
        assertTrue(again.err.toString().contains("already holds"), again.err.toString());
        assertEquals(1, new CliRun("runs", "sql", "--lab", lab.toString(), "--json", "SELECT * FROM points").json().get("rows").size());
    }

    @Test
    void nameTellsApartModelsWhoseFoldersShareOne() throws Exception {
        // Two runs' final checkpoints are both called checkpoint-00000100: --name keeps them apart in the lab.
        Path small = CliRun.tinyModel("llama", dir.resolve("small/checkpoint-00000100"));
        Path large = CliRun.tinyModel("gpt2", dir.resolve("large/checkpoint-00000100"));
        Path task = task("colours", 3);
        Path lab = dir.resolve("lab");
        JsonNode a = new CliRun("eval", "--model", small.toString(), "--name", "small", "--task", task.toString(), "--lab", lab.toString(), "--json").json();
        JsonNode b = new CliRun("eval", "--model", large.toString(), "--name", "large", "--task", task.toString(), "--lab", lab.toString(), "--json").json();
        assertEquals("small", a.get("model").asText());
        assertEquals("large", b.get("model").asText());
        JsonNode rows = new CliRun("runs", "sql", "--lab", lab.toString(), "--json", "SELECT model FROM points ORDER BY model").json().get("rows");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("large", rows.get(0).get(0).asText());
        assertEquals("small", rows.get(1).get(0).asText());
        CliRun blank = new CliRun("eval", "--model", small.toString(), "--name", " ", "--task", task.toString(), "--lab", lab.toString());
        assertEquals(2, blank.code, blank.err.toString());
        assertTrue(blank.err.toString().contains("--name"), blank.err.toString());
    }

    @Test
    void limitWithSeedScoresTheSameRandomSampleEachTime() throws Exception {
        Path model = CliRun.tinyModel("llama", dir.resolve("tiny"));
        Path task = task("colours", 12);
        Path lab = dir.resolve("lab");
        List<String> ids = new ArrayList<>();
        for (String run : List.of("first", "second")) {
            Path examples = dir.resolve(run + ".jsonl");
            CliRun r = new CliRun("eval", "--model", model.toString(), "--task", task.toString(), "--limit", "4", "--seed", "7",
                    "--examples-out", examples.toString(), "--lab", lab.toString(), "--json");
            assertEquals(0, r.code, r.err.toString());
            assertEquals(4, r.json().get("tasks").get(0).get("n").asInt());
            StringBuilder sample = new StringBuilder();
            for (String line : Files.readAllLines(examples)) {
                sample.append(Json.mapper().readTree(line).get("id").asText()).append(' ');
            }
            ids.add(sample.toString());
        }
        assertEquals(ids.get(0), ids.get(1), "the same seed draws the same examples");
    }

    @Test
    void anExistingExamplesFileIsReplacedOnlyWithForceAndNeverATaskFile() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path good = task("good", 3);
        Path examples = dir.resolve("examples.jsonl");
        assertEquals(0, new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--no-store",
                "--examples-out", examples.toString()).code);
        byte[] before = Files.readAllBytes(examples);
        CliRun again = new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--no-store", "--examples-out", examples.toString());
        assertEquals(2, again.code, again.err.toString());
        assertTrue(again.err.toString().contains("--examples-out " + examples + ": exists") && again.err.toString().contains("--force"),
                again.err.toString());
        assertArrayEquals(before, Files.readAllBytes(examples), "the earlier examples file is untouched");
        byte[] task = Files.readAllBytes(good);
        CliRun self = new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--no-store", "--examples-out", good.toString(), "--force");
        assertEquals(2, self.code, self.err.toString());
        assertTrue(self.err.toString().contains("is an input of this command"), self.err.toString());
        assertArrayEquals(task, Files.readAllBytes(good), "the task file is untouched");
        assertEquals(0, new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--no-store",
                "--examples-out", examples.toString(), "--force").code);
    }

    @Test
    void badInputExitsWithCodeTwoAndLosesNothingWritten() throws Exception {
        Path model = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path good = task("good", 3);
        Path lab = dir.resolve("lab");
        Path examples = dir.resolve("examples.jsonl");
        assertEquals(0, new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--lab", lab.toString(),
                "--examples-out", examples.toString()).code);
        byte[] before = Files.readAllBytes(examples);
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), Files.readString(good) + "{\"id\": \"x\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 5}\n");
        CliRun r = new CliRun("eval", "--model", model.toString(), "--task", bad.toString(), "--lab", lab.toString(), "--examples-out", examples.toString());
        assertEquals(2, r.code);
        assertEquals(1, r.err.toString().strip().lines().count(), r.err.toString());
        assertTrue(r.err.toString().contains("bad.jsonl:4") && r.err.toString().contains("gold"), r.err.toString());
        assertArrayEquals(before, Files.readAllBytes(examples), "the earlier examples file is untouched");
        assertEquals(1, new CliRun("runs", "sql", "--lab", lab.toString(), "--json", "SELECT * FROM points").json().get("rows").size());
        CliRun norm = new CliRun("eval", "--model", model.toString(), "--task", good.toString(), "--norm", "words", "--lab", lab.toString());
        assertEquals(2, norm.code, norm.err.toString());
    }

    @Test
    void compareRunsPairedTestsAndRefusesMismatchedExamples() throws Exception {
        Path small = CliRun.tinyModel("gpt2", dir.resolve("small"));
        Path other = CliRun.tinyModel("llama", dir.resolve("other"));
        Path task = task("colours", 12);
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        JsonNode ea = new CliRun("eval", "--model", small.toString(), "--task", task.toString(), "--no-store", "--examples-out", a.toString(),
                "--norm", "tokens", "--json").json();
        JsonNode eb = new CliRun("eval", "--model", other.toString(), "--task", task.toString(), "--no-store", "--examples-out", b.toString(),
                "--norm", "tokens", "--json").json();
        JsonNode c = new CliRun("eval", "compare", a.toString(), b.toString(), "--no-store", "--json").json();
        assertEquals("tokens", c.get("norm").asText(), "the unit the evaluations recorded");
        JsonNode t = c.get("tasks").get(0);
        JsonNode acc = t.get("mcnemar").get("acc");
        assertEquals(12, acc.get("n").asInt());
        assertEquals(acc.get("accuracy_a").asDouble() - acc.get("accuracy_b").asDouble(), acc.get("difference").asDouble(), 1e-12);
        assertTrue(acc.get("low").asDouble() <= acc.get("difference").asDouble() && acc.get("difference").asDouble() <= acc.get("high").asDouble());
        // Every metric, paired; each side's value is the evaluation's own aggregate.
        for (String m : List.of("acc", "acc_norm", "mc1")) {
            assertEquals(ea.get("tasks").get(0).get("metrics").get(m).get("value").asDouble(), t.get("mcnemar").get(m).get("accuracy_a").asDouble(), 1e-12, m);
            assertEquals(eb.get("tasks").get(0).get("metrics").get(m).get("value").asDouble(), t.get("mcnemar").get(m).get("accuracy_b").asDouble(), 1e-12, m);
        }
        assertEquals(ea.get("tasks").get(0).get("metrics").get("mc2").get("value").asDouble(), t.get("bootstrap").get("mc2").get("mean_a").asDouble(), 1e-12);
        assertEquals(eb.get("tasks").get(0).get("metrics").get("mc2").get("value").asDouble(), t.get("bootstrap").get("mc2").get("mean_b").asDouble(), 1e-12);
        // The two checkpoints compared directly: the same comparison (same batches, so the same bits), and nothing written.
        List<Path> before;
        try (var files = Files.walk(dir)) {
            before = files.sorted().toList();
        }
        JsonNode direct = new CliRun("eval", "compare", "--task", task.toString(), "--norm", "tokens", "--batch", "8", small.toString(), other.toString(),
                "--no-store", "--json").json();
        assertEquals(c.get("tasks"), direct.get("tasks"));
        try (var files = Files.walk(dir)) {
            assertEquals(before, files.sorted().toList(), "compare of checkpoints writes no file");
        }
        CliRun mixed = new CliRun("eval", "compare", "--task", task.toString(), a.toString(), other.toString(), "--no-store");
        assertEquals(2, mixed.code, mixed.err.toString());
        assertEquals(1, mixed.err.toString().strip().lines().count(), mixed.err.toString());
        assertTrue(mixed.err.toString().contains(other + " is a folder"), mixed.err.toString());
        CliRun noTask = new CliRun("eval", "compare", small.toString(), other.toString(), "--no-store");
        assertEquals(2, noTask.code, noTask.err.toString());
        assertTrue(noTask.err.toString().contains("--task"), noTask.err.toString());
        // One example fewer in B: refused with one line naming it.
        List<String> lines = new ArrayList<>(Files.readAllLines(b));
        lines.remove(3);
        Files.write(b, lines);
        CliRun bad = new CliRun("eval", "compare", a.toString(), b.toString(), "--no-store");
        assertEquals(2, bad.code);
        assertEquals(1, bad.err.toString().strip().lines().count(), bad.err.toString());
        assertTrue(bad.err.toString().contains("colours/q3"), bad.err.toString());
    }

    @Test
    void aKilledEvaluationResumesAndGivesTheUninterruptedResult() throws Exception {
        Path model = CliRun.tinyModel("llama", dir.resolve("tiny"));
        Path task = task("colours", 60);
        Path clean = dir.resolve("clean.jsonl");
        assertEquals(0, new CliRun("eval", "--model", model.toString(), "--task", task.toString(), "--no-store", "--examples-out", clean.toString()).code);
        Path out = dir.resolve("killed.jsonl");
        Path partial = dir.resolve("killed.jsonl.partial");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp", cp,
                Main.class.getName(), "eval", "--model", model.toString(), "--task", task.toString(), "--no-store", "--batch", "1",
                "--examples-out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && (!Files.exists(partial) || Files.readAllLines(partial).size() < 6)) {
            Thread.sleep(20);
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertFalse(Files.exists(out), "the child was killed mid-run, not after it finished");
        assertTrue(Files.exists(partial), Files.readString(dir.resolve("child.log")));
        CliRun resumed = new CliRun("eval", "--model", model.toString(), "--task", task.toString(), "--no-store", "--examples-out", out.toString());
        assertEquals(0, resumed.code, resumed.err.toString());
        assertTrue(resumed.err.toString().contains("resumed:"), resumed.err.toString());
        List<String> expected = Files.readAllLines(clean);
        List<String> got = Files.readAllLines(out);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = Json.mapper().readTree(expected.get(i));
            JsonNode g = Json.mapper().readTree(got.get(i));
            assertEquals(e.get("id"), g.get("id"));
            assertEquals(e.get("chosen"), g.get("chosen"));
            for (int c = 0; c < 3; c++) {
                assertEquals(e.get("logprobs").get(c).asDouble(), g.get("logprobs").get(c).asDouble(), 1e-5);
            }
        }
        assertFalse(Files.exists(partial));
    }
}
