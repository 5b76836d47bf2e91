package org.scalelab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.model.Family;
import org.scalelab.model.Gemma2Family;
import org.scalelab.model.GradMode;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.TorchEngine;
import org.scalelab.model.Transformer;

/**
 * Training is a function of the model, the data and the options only: not of what else runs in
 * the JVM, nor of when the garbage collector runs. (A sweep trains models side by side; one of
 * them used to diverge within a few steps because the backward pass read constants whose Java
 * buffers the collector had freed in the meantime.)
 */
class ConcurrentTrainingTest {
    @TempDir Path dir;

    /** GPT-NeoX with the tanh GELU: its forward pass multiplies by constants that autograd saves. */
    static final ModelConfig NEOX = ModelConfig.gptNeoX(64, 32, 2, 4, 16);

    /** Collects garbage and lets the JDK free unreachable direct buffers (their cleaners run after the collection). */
    static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[] churn = new byte[8 << 20];
            churn[churn.length - 1] = 1;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** d loss / d parameter for one batch, optionally with a garbage collection between forward and backward. */
    static Map<String, float[]> gradients(Path model, List<Example> batch, boolean collectBeforeBackward) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Transformer m = Transformer.loadTrainable(model); NDManager scope = TorchEngine.get().newBaseManager()) {
            try (GradMode on = GradMode.enabled()) {
                NDArray loss = MaskedCrossEntropy.loss(m.logits(scope, MaskedCrossEntropy.padded(batch)), batch);
                if (collectBeforeBackward) {
                    collectGarbage();
                }
                try (NDArray seed = scope.ones(loss.getShape())) {
                    JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
                }
            }
            m.trainableParameters().forEach((name, p) -> {
                try (NDArray g = p.getGradient()) {
                    out.put(name, g.toFloatArray());
                }
            });
        }
        return out;
    }

    /** Gemma 2: soft-capped scores and logits, √d_model-scaled embeddings, tanh GELU. */
    static final ModelConfig GEMMA2 = ModelConfig.of(new Gemma2Family(), 64, 32, 2, 4, 2, 8, 64, 16);

    @Test
    void gradientsAreTheSameWhenTheGarbageCollectorRunsBetweenForwardAndBackward() {
        List<Example> batch = TrainerTest.sums(16, 3);
        for (ModelConfig c : List.of(NEOX, GEMMA2)) {
            Path model = TrainerTest.init(dir.resolve(c.family().modelType()), c, 1);
            Map<String, float[]> undisturbed = gradients(model, batch, false);
            Map<String, float[]> collected = gradients(model, batch, true);
            assertEquals(undisturbed.keySet(), collected.keySet());
            for (String name : undisturbed.keySet()) {
                assertArrayEquals(undisturbed.get(name), collected.get(name), 0f, c.family().modelType() + ": gradient of " + name);
            }
        }
    }

    /** Loss of every step, then every trained parameter's values (by name), collecting garbage after each step. */
    static List<float[]> train(Path model, Path out, long seed) {
        List<Example> data = TrainerTest.sums(128, seed);
        TrainOptions o = new TrainOptions(25, 16, LearningRateSchedule.constant(3e-3, 5), AdamWOptions.defaults().withWeightDecay(0.1),
                1.0, seed, 0, 0);
        List<float[]> result = new ArrayList<>();
        float[] losses = new float[(int) o.steps()];
        try (Trainer t = Trainer.start(model, data, o, out)) {
            // Between steps, as an evaluation would: allocate, and collect (the other thread is mid-step meanwhile).
            t.addListener((log, tr) -> {
                losses[(int) log.step() - 1] = (float) log.loss();
                collectGarbage();
            });
            t.run();
            result.add(losses);
            t.model().trainableParameters().values().forEach(p -> result.add(p.toFloatArray()));
        }
        return result;
    }

    @Test
    void twoTrainersOnTwoThreadsTrainExactlyAsEachTrainedAlone() throws Exception {
        Path a = TrainerTest.init(dir.resolve("a"), NEOX, 1);
        Path b = TrainerTest.init(dir.resolve("b"), ModelConfig.gpt2(64, 32, 1, 4, 16), 2);
        List<float[]> aloneA = train(a, dir.resolve("alone-a"), 5);
        List<float[]> aloneB = train(b, dir.resolve("alone-b"), 6);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<float[]>> sideA = pool.submit(() -> train(a, dir.resolve("side-a"), 5));
            Future<List<float[]>> sideB = pool.submit(() -> train(b, dir.resolve("side-b"), 6));
            assertSame("model a", aloneA, sideA.get());
            assertSame("model b", aloneB, sideB.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertSame(String what, List<float[]> expected, List<float[]> actual) {
        assertArrayEquals(expected.get(0), actual.get(0), 0f, what + ": loss per step");
        assertEquals(expected.size(), actual.size());
        for (int i = 1; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 0f, what + ": parameter " + i);
        }
    }
}
