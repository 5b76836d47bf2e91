package org.scalelab.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.Reliability;
import org.scalelab.report.Plot;
import org.scalelab.report.TextTable;
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
            Reliability.Requirements r = Reliability.requirements(CliSupport.doubles("--target", targets), n, rho);
            CliSupport.emit(spec, lab, output, "reliability.requirement", r, r.provenance(), () -> text(r), report -> {
                report.text(model(rho));
                double[] grid = TestTimeCoverageCommand.grid(1, Math.max(10, Arrays.stream(n).max().getAsLong() * 10), 30);
                Plot plot = Plot.of("Nines needed per step", "steps", "nines of per-step accuracy").logX();
                for (double s : CliSupport.doubles("--target", targets)) {
                    plot.line("success " + TextTable.num(s), grid,
                            Arrays.stream(grid).map(g -> -Math.log10(Reliability.requiredFailureRate(s, Math.round(g), rho))).toArray());
                }
                report.plot("nines", plot, "Per-step nines, -log10(1 - p), needed for each target task success.");
                report.table(REQ_HEADER, reqRows(r));
            });
            return 0;
        }
        double[] p = CliSupport.doubles("--p", ps);
        Reliability.Table r = Reliability.table(p, n, rho);
        CliSupport.emit(spec, lab, output, "reliability.table", r, r.provenance(), () -> text(r, n), report -> {
            report.text(model(rho));
            double[] grid = TestTimeCoverageCommand.grid(1, Math.max(10, Arrays.stream(n).max().getAsLong() * 10), 80);
            Plot plot = Plot.of("Task success vs steps", "steps", "task success").logX();
            for (double pp : p) {
                plot.line("p = " + pp, grid, Arrays.stream(grid).map(g -> Reliability.success(pp, Math.round(g), rho)).toArray());
                if (rho > 0) {
                    plot.dashed("p = " + pp + ", independent", grid, Arrays.stream(grid).map(g -> Reliability.success(pp, Math.round(g))).toArray());
                }
            }
            report.plot("success", plot, "Probability that every step succeeds.");
            report.table(header(n), rows(r, n));
        });
        return 0;
    }

    static String model(double rho) {
        return rho == 0 ? "Independent steps: success = p^n."
                : "Shared difficulty (beta-binomial): per-task accuracy q ~ Beta(p(1-rho)/rho, (1-p)(1-rho)/rho), rho = "
                        + rho + "; success = E[q^n]. Dashed: independent steps.";
    }

    static final List<String> REQ_HEADER = List.of("target success", "steps", "per-step accuracy p", "1 - p", "nines");

    static List<String> header(long[] n) {
        List<String> h = new ArrayList<>(List.of("p", "nines"));
        for (long s : n) {
            h.add(s + " steps");
        }
        return h;
    }

    static List<List<String>> rows(Reliability.Table r, long[] n) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < r.rows().size(); i += n.length) {
            Reliability.Row first = r.rows().get(i);
            List<String> cells = new ArrayList<>(List.of(Double.toString(first.p()), TextTable.num(first.nines())));
            for (int j = 0; j < n.length; j++) {
                cells.add(percent(r.rows().get(i + j).success()));
            }
            rows.add(cells);
        }
        return rows;
    }

    static String percent(double v) {
        return v >= 0.001 ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : String.format(Locale.ROOT, "%.2e%%", 100 * v);
    }

    static List<List<String>> reqRows(Reliability.Requirements r) {
        List<List<String>> rows = new ArrayList<>();
        for (Reliability.Requirement q : r.rows()) {
            rows.add(List.of(TextTable.num(q.target()), Long.toString(q.steps()), String.format(Locale.ROOT, "%.10f", q.p()),
                    TextTable.num(q.failureRate()), String.format(Locale.ROOT, "%.2f", q.nines())));
        }
        return rows;
    }

    static String text(Reliability.Table r, long[] n) {
        return "task success (" + (r.rho() == 0 ? "independent steps" : "rho = " + r.rho()) + ")\n" + TextTable.render(header(n), rows(r, n));
    }

    static String text(Reliability.Requirements r) {
        return "per-step accuracy needed (" + (r.rho() == 0 ? "independent steps" : "rho = " + r.rho()) + ")\n"
                + TextTable.render(REQ_HEADER, reqRows(r));
    }
}
