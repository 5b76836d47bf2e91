package org.scalelab.cli;

import java.util.concurrent.Callable;
import org.scalelab.dynamics.BinomialNull;
import org.scalelab.dynamics.Emergence;
import org.scalelab.dynamics.Transience;
import org.scalelab.laws.ShapeTest;
import org.scalelab.report.WorldReportRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.world.WorldAnalysis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {"Analyse an experiment's curves from the lab store and write an HTML report.",
            "The report shows accuracy vs step",
            "per split (log x) for each width × depth, final and peak held-out accuracy vs width and depth,",
            "alignment (Dirichlet energy over the functor's edges) vs analogical accuracy, and the detectors'",
            "verdicts: emergence step, analogy after composition, transient abilities, non-monotonic scaling.",
            "Each call is tested against curves simulated with binomial noise on the same held-out examples and",
            "evaluation steps (constant accuracy; for scaling, accuracy monotone in size) and made only beyond",
            "that null at --alpha; 95 %% intervals across seeds are given from 3 seeds on. The result is saved",
            "in the store."},
        footer = {"", "Example:", "  scalelab world report --experiment small            # LAB/reports/world-small/index.html",
            "  scalelab world report --experiment small --transience-threshold 0.15 --json --no-store"})
final class WorldReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--experiment", paramLabel = "NAME", defaultValue = "world", description = "Experiment to report. Default: ${DEFAULT-VALUE}.")
    String experiment;

    @Option(names = "--emergence-threshold", paramLabel = "A", defaultValue = "0.5", description = "Accuracy at which an ability counts as emerged. Default: ${DEFAULT-VALUE}.")
    double emergence;

    @Option(names = "--transience-threshold", paramLabel = "A", defaultValue = "0.2", description = "Drop from the peak that makes an ability transient. Default: ${DEFAULT-VALUE}.")
    double transience;

    @Option(names = "--transience-tail", paramLabel = "N", defaultValue = "2", description = "Last logged points averaged as the end accuracy. Default: ${DEFAULT-VALUE}.")
    int tail;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.05",
            description = "Significance level of every call (binomial null and shape test). Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--null-replicates", paramLabel = "N", defaultValue = "1000",
            description = "Curves simulated under the binomial null per test (≥ 19). Default: ${DEFAULT-VALUE}.")
    int nullReplicates;

    @Option(names = "--null-seed", paramLabel = "N", defaultValue = "0", description = "Seed of the null simulations. Default: ${DEFAULT-VALUE}.")
    long nullSeed;

    @Option(names = "--allow-incomplete", description = "Analyse runs still marked running (an interrupted or ongoing sweep) with their curves so far; the result records them under incomplete_inputs.")
    boolean allowIncomplete;

    @Override
    public Integer call() {
        WorldLab.checkName(experiment);
        BinomialNull.Options test = new BinomialNull.Options(alpha, nullReplicates, nullSeed);
        WorldAnalysis.Options o = new WorldAnalysis.Options(new Emergence.Options(emergence, test), new Transience.Options(transience, tail, test),
                ShapeTest.Options.defaults().withAlpha(alpha), test);
        if (output.out == null) {
            output.out = lab.dir().resolve("reports").resolve("world-" + experiment);
        }
        WorldAnalysis.Result r;
        WorldReportRenderer renderer;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            r = WorldAnalysis.analyze(store, experiment, o, allowIncomplete);
            renderer = WorldReportRenderer.fromStore(store, r);
        }
        CliSupport.emit(spec, lab, output, "world.report", r, r.provenance(), renderer);
        return 0;
    }
}
