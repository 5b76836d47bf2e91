package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.NpyFile;

/**
 * {@code capture --spark} and {@code eval --spark} where the Spark module is not on the class path (as in these
 * tests: the app does not depend on it): one line saying how to get it, exit code 2, nothing written. What a run on
 * Spark does not do (interventions, resuming, plain text) is refused in one line before the module is looked for,
 * and --partitions alone is refused. The runs themselves are tested in the Spark module, against these commands
 * without --spark.
 */
class SparkOptionsTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path prompts;
    private static Path task;
    private static Path direction;

    @BeforeAll
    static void setUp() throws Exception {
        model = CliRun.tinyModel("llama", dir.resolve("tiny"));
        prompts = Files.writeString(dir.resolve("prompts.jsonl"), "{\"id\": \"a\", \"text\": \"one two\"}\n{\"id\": \"b\", \"text\": \"three\"}\n");
        task = Files.writeString(dir.resolve("colours.jsonl"),
                "{\"id\": \"q0\", \"context\": \"Which colour?\", \"choices\": [\"red\", \"blue\"], \"gold\": 0}\n");
        direction = dir.resolve("v.npy");
        float[] v = new float[32];
        v[0] = 1;
        NpyFile.writeVector(direction, v);
    }

    /** Exit code 2, one line on stderr holding {@code expected}, nothing on stdout. */
    private static CliRun refused(String expected, String... args) {
        CliRun r = new CliRun(args);
        assertEquals(2, r.code, r.err.toString());
        String err = r.err.toString().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(expected), err);
        assertTrue(r.out.toString().isEmpty(), r.out.toString());
        return r;
    }

    @Test
    void captureOnSparkWithoutTheModuleSaysHowToGetItAndWritesNothing() {
        Path out = dir.resolve("acts-spark");
        refused("--spark needs ScaleLab's Spark module on the class path: build it", "capture", "--spark", "local[2]", "--partitions", "2",
                "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void evalOnSparkWithoutTheModuleSaysHowToGetItAndStoresNothing() {
        Path lab = dir.resolve("lab-missing");
        Path examples = dir.resolve("examples-missing.jsonl");
        CliRun r = refused("scalelab-spark/target/scalelab-spark.jar", "eval", "--spark", "local[2]", "--model", model.toString(),
                "--task", task.toString(), "--lab", lab.toString(), "--examples-out", examples.toString());
        assertTrue(r.err.toString().contains("spark-submit"), r.err.toString());
        assertFalse(Files.exists(examples));
        assertFalse(Files.exists(lab.resolve("evals")), "no partial file");
    }

    @Test
    void captureOnSparkRefusesInterventionsAndAnExistingFolder() throws Exception {
        refused("--spark: captures the unmodified model; run --steer/--ablate/--replace without --spark", "capture", "--spark", "local[2]",
                "--model", model.toString(), "--prompts", prompts.toString(), "--out", dir.resolve("acts-steered").toString(),
                "--steer", direction.toString(), "--at", "blocks.1.hook_resid_post");
        assertFalse(Files.exists(dir.resolve("acts-steered")));
        Path existing = Files.createDirectories(dir.resolve("acts-unfinished"));
        Path kept = Files.writeString(existing.resolve("notes.txt"), "kept");
        refused("--out " + existing + ": exists; a capture on Spark writes a new folder (to resume an interrupted single-machine capture,"
                + " run capture without --spark)", "capture", "--spark", "local[2]", "--model", model.toString(), "--prompts", prompts.toString(),
                "--out", existing.toString());
        assertEquals(List.of(kept), Files.list(existing).toList());
    }

    @Test
    void evalOnSparkRefusesPlainTextInterventionsAndAnInterruptedRun() throws Exception {
        Path lab = dir.resolve("lab-refusals");
        Path text = Files.writeString(dir.resolve("wiki.txt"), "Some plain text.\n");
        refused("--rolling: is scored on this machine only; run it without --spark", "eval", "--spark", "local[2]", "--model", model.toString(),
                "--rolling", text.toString(), "--lab", lab.toString());
        refused("--spark: scores the unmodified model; run --steer/--ablate/--replace without --spark", "eval", "--spark", "local[2]",
                "--model", model.toString(), "--task", task.toString(), "--ablate", direction.toString(), "--at", "blocks.0.hook_resid_post",
                "--lab", lab.toString());
        // An evaluation interrupted on this machine left its partial file next to --examples-out: Spark does not resume it.
        Path examples = dir.resolve("examples-resume.jsonl");
        Path partial = Files.writeString(dir.resolve("examples-resume.jsonl.partial"), "{}\n");
        refused(partial.toAbsolutePath() + ": holds the examples an interrupted evaluation scored; resume it without --spark", "eval",
                "--spark", "local[2]", "--model", model.toString(), "--task", task.toString(), "--examples-out", examples.toString(),
                "--lab", lab.toString());
        assertEquals("{}\n", Files.readString(partial), "the partial file is left as it was");
        assertFalse(Files.exists(examples));
    }

    @Test
    void partitionsWithoutSparkAndBadValuesAreRefused() {
        refused("--partitions 4: splits a capture on Spark; give --spark MASTER too", "capture", "--partitions", "4", "--model", model.toString(),
                "--prompts", prompts.toString(), "--out", dir.resolve("acts-partitions").toString());
        assertFalse(Files.exists(dir.resolve("acts-partitions")));
        refused("--partitions 4: splits an evaluation on Spark; give --spark MASTER too", "eval", "--partitions", "4", "--model", model.toString(),
                "--task", task.toString(), "--lab", dir.resolve("lab-partitions").toString());
        refused("--partitions 0: must be at least 1", "capture", "--spark", "local[2]", "--partitions", "0", "--model", model.toString(),
                "--prompts", prompts.toString(), "--out", dir.resolve("acts-zero").toString());
        refused("--partitions 0: must be at least 1", "eval", "--spark", "local[2]", "--partitions", "0", "--model", model.toString(),
                "--task", task.toString(), "--lab", dir.resolve("lab-zero").toString());
        refused("--spark: give a master", "eval", "--spark", " ", "--model", model.toString(), "--task", task.toString(),
                "--lab", dir.resolve("lab-blank").toString());
    }
}
