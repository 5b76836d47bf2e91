package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.OutputFolder;
import org.scalelab.io.TrajectoryFilter;
import org.scalelab.model.Directions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "direction",
        mixinStandardHelpOptions = true,
        description = {"Difference-of-means direction from an activation set, saved as a float32 .npy.",
            "mean(rows of the --positive trajectories) − mean(rows of the --negative ones) at one hook;",
            "use it with --steer/--ablate of capture and generate."},
        footer = {"", "Example:", "  scalelab direction --set lab/activations/tiny --hook blocks.1.hook_resid_post --positive labels.correct=true --negative labels.correct=false --out correct.npy"})
final class DirectionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--set", required = true, paramLabel = "DIR", description = "Activation set folder (from scalelab capture).")
    Path set;

    @Option(names = "--hook", required = true, paramLabel = "HOOK", description = "Captured hook, e.g. blocks.1.hook_resid_post.")
    String hook;

    @Option(names = "--positive", required = true, paramLabel = "KEY=VALUE", description = "Trajectories whose mean the direction points to: domain=X, id=X or labels.NAME=X.")
    String positive;

    @Option(names = "--negative", required = true, paramLabel = "KEY=VALUE", description = "Trajectories whose mean the direction points away from (same syntax).")
    String negative;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Where to write the direction (1-D float32 .npy): a new file unless --force.")
    Path out;

    @Option(names = "--force", description = "Replace the --out file if it exists (never a folder or a lab store).")
    boolean force;

    @Option(names = "--allow-incomplete", description = "Use an activation set whose capture was interrupted (the trajectories written so far); the output line says so.")
    boolean allowIncomplete;

    @Override
    public Integer call() {
        OutputFolder.checkFile("--out", out, null, force, "--force");
        float[] d;
        boolean complete;
        try (ActivationSet s = ActivationSet.open(set, allowIncomplete)) {
            complete = s.manifest().complete();
            d = s.differenceOfMeans(hook, TrajectoryFilter.parse(positive), TrajectoryFilter.parse(negative));
        }
        OutputFolder.checkFile("--out", out, null, force, "--force");
        Directions.writeNpy(out, d);
        double norm = 0;
        for (float x : d) {
            norm += (double) x * x;
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %s: %d components, norm %.6g%s%n", out, d.length, Math.sqrt(norm),
                complete ? "" : " (from the incomplete activation set " + set + ", --allow-incomplete)");
        pw.flush();
        return 0;
    }
}
