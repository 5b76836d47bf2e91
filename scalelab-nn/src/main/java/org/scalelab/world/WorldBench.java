package org.scalelab.world;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.scalelab.ScaleLabException;
import org.scalelab.model.ModelInit;
import org.scalelab.train.AdamWOptions;
import org.scalelab.train.LearningRateSchedule;
import org.scalelab.train.TrainOptions;
import org.scalelab.train.Trainer;

/**
 * Training throughput on a world: optimiser steps per second of the world's model
 * ({@link WorldTraining#modelConfig}) on its training examples, timed after a few warm-up steps,
 * with no evaluation and no checkpoint in the timed loop. bench/world_train_bench.py runs the same
 * model, batch and optimiser in a plain PyTorch loop for comparison.
 */
public final class WorldBench {
    private WorldBench() {}

    /** One measurement: the model's shape, its parameter count and its training speed. */
    public record Row(int width, int depth, int heads, int batch, long parameters, int threads, int steps, double seconds, double stepsPerSecond) {}

    public static Row measure(World world, RunSpec spec, int warmup, int threads) {
        WorldTraining.useThreads(threads);
        Path tmp;
        try {
            tmp = Files.createTempDirectory("scalelab-world-bench");
        } catch (IOException e) {
            throw new ScaleLabException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        try {
            ModelInit.write(tmp.resolve("init"), WorldTraining.modelConfig(world, spec), spec.seed());
            TrainOptions o = TrainOptions.of(warmup + spec.steps(), spec.batch(), spec.lr(), spec.seed())
                    .withSchedule(LearningRateSchedule.constant(spec.lr(), 0))
                    .withAdamW(AdamWOptions.defaults().withWeightDecay(spec.weightDecay()));
            try (Trainer t = Trainer.start(tmp.resolve("init"), WorldTraining.trainingExamples(world), o, tmp.resolve("checkpoints"))) {
                for (int i = 0; i < warmup; i++) {
                    t.trainStep();
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < spec.steps(); i++) {
                    t.trainStep();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                return new Row(spec.width(), spec.depth(), spec.heads(), spec.batch(), t.model().parameterCount(), threads, spec.steps(), s,
                        spec.steps() / s);
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder left behind is harmless
            }
        }
    }
}
