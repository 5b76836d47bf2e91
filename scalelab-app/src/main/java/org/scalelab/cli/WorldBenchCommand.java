package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.report.WorldBenchRenderer;
import org.scalelab.world.RunSpec;
import org.scalelab.world.World;
import org.scalelab.world.WorldBench;
import org.scalelab.world.WorldFiles;
import org.scalelab.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measure the training throughput of the world's model at several widths.",
            "Optimiser steps per second on the world's training examples, after warm-up, without evaluation or checkpoints. Compare with a plain",
            "PyTorch loop of the same model: bench/bench_world_train.sh runs both."},
        footer = {"", "Example:", "  scalelab world bench --widths 64,128,256,512 --depth 2 --steps 50"})
final class WorldBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorldOptions world;

    @Option(names = "--world", paramLabel = "DIR", description = "A world written by `scalelab world generate` (else generated from the world options).")
    Path worldDir;

    @Option(names = "--widths", paramLabel = "LIST", split = ",", defaultValue = "64,128,256,512", description = "Widths. Default: ${DEFAULT-VALUE}.")
    List<Integer> widths;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "2", description = "Depth. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Examples per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "50", description = "Timed steps per width. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "PyTorch threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--json", description = "Print the measurements as JSON.")
    boolean json;

    @Override
    public Integer call() {
        List<RunSpec> specs = new ArrayList<>();
        for (int w : widths) {
            specs.add(new RunSpec(w, depth, heads, 1e-3, 0.1, batch, steps, 0)); // checks every width before timing any
        }
        World w = worldDir != null ? WorldFiles.read(worldDir) : WorldGenerator.generate(world.config());
        List<WorldBench.Row> rows = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        for (RunSpec s : specs) {
            WorldBench.Row r = WorldBench.measure(w, s, warmup, threads);
            rows.add(r);
            if (!json) {
                out.println(WorldBenchRenderer.line(r));
                out.flush();
            }
        }
        if (json) {
            out.println(Json.pretty(rows));
        }
        out.flush();
        return 0;
    }
}
