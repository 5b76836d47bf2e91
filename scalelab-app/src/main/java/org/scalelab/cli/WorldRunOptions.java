package org.scalelab.cli;

import java.nio.file.Path;
import org.scalelab.world.RunSpec;
import org.scalelab.world.WorldTraining;
import picocli.CommandLine.Option;

/** Settings shared by {@code world train} and {@code world sweep}. */
final class WorldRunOptions {
    @Option(names = "--experiment", paramLabel = "NAME", defaultValue = "world",
            description = "Name grouping the runs (world in LAB/worlds/NAME, runs in LAB/world-runs/NAME). Default: ${DEFAULT-VALUE}.")
    String experiment;

    @Option(names = "--world", paramLabel = "DIR", description = "A world written by `scalelab world generate` (else the experiment's, else generated from the world options).")
    Path world;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Attention heads (must divide every width). Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "3e-3", description = "Peak AdamW learning rate (after a warmup of min(100, steps/10)). Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.1", description = "AdamW weight decay on matrices. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Examples per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "3000", description = "Optimiser steps per run. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--cosine", description = "Cosine decay to 10%% of the peak rate instead of a constant rate.")
    boolean cosine;

    @Option(names = "--eval-per-decade", paramLabel = "N", defaultValue = "8", description = "Evaluations per factor of 10 in steps. Default: ${DEFAULT-VALUE}.")
    int evalPerDecade;

    @Option(names = "--no-alignment", description = "Do not log the alignment metrics (Dirichlet energy, translation, parallelogram).")
    boolean noAlignment;

    RunSpec spec(int width, int depth, long seed) {
        return new RunSpec(width, depth, heads, lr, weightDecay, batch, steps, seed);
    }

    WorldTraining.Options options(int threads) {
        WorldTraining.Options d = WorldTraining.Options.defaults();
        return new WorldTraining.Options(evalPerDecade, d.maxEvalPerSet(), 0, cosine, !noAlignment, threads);
    }
}
