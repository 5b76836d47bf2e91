package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.store.LabStore;
import org.scalelab.world.RunSpec;
import org.scalelab.world.World;
import org.scalelab.world.WorldSweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {"Train one model on the experiment's world, resumably, logging its curves to the lab store.",
            "The model has GPT-2-like pre-LN blocks with rotary positions. Training logs loss and accuracy of every split at log-spaced steps into the lab store and saving Hugging",
            "Face checkpoints in LAB/world-runs/EXPERIMENT/RUN/checkpoints. Killed and started again, it resumes."},
        footer = {"", "Example:", "  scalelab world train --experiment small --width 64 --depth 2 --steps 4000 --seed 0"})
final class WorldTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    WorldOptions world;

    @Mixin
    WorldRunOptions run;

    @Option(names = "--width", paramLabel = "N", defaultValue = "64", description = "Model width (d_model). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "2", description = "Model depth (blocks). Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Initialisation and data-order seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1", description = "PyTorch threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--json", description = "Print the run summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        RunSpec s = run.spec(width, depth, seed);
        World w = WorldLab.resolve(lab.dir(), run.experiment, run.world, world);
        WorldSweep.Summary summary;
        try (LabStore store = LabStore.openReleasing(lab.dir(), lab.waiting())) {
            summary = WorldSweep.run(w, run.experiment, List.of(s), WorldLab.runsDir(lab.dir(), run.experiment), store, run.options(threads), 1);
        }
        WorldSweepCommand.print(spec, summary, json);
        return 0;
    }
}
