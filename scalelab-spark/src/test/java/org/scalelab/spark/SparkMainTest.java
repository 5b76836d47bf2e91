package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.DistributedRuns;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.io.Json;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.Transformer;

/**
 * The spark-submit entry point: capture and eval with the single-machine options give what the
 * single-machine engine gives; bad input is one line on stderr, exit code 2, and nothing written.
 */
class SparkMainTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Path model;
    private static Path prompts;
    private static Path task;

    @BeforeAll
    static void start() throws IOException {
        DistributedCaptureTest.quietLogs();
        model = dir.resolve("tiny");
        ModelInit.write(model, ModelConfig.gpt2(260, 32, 2, 4, 64), 3, ModelInit.Scheme.ALL_RANDOM);
        prompts = dir.resolve("prompts.jsonl");
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            p.append(Json.write(Map.of("id", "q" + i, "text", "prompt number " + i + "!".repeat(i)))).append('\n');
        }
        Files.writeString(prompts, p.toString());
        task = dir.resolve("colours.jsonl");
        StringBuilder t = new StringBuilder();
        List<String> colours = List.of("red", "green", "blue", "yellow");
        for (int i = 0; i < 9; i++) {
            t.append(Json.write(Map.of("id", "c" + i, "context", "Colour " + i + " is", "choices", colours, "gold", i % 4))).append('\n');
        }
        Files.writeString(task, t.toString());
        spark = SparkSessions.open("local[2]", "scalelab-spark-main-test"); // SparkMain runs in it and leaves it running
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparkMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void captureWritesTheSetASingleMachineCaptureWrites() throws IOException {
        Path reference = dir.resolve("reference");
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Capture.run(t, tok, Prompt.readJsonl(prompts), reference,
                    new Capture.Options(List.of("blocks.*.hook_resid_post"), Positions.parse("1:"), 1 << 20, 2, List.of()));
        }
        Path out = dir.resolve("sets").resolve("spark");
        Run r = main("capture", "--master", "local[2]", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString(),
                "--positions", "1:", "--batch", "2", "--partitions", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("captured 7 prompts (0 resumed from an earlier run), "), r.out());
        assertTrue(r.err().endsWith("capture: 2/2 partitions done\n"), r.err()); // 4 batches of 2 prompts: 2 per partition
        DistributedCaptureTest.assertSameSet(reference, out);
        assertTrue(spark.sparkContext().isStopped() == false, "a session SparkMain did not open is left running");
    }

    @Test
    void evalWritesTheExamplesASingleMachineEvalWrites() throws IOException {
        Path expected = dir.resolve("expected-examples.jsonl");
        Evaluation.Options options = new Evaluation.Options(null, null, LengthNorm.CHARS);
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Evaluation.Result r = Evaluation.run(new ChoiceScorer(t, new ContinuationTokens(tok, false), 2, 64), List.of(EvalTask.read(task)),
                    options, null, Json.mapper().createObjectNode(), s -> { });
            Evaluation.writeExamples(expected, r.examples());
        }
        Path examples = dir.resolve("examples.jsonl");
        Run r = main("eval", "--master", "local[2]", "--model", model.toString(), "--task", task.toString(), "--batch", "2", "--partitions", "2",
                "--examples-out", examples.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(expected), Files.readString(examples));
        assertEquals("tiny", Json.mapper().readTree(r.out()).get("model").asText());
        assertEquals(9, Json.mapper().readTree(r.out()).get("tasks").get(0).get("n").asInt());
    }

    @Test
    void theCommandLineFindsTheSparkRunsThroughServiceLoader() throws IOException {
        DistributedRuns runs = DistributedRuns.find("not found");
        assertTrue(runs instanceof SparkRuns);
        assertEquals("spark", runs.name());
        Capture.Options options = new Capture.Options(List.of("hook_embed", "blocks.1.hook_resid_post"), Positions.LAST, 1 << 20, 3, List.of());
        Path reference = dir.resolve("reference-last");
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Capture.run(t, tok, Prompt.readJsonl(prompts), reference, options);
        }
        Path out = dir.resolve("through-service");
        Capture.Summary s = runs.capture("local[2]", model, ComputeDType.FLOAT32, prompts, out, options, 0);
        assertEquals(7, s.trajectories());
        DistributedCaptureTest.assertSameSet(reference, out);
        InputException e = assertThrows(InputException.class, () -> runs.capture("spark://127.0.0.1:1", model, ComputeDType.FLOAT32, prompts,
                dir.resolve("nowhere"), options, 0));
        assertTrue(e.getMessage().startsWith("--spark spark://127.0.0.1:1: the Spark master is unreachable"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void anUnreachableMasterIsOneLineAndNothingIsWritten() throws IOException {
        Path out = dir.resolve("unreached");
        Run r = main("capture", "--master", "spark://127.0.0.1:1", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("scalelab: error: --master spark://127.0.0.1:1: the Spark master is unreachable (127.0.0.1:1: "), r.err());
        assertFalse(Files.exists(out));
        Path examples = dir.resolve("unreached.jsonl");
        Run e = main("eval", "--master", "spark://127.0.0.1:1", "--model", model.toString(), "--task", task.toString(), "--examples-out", examples.toString());
        assertEquals(2, e.code());
        assertEquals(1, e.err().lines().count(), e.err());
        assertFalse(Files.exists(examples));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".unreached")).toList());
        }
    }

    @Test
    void anOutputFolderThatExistsIsRefused() throws IOException {
        Path out = dir.resolve("existing");
        Files.createDirectories(out);
        Run r = main("capture", "--master", "local[2]", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals("scalelab: error: --out " + out + ": exists; a capture on Spark writes a new folder (to resume an interrupted"
                + " single-machine capture, run capture without --spark)\n", r.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void anUnknownOptionOrAMissingOneIsBadInput() {
        Run r = main("capture", "--master", "local[2]", "--frobnicate", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("scalelab: error: --frobnicate: unknown option of capture"), r.err());
        Run m = main("eval", "--master", "local[2]", "--task", task.toString());
        assertEquals(2, m.code());
        assertEquals("scalelab: error: --model: missing; give the checkpoint folder to evaluate\n", m.err());
        Run none = main();
        assertEquals(2, none.code());
    }
}
