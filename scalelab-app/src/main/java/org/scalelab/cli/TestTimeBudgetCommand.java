package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.SamplingBudget;
import org.scalelab.report.Plot;
import org.scalelab.report.SamplingBudgetRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "budget",
        mixinStandardHelpOptions = true,
        description = {
            "Repeated sampling vs a larger model at equal inference FLOPs: who wins at each budget.",
            "For each FLOP budget B, model m draws floor(B / flops_m) samples and reaches coverage exp(-a_m k^-b_m)",
            "(a, b from `testtime coverage`).",
            "Prints the winner at every budget and the budgets where the winner changes.",
            "FLOPs per sample of a dense model ≈ 2 × parameters × tokens generated (Kaplan et al. 2020)."
        },
        footer = {"", "Example:",
            "  scalelab testtime budget --model 8B,2.1,0.42,1.6e13 --model 70B,1.2,0.35,1.4e14 \\",
            "      --budgets 1e14:1e18:41"})
final class TestTimeBudgetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--model", paramLabel = "NAME,A,B,FLOPS", required = true,
            description = "A model: name, coverage-law a and b, FLOPs per sample. Repeat for each model.")
    List<String> models;

    @Option(names = "--budgets", paramLabel = "B,B,…|FROM:TO:N", required = true,
            description = "FLOP budgets: a list (1e15,1e16) or FROM:TO:N log-spaced points (1e14:1e18:41).")
    String budgets;

    @Override
    public Integer call() {
        List<SamplingBudget.Model> ms = new ArrayList<>();
        for (String m : models) {
            String[] p = m.split(",");
            if (p.length != 4) {
                throw new InputException("--model '" + m + "': expected NAME,A,B,FLOPS, e.g. 8B,2.1,0.42,1.6e13");
            }
            double[] v = CliSupport.doubles("--model " + p[0].trim(), p[1] + "," + p[2] + "," + p[3]);
            ms.add(new SamplingBudget.Model(p[0].trim(), v[0], v[1], v[2]));
        }
        SamplingBudget.Result r = SamplingBudget.analyze(new SamplingBudget.Input(ms, List.of()),
                new SamplingBudget.Options(parseBudgets(budgets)));
        CliSupport.emit(spec, lab, output, "testtime.budget", r, r.provenance(), new SamplingBudgetRenderer());
        return 0;
    }

    static double[] parseBudgets(String s) {
        if (s.contains(":")) {
            String[] p = s.split(":");
            if (p.length != 3) {
                throw new InputException("--budgets '" + s + "': expected FROM:TO:N, e.g. 1e14:1e18:41");
            }
            double[] ft = CliSupport.doubles("--budgets", p[0] + "," + p[1]);
            int n = TestTimeCommand.ints("--budgets (N)", p[2])[0];
            if (!(ft[0] > 0 && ft[1] > ft[0]) || n < 2) {
                throw new InputException("--budgets '" + s + "': need 0 < FROM < TO and N ≥ 2");
            }
            return Plot.logGrid(ft[0], ft[1], n);
        }
        return CliSupport.doubles("--budgets", s);
    }
}
