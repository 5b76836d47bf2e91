package org.scalelab.cli;

import java.util.Arrays;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.Reliability;
import org.scalelab.report.ReliabilityRequirementsRenderer;
import org.scalelab.report.ReliabilityTableRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "reliability",
        mixinStandardHelpOptions = true,
        description = {
            "Compounding reliability: task success over n steps, or the per-step accuracy a target needs.",
            "A task of n steps succeeds only if every step does (p^n for independent steps). With --target, prints the per-step accuracy (and its nines, -log10(1-p)) that a target task",
            "success needs. --rho > 0 models shared difficulty: each task's per-step accuracy q ~ Beta with mean p",
            "and intra-task correlation rho between steps, so success = E[q^n]."
        },
        footer = {"", "Examples:", "  scalelab reliability --p 0.99,0.999,0.9999 --steps 10,100,1000",
            "  scalelab reliability --target 0.9 --steps 1000", "  scalelab reliability --p 0.999 --steps 1000 --rho 0.1"})
final class ReliabilityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--p", paramLabel = "P,P,…", defaultValue = "0.99,0.999,0.9999",
            description = "Per-step accuracies for the success table (default: ${DEFAULT-VALUE}).")
    String ps;

    @Option(names = "--steps", paramLabel = "N,N,…", defaultValue = "10,100,1000", description = "Numbers of steps (default: ${DEFAULT-VALUE}).")
    String steps;

    @Option(names = "--target", paramLabel = "S,S,…", description = "Target task success(es): print the per-step accuracy needed instead.")
    String targets;

    @Option(names = "--rho", defaultValue = "0", description = "Intra-task correlation of step outcomes, 0 = independent (default: ${DEFAULT-VALUE}).")
    double rho;

    @Override
    public Integer call() {
        long[] n = Arrays.stream(CliSupport.doubles("--steps", steps)).mapToLong(v -> {
            if (v < 1 || v != Math.rint(v)) {
                throw new InputException("--steps: " + v + " is not a whole number ≥ 1");
            }
            return (long) v;
        }).toArray();
        if (targets != null) {
            double[] t = CliSupport.doubles("--target", targets);
            Reliability.Requirements r = Reliability.analyze(new Reliability.Targets(t, n), new Reliability.Options(rho));
            CliSupport.emit(spec, lab, output, "reliability.requirement", r, r.provenance(), new ReliabilityRequirementsRenderer(t, n));
            return 0;
        }
        double[] p = CliSupport.doubles("--p", ps);
        Reliability.Table r = Reliability.analyze(new Reliability.Grid(p, n), new Reliability.Options(rho));
        CliSupport.emit(spec, lab, output, "reliability.table", r, r.provenance(), new ReliabilityTableRenderer(p, n));
        return 0;
    }
}
