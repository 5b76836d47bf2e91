package org.scalelab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.model.Transformer;

class TrainerTest {
    @TempDir Path dir;

    static final ModelConfig LLAMA = ModelConfig.llama(64, 32, 2, 4, 2, 64, 64, 10000.0, false);
    static final ModelConfig GPT2 = ModelConfig.gpt2(64, 32, 2, 4, 32);

    /** A lookup task: "a b → (a + b) mod 16 + 32", the sum as the only target token. */
    static List<Example> sums(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int a = r.nextInt(16);
            int b = r.nextInt(16);
            out.add(Example.lastToken(a, 16 + b, 32 + (a + b) % 16));
        }
        return out;
    }

    /** Every engine array alive in this JVM (the system manager counts its sub-managers' arrays). */
    static int liveArrays() {
        try (NDManager probe = org.scalelab.model.TorchEngine.get().newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    static Path init(Path where, ModelConfig c, long seed) {
        ModelInit.write(where, c, seed);
        return where;
    }

    @Test
    void trainingLowersTheTargetLossAndLeaksNoArrays() {
        Path model = init(dir.resolve("init"), LLAMA, 1);
        List<Example> data = sums(64, 3);
        TrainOptions o = new TrainOptions(120, 16, LearningRateSchedule.constant(3e-3, 10), AdamWOptions.defaults(), 1.0, 5, 0, 0);
        List<StepLog> logs = new ArrayList<>();
        List<Integer> live = new ArrayList<>();
        try (Trainer t = Trainer.start(model, data, o, dir.resolve("run"))) {
            t.addListener((log, tr) -> {
                logs.add(log);
                live.add(liveArrays());
            });
            TrainResult r = t.run();
            assertEquals(120, r.step());
            assertTrue(Files.isDirectory(r.checkpoint()));
        }
        double first = logs.get(0).loss();
        double last = logs.get(logs.size() - 1).loss();
        assertEquals(Math.log(64), first, 0.5, "an untrained model is near uniform over 64 tokens");
        assertTrue(last < 0.5 * first, "loss " + first + " → " + last);
        // Every step frees what it allocated: the number of live engine arrays is flat after step 2.
        assertEquals(live.get(2), live.get(live.size() - 1), "live arrays per step: " + live);
        assertEquals(3e-3 / 10, logs.get(0).lr(), 1e-12);
        assertEquals(3e-3, logs.get(50).lr(), 1e-12);
    }

    @Test
    void garbageCollectionDuringTrainingChangesNothing() throws Exception {
        // Constants of the forward pass that autograd saves (1/√d in attention, GELU's coefficients)
        // must outlive the backward pass; DJL's x.mul(2f) would leave them on buffers the collector
        // may free mid-step (model.Scalars). A thread forcing collections must not change a single bit.
        Path model = init(dir.resolve("init"), GPT2, 4);
        List<Example> data = sums(64, 8);
        TrainOptions o = new TrainOptions(40, 16, LearningRateSchedule.constant(3e-3, 5), AdamWOptions.defaults(), 1.0, 2, 0, 0);
        List<Double> quiet = new ArrayList<>();
        try (Trainer t = Trainer.start(model, data, o, dir.resolve("quiet"))) {
            t.addListener((log, tr) -> quiet.add(log.gradNorm()));
            t.run();
        }
        List<Double> collected = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread gc = new Thread(() -> {
            while (running.get()) {
                System.gc();
            }
        });
        gc.start();
        try (Trainer t = Trainer.start(model, data, o, dir.resolve("collected"))) {
            t.addListener((log, tr) -> collected.add(log.gradNorm()));
            t.run();
        } finally {
            running.set(false);
            gc.join();
        }
        assertEquals(quiet, collected);
    }

    @Test
    void checkpointIsAHuggingFaceFolderThatTheLoaderReadsBack() throws Exception {
        Path model = init(dir.resolve("init"), GPT2, 2);
        List<Example> data = sums(32, 4);
        TrainOptions o = new TrainOptions(5, 8, LearningRateSchedule.constant(1e-2, 0), AdamWOptions.defaults(), 0, 1, 0, 0);
        float[] trainedLogits;
        Path checkpoint;
        try (Trainer t = Trainer.start(model, data, o, dir.resolve("run"))) {
            checkpoint = t.run().checkpoint();
            trainedLogits = t.model().forward(new int[] {1, 17, 40}, HookSet.none()).logits().data();
        }
        for (String f : List.of("config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json")) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(f)), f);
        }
        try (Transformer back = Transformer.load(checkpoint); Transformer initial = Transformer.load(model)) {
            assertArrayEquals(trainedLogits, back.forward(new int[] {1, 17, 40}, HookSet.none()).logits().data());
            assertFalse(java.util.Arrays.equals(trainedLogits, initial.forward(new int[] {1, 17, 40}, HookSet.none()).logits().data()),
                    "training changed the weights");
        }
        assertThrows(InputException.class, () -> Trainer.start(model, data, o, dir.resolve("run")));
    }
}
