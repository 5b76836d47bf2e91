package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.report.WorldSweepRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.world.RunSpec;
import org.scalelab.world.World;
import org.scalelab.world.WorldSweep;
import org.scalelab.world.WorldTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {"Train a grid of models on the experiment's world: every width × depth × seed.",
            "Runs --parallel at a time (one PyTorch thread each), logs loss and accuracy of every split at",
            "log-spaced steps into the lab store, saves Hugging Face checkpoints, and can be stopped at any",
            "time (even kill -9): started again, it skips finished runs and resumes the others."},
        footer = {"", "Example:", "  scalelab world sweep --experiment demo --widths 32,64,128 --depths 1,2 --seeds 2 --steps 4000",
            "  scalelab world report --experiment demo"})
final class WorldSweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    WorldOptions world;

    @Mixin
    WorldRunOptions run;

    @Option(names = "--widths", paramLabel = "LIST", split = ",", defaultValue = "32,64,128", description = "Model widths (d_model). Default: ${DEFAULT-VALUE}.")
    List<Integer> widths;

    @Option(names = "--depths", paramLabel = "LIST", split = ",", defaultValue = "1,2", description = "Model depths (blocks). Default: ${DEFAULT-VALUE}.")
    List<Integer> depths;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "3",
            description = "Seeds per cell (0 … N−1): initialisation and data order; intervals across seeds need 3. Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "2", description = "Runs trained at the same time (one core each). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--json", description = "Print the sweep summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (seeds < 1) {
            throw new InputException("--seeds " + seeds + ": at least one seed per cell");
        }
        List<Long> seedList = new ArrayList<>();
        for (long s = 0; s < seeds; s++) {
            seedList.add(s);
        }
        // Every cell is checked (heads divide widths, …) before the world is written or a run starts.
        List<RunSpec> specs = WorldSweep.grid(run.spec(widths.get(0), depths.get(0), 0), widths, depths, seedList);
        WorldTraining.Options options = run.options(1);
        World w = WorldLab.resolve(lab.dir(), run.experiment, run.world, world);
        WorldSweep.Summary s;
        try (LabStore store = LabStore.openReleasing(lab.dir(), lab.waiting())) {
            s = WorldSweep.run(w, run.experiment, specs, WorldLab.runsDir(lab.dir(), run.experiment), store, options, parallel);
        }
        print(spec, s, json);
        return 0;
    }

    static void print(CommandSpec spec, WorldSweep.Summary s, boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(s));
        } else {
            out.println(new WorldSweepRenderer().text(s));
            out.println("see the curves with: scalelab world report --experiment " + s.experiment());
        }
        out.flush();
    }
}
