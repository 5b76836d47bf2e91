package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.StepRule;
import org.scalelab.model.Transformer;

/**
 * A capture on Spark ({@code local[2]}, four attempts per task) gives the activation set a
 * single-machine capture gives: the same trajectories with the same fields, every hook's rows, token
 * positions and ids equal, every row's trajectory_index its prompt's index in the file; also when a
 * task fails after writing its part and is retried. The reference is {@link Capture#run} on the same
 * checkpoint and prompts in this JVM.
 */
class DistributedCaptureTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Path model;
    private static Path prompts;

    private static final List<String> TEXTS = List.of("The cat sat.", "2+2=4", "Hello, world! How are you?", "xy z",
            "Steps: first, then second.", "abc def ghi", "Q: why? A: because", "a", "one. two. three.", "Longer text, to make this batch ragged.",
            "z");

    /** Residual hooks, the embedding and a [head, key] pattern (keys = the longest prompt of the whole file). */
    private static final Capture.Options OPTIONS = new Capture.Options(List.of("blocks.*.hook_resid_post", "hook_embed", "blocks.0.attn.hook_pattern"),
            Positions.ALL, 4000, 2, List.of(), true, StepRule.parse("sentence"));

    @BeforeAll
    static void start() throws IOException {
        quietLogs();
        model = dir.resolve("tiny-gpt2");
        ModelInit.write(model, ModelConfig.gpt2(260, 32, 2, 4, 64), 11, ModelInit.Scheme.ALL_RANDOM);
        prompts = dir.resolve("prompts.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < TEXTS.size(); i++) {
            sb.append(Json.write(new TreeMap<>(Map.of("id", "p" + i, "text", TEXTS.get(i), "domain", i % 2 == 0 ? "even" : "odd",
                    "labels", Map.of("n", i))))).append('\n');
            if (i == 4) {
                sb.append('\n'); // a blank line: prompts are counted by index, not by line number
            }
        }
        Files.writeString(prompts, sb.toString());
        spark = SparkSessions.open("local[2,4]", "scalelab-distributed-capture-test");
    }

    /** Spark's and the engine's start-up chatter off; errors still shown. */
    static void quietLogs() {
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.apache.spark", Level.ERROR);
        Configurator.setLevel("org.apache.hadoop", Level.ERROR);
        Configurator.setLevel("ai.djl", Level.ERROR);
    }

    /** Runs {@code r} with the executor's report of an injected task failure silenced (the test asserts the failure itself). */
    static void withTaskFailuresSilenced(Runnable r) {
        Configurator.setLevel("org.apache.spark.executor.Executor", Level.OFF);
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
        try {
            r.run();
        } finally {
            Configurator.setLevel("org.apache.spark.executor.Executor", Level.ERROR);
            Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.ERROR);
        }
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path singleMachine(String name) {
        Path out = dir.resolve(name);
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Capture.run(t, tok, Prompt.readJsonl(prompts), out, OPTIONS);
        }
        return out;
    }

    @Test
    void aDistributedCaptureEqualsASingleMachineCaptureRowForRow() throws IOException {
        Path reference = singleMachine("reference-1");
        int loadsBefore = ExecutorModels.loads();
        Path out = dir.resolve("spark-1");
        Capture.Summary s = DistributedCapture.run(spark, model, ComputeDType.FLOAT32, prompts, out, OPTIONS, 3);
        assertEquals(TEXTS.size(), s.trajectories());
        assertTrue(ExecutorModels.loads() - loadsBefore <= 1, "three partitions on one JVM load the model at most once");
        assertSameSet(reference, out);
        assertEquals(sumRows(out), s.rows());
        assertNoStagingLeft(out);
    }

    @Test
    void aTaskThatFailsAfterWritingItsPartIsRetriedAndItsRowsAppearOnce() throws IOException {
        Path reference = singleMachine("reference-2");
        Path out = dir.resolve("spark-retried");
        int before = InjectedFailure.injected();
        System.setProperty(InjectedFailure.PROPERTY, "capture:1");
        try {
            withTaskFailuresSilenced(() -> DistributedCapture.run(spark, model, ComputeDType.FLOAT32, prompts, out, OPTIONS, 3));
        } finally {
            System.clearProperty(InjectedFailure.PROPERTY);
        }
        assertEquals(before + 1, InjectedFailure.injected(), "partition 1's first attempt failed once");
        assertSameSet(reference, out);
        assertNoStagingLeft(out);
    }

    @Test
    void anOutputFolderThatExistsIsRefusedAndLeftAsItWas() throws IOException {
        Path out = dir.resolve("taken");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        InputException e = assertThrows(InputException.class,
                () -> DistributedCapture.run(spark, model, ComputeDType.FLOAT32, prompts, out, OPTIONS, 2));
        assertTrue(e.getMessage().startsWith("--out " + out + ": exists"), e.getMessage());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("notes.txt")), files.toList());
        }
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertNoStagingLeft(out);
    }

    @Test
    void aBadPromptFailsTheJobWithTheSingleMachineMessageAndNothingIsWritten() throws IOException {
        Path bad = dir.resolve("bad-prompts.jsonl");
        Files.writeString(bad, Files.readString(prompts) + "{\"id\": \"late\", \"text\": \"short\", \"step_boundaries\": [500]}\n");
        Path out = dir.resolve("never");
        InputException[] e = new InputException[1];
        withTaskFailuresSilenced(() -> e[0] = assertThrows(InputException.class, () -> DistributedCapture.run(spark, model, ComputeDType.FLOAT32, bad, out,
                Capture.Options.of("blocks.*.hook_resid_post"), 2)));
        assertEquals(bad + ":13: prompt \"late\": field \"step_boundaries\": 500 is beyond its 5 tokens", e[0].getMessage());
        assertFalse(Files.exists(out));
        assertNoStagingLeft(out);
    }

    @Test
    void partitionsAreRunsOfWholeBatchesCoveringEveryPromptOnce() {
        List<DistributedCapture.Slice> s = DistributedCapture.slices(11, 2, 3);
        assertEquals(List.of(new DistributedCapture.Slice(0, 0, 4), new DistributedCapture.Slice(1, 4, 8), new DistributedCapture.Slice(2, 8, 11)), s);
        assertEquals(List.of(new DistributedCapture.Slice(0, 0, 3)), DistributedCapture.slices(3, 8, 4), "fewer batches than partitions");
        assertEquals(5, DistributedCapture.slices(5, 1, 8).size());
    }

    /** Same manifest but for the shard layout, same rows of every hook, and each row's index, position and token id. */
    static void assertSameSet(Path expected, Path actual) throws IOException {
        try (ActivationSet a = ActivationSet.open(expected); ActivationSet b = ActivationSet.open(actual)) {
            ActivationManifest ma = a.manifest();
            ActivationManifest mb = b.manifest();
            assertTrue(mb.complete());
            assertEquals(ma.with(true, List.of(), List.of()), mb.with(true, List.of(), List.of()), "header fields");
            assertEquals(ma.trajectories().size(), mb.trajectories().size());
            List<int[]> perRowA = perRow(expected, ma);
            List<int[]> perRowB = perRow(actual, mb);
            for (int i = 0; i < ma.trajectories().size(); i++) {
                ActivationManifest.Trajectory ta = ma.trajectories().get(i);
                ActivationManifest.Trajectory tb = mb.trajectories().get(i);
                assertEquals(i, tb.index());
                assertEquals(List.of(ta.id(), String.valueOf(ta.domain()), String.valueOf(ta.labels()), ta.tokenCount(), ta.rows(), ta.firstPosition(), ta.stepBoundaries()),
                        List.of(tb.id(), String.valueOf(tb.domain()), String.valueOf(tb.labels()), tb.tokenCount(), tb.rows(), tb.firstPosition(), tb.stepBoundaries()),
                        "trajectory " + i);
                for (String hook : ma.hooks()) {
                    float[][] ra = a.rows(hook, ta);
                    float[][] rb = b.rows(hook, tb);
                    assertEquals(ra.length, rb.length);
                    for (int r = 0; r < ra.length; r++) {
                        assertArrayEquals(ra[r], rb[r], 0f, "trajectory " + i + " " + hook + " row " + r);
                    }
                }
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(slice(perRowA, k, ma, ta), slice(perRowB, k, mb, tb), "trajectory " + i + " " + List.of("index", "position", "token").get(k));
                }
                int[] own = slice(perRowB, 0, mb, tb);
                for (int x : own) {
                    assertEquals(i, x, "trajectory_index of trajectory " + i);
                }
            }
            int shardTotal = mb.shards().stream().mapToInt(ActivationManifest.Shard::rows).sum();
            assertEquals(ma.trajectories().stream().mapToInt(ActivationManifest.Trajectory::rows).sum(), shardTotal, "no row twice, none missing");
        }
    }

    /** Per shard, the concatenation of trajectory_index, token_position and token_id. */
    private static List<int[]> perRow(Path set, ActivationManifest m) {
        List<int[]> out = new ArrayList<>();
        for (ActivationManifest.Shard s : m.shards()) {
            try (SafetensorsFile f = SafetensorsFile.open(set.resolve(s.file()))) {
                out.add(f.ints(ActivationSetWriter.TRAJECTORY_INDEX));
                out.add(f.ints(ActivationSetWriter.TOKEN_POSITION));
                out.add(f.ints(ActivationSetWriter.TOKEN_ID));
            }
        }
        return out;
    }

    private static int[] slice(List<int[]> perRow, int kind, ActivationManifest m, ActivationManifest.Trajectory t) {
        int[] all = perRow.get(3 * t.shard() + kind);
        return java.util.Arrays.copyOfRange(all, t.rowStart(), t.rowStart() + t.rows());
    }

    private static long sumRows(Path set) {
        return ActivationManifest.read(set).shards().stream().mapToLong(ActivationManifest.Shard::rows).sum();
    }

    static void assertNoStagingLeft(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out.getParent())) {
            List<Path> left = files.filter(f -> f.getFileName().toString().startsWith("." + out.getFileName() + ".")).toList();
            assertEquals(List.of(), left, "staging and merging folders removed");
        }
        assertFalse(Files.exists(out.resolveSibling("." + out.getFileName() + ".tmp")));
    }
}
