package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;

/**
 * {@code scalelab capture --spark local[2]} and {@code scalelab eval --spark local[2]} through the command line's
 * own entry point, which finds the Spark engine on the class path ({@code DistributedRuns}), against the same
 * commands without --spark: the same activation set row for row (rows, indices, positions, token ids and manifest,
 * bit for bit; only the shard layout may differ) and summary; the same eval JSON, the same per-example file byte for
 * byte, and the same numbers stored in the lab (recognised as the same evaluation).
 */
class SparkCommandLineTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Path model;
    private static Path prompts;
    private static Path task;

    @BeforeAll
    static void start() throws IOException {
        DistributedCaptureTest.quietLogs();
        model = dir.resolve("tiny-llama");
        ModelInit.write(model, ModelConfig.llama(260, 32, 2, 4, 2, 64, 64, 10000.0, false), 7, ModelInit.Scheme.ALL_RANDOM);
        List<String> texts = List.of("The cat sat.", "2+2=4", "Hello, world! How are you?", "xy z", "One. Two. Three.", "a", "Step one then two.");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            sb.append(Json.write(new TreeMap<>(Map.of("id", "p" + i, "text", texts.get(i), "domain", i % 2 == 0 ? "even" : "odd")))).append('\n');
        }
        prompts = Files.writeString(dir.resolve("prompts.jsonl"), sb.toString());
        sb.setLength(0);
        for (int i = 0; i < 11; i++) {
            sb.append(Json.write(new TreeMap<>(Map.of("id", "q" + i, "context", "Question " + i + ": which colour?\nAnswer:",
                    "choices", List.of("red", "green " + i, "blue"), "gold", i % 3)))).append('\n');
        }
        task = Files.writeString(dir.resolve("colours.jsonl"), sb.toString());
        // The command line's runs find this session and leave it running: one session for the class.
        spark = SparkSessions.open("local[2]", "scalelab-spark-command-line-test");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** One command line run in this JVM: exit code, stdout, stderr. */
    private record Run(int code, String out, String err) {
        Run(String... args) {
            this(new StringWriter(), new StringWriter(), args);
        }

        private Run(StringWriter out, StringWriter err, String... args) {
            this(Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true)), out.toString(), err.toString());
        }

        JsonNode json() throws IOException {
            assertEquals(0, code, err);
            return Json.mapper().readTree(out);
        }
    }

    @Test
    void captureOnSparkEqualsCaptureOnThisMachine() throws IOException {
        Path reference = dir.resolve("acts-here");
        Path onSpark = dir.resolve("acts-spark");
        List<String> common = List.of("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--batch", "2",
                "--hooks", "blocks.*.hook_resid_post,hook_embed", "--steps", "sentence", "--shard-mb", "0.002", "--json");
        List<String> here = new ArrayList<>(common);
        here.addAll(List.of("--out", reference.toString()));
        List<String> there = new ArrayList<>(common);
        there.addAll(List.of("--out", onSpark.toString(), "--spark", "local[2]", "--partitions", "3"));
        ObjectNode a = (ObjectNode) new Run(here.toArray(String[]::new)).json();
        ObjectNode b = (ObjectNode) new Run(there.toArray(String[]::new)).json();
        assertEquals(a.get("out").asText().replace("acts-here", "acts-spark"), b.get("out").asText(), "the output folder, written the same way");
        for (ObjectNode s : List.of(a, b)) {
            s.remove(List.of("out", "shards")); // where it was written, and how its rows are cut into shards
        }
        assertEquals(a, b, "the summary");
        assertEquals(7, b.get("trajectories").asInt());
        DistributedCaptureTest.assertSameSet(reference, onSpark);
        DistributedCaptureTest.assertNoStagingLeft(onSpark);
    }

    @Test
    void evalOnSparkEqualsEvalOnThisMachineAndStoresTheSameRun() throws IOException {
        Path labHere = dir.resolve("lab-here");
        Path labSpark = dir.resolve("lab-spark");
        Path examplesHere = dir.resolve("examples-here.jsonl");
        Path examplesSpark = dir.resolve("examples-spark.jsonl");
        List<String> common = List.of("eval", "--model", model.toString(), "--task", task.toString(), "--batch", "3", "--limit", "9", "--seed", "4",
                "--json");
        List<String> here = new ArrayList<>(common);
        here.addAll(List.of("--lab", labHere.toString(), "--examples-out", examplesHere.toString()));
        List<String> there = new ArrayList<>(common);
        there.addAll(List.of("--lab", labSpark.toString(), "--examples-out", examplesSpark.toString(), "--spark", "local[2]", "--partitions", "2"));
        JsonNode a = new Run(here.toArray(String[]::new)).json();
        JsonNode b = new Run(there.toArray(String[]::new)).json();
        assertEquals(a, b, "the result, every metric and standard error");
        assertEquals(9, b.get("tasks").get(0).get("n").asInt());
        assertEquals(Files.readString(examplesHere), Files.readString(examplesSpark), "the per-example records");
        String query = "SELECT * FROM points";
        JsonNode storedHere = new Run("runs", "sql", "--lab", labHere.toString(), "--json", query).json().get("rows");
        JsonNode storedSpark = new Run("runs", "sql", "--lab", labSpark.toString(), "--json", query).json().get("rows");
        assertEquals(1, storedSpark.size());
        assertEquals(storedHere, storedSpark, "the run stored in the lab");
        // The same evaluation on Spark in the first lab is recognised as the one already stored.
        List<String> again = new ArrayList<>(common.subList(0, common.size() - 1));
        again.addAll(List.of("--lab", labHere.toString(), "--spark", "local[2]"));
        Run r = new Run(again.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("already holds"), r.err());
    }

    @Test
    void anUnreachableMasterIsOneLineAndNothingWritten() {
        Path out = dir.resolve("acts-unreachable");
        Run r = new Run("capture", "--spark", "spark://127.0.0.1:1", "--model", model.toString(), "--prompts", prompts.toString(),
                "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
        assertTrue(r.err().startsWith("scalelab: error: --spark"), r.err());
        assertFalse(Files.exists(out));
    }
}
