package org.scalelab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.Weights;

/**
 * Resume after kill -9, for real: a child JVM trains and is killed with destroyForcibly (SIGKILL)
 * after its log shows step 27 — between checkpoints 20 and 30, possibly mid-save — then the
 * run is resumed here from its newest complete checkpoint. The final weights and the JSONL loss
 * log must equal an uninterrupted run's bit for bit (same batches, same optimiser state, same
 * float operations on the same thread count).
 */
class ResumeAfterKillTest {
    @TempDir Path dir;

    static final int STEPS = 40;

    static List<Example> data() {
        return TrainerTest.sums(48, 21);
    }

    static TrainOptions options() {
        return new TrainOptions(STEPS, 8, LearningRateSchedule.cosine(3e-3, 5, STEPS, 0.1),
                AdamWOptions.defaults().withWeightDecay(0.05), 1.0, 17, 10, 2);
    }

    @Test
    void killedRunResumesToTheSameWeightsAndLossLogAsAnUninterruptedRun() throws Exception {
        ModelConfig c = ModelConfig.llama(64, 32, 2, 4, 2, 64, 64, 10000.0, false);
        Path init = TrainerTest.init(dir.resolve("init"), c, 5);

        // Uninterrupted, in this JVM.
        Path outA = dir.resolve("a");
        Path logA = dir.resolve("a.jsonl");
        Path finalA;
        try (Trainer t = Trainer.start(init, data(), options(), outA); TrainingLogFile f = new TrainingLogFile(logA)) {
            t.addListener(f);
            finalA = t.run().checkpoint();
        }

        // Killed in a child JVM after step 27.
        Path outB = dir.resolve("b");
        Path logB = dir.resolve("b.jsonl");
        Process child = startChild(init, outB, logB, 150);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (lines(logB) < 27) {
                assertTrue(child.isAlive(), "child ended before it could be killed: " + Files.readString(dir.resolve("child.err")));
                assertTrue(System.nanoTime() < deadline, "child too slow");
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        int linesAtKill = lines(logB);
        assertTrue(linesAtKill >= 27 && linesAtKill < STEPS, "killed mid-run, after " + linesAtKill + " logged steps");
        long resumedFrom = TrainingCheckpoint.stepOf(TrainingCheckpoint.latest(outB).orElseThrow());
        assertTrue(resumedFrom >= 20 && resumedFrom < STEPS, "newest complete checkpoint: " + resumedFrom);

        Path finalB;
        try (Trainer t = Trainer.resume(outB, data(), options()); TrainingLogFile f = new TrainingLogFile(logB)) {
            assertEquals(resumedFrom, t.step());
            t.addListener(f);
            finalB = t.run().checkpoint();
        }

        assertEquals(Files.readAllLines(logA), Files.readAllLines(logB), "loss logs");
        try (SafetensorsFile a = SafetensorsFile.open(finalA.resolve(Weights.SINGLE_FILE));
             SafetensorsFile b = SafetensorsFile.open(finalB.resolve(Weights.SINGLE_FILE))) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (String name : a.tensors().keySet()) {
                assertArrayEquals(a.floats(name), b.floats(name), name);
            }
        }
        // keepCheckpoints = 2: only the two newest remain, and no staging folder looks like a checkpoint.
        assertEquals(List.of(TrainingCheckpoint.dirFor(outB, 30), TrainingCheckpoint.dirFor(outB, 40)), TrainingCheckpoint.list(outB));
    }

    private Process startChild(Path init, Path out, Path log, long pauseMillis) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp));
        for (String p : List.of("DJL_CACHE_DIR", "ai.djl.offline", "DJL_OFFLINE", "OPT_OUT_TRACKING")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of(ResumeChild.class.getName(), init.toString(), out.toString(), log.toString(), Long.toString(pauseMillis)));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectError(dir.resolve("child.err").toFile());
        pb.redirectOutput(new File("/dev/null"));
        return pb.start();
    }

    private static int lines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        String s = Files.readString(file);
        return (int) s.chars().filter(ch -> ch == '\n').count();
    }
}
