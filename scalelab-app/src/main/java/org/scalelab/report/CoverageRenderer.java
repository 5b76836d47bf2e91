package org.scalelab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scalelab.laws.CoverageCurve;
import org.scalelab.laws.FitStatus;

/**
 * A coverage-law fit, coverage = exp(−a·k^−b): its status, the parameters and the samples needed
 * for the target with their intervals, and the observed coverage with the fit extrapolated to the target.
 */
public final class CoverageRenderer implements Renderer<CoverageCurve.Result> {
    @Override
    public String text(CoverageCurve.Result r) {
        return "coverage fit: " + r.status().json() + " — " + r.message() + "\n" + TextTable.render(header(r), rows(r));
    }

    @Override
    public void section(Report report, CoverageCurve.Result r) {
        boolean ok = r.status() == FitStatus.CONVERGED;
        report.verdict(r.status().json(), r.message(), ok);
        double[] k = r.points().stream().mapToDouble(CoverageCurve.Observed::k).toArray();
        double[] c = r.points().stream().mapToDouble(CoverageCurve.Observed::coverage).toArray();
        Plot plot = Plot.of("Coverage vs samples", "k (samples)", "coverage").logX().points("observed", k, c);
        if (r.a() != null) {
            double kMax = k.length == 0 ? 1 : Arrays.stream(k).max().getAsDouble();
            double kEnd = r.kNeeded() != null ? Math.max(kMax, r.kNeeded()) * 1.5 : kMax;
            double[] fx = Plot.logGrid(1, kMax, 60);
            double[] ex = Plot.logGrid(kMax, kEnd, 40);
            plot.line("fit exp(-a k^-b)", fx, map(r, fx)).dashed("extrapolation", ex, map(r, ex));
            plot.hline("target " + TextTable.num(r.target()), r.target());
            if (r.kNeeded() != null) {
                plot.vline("k = " + TextTable.num(r.kNeeded()), r.kNeeded());
            }
        }
        report.plot("coverage", plot, "Observed coverage (mean pass@k) with the fitted law and its extrapolation to the target.");
        report.table(header(r), rows(r));
    }

    private static double[] map(CoverageCurve.Result r, double[] x) {
        return Arrays.stream(x).map(r::coverageAt).toArray();
    }

    private static List<String> header(CoverageCurve.Result r) {
        return List.of("quantity", "estimate", TextTable.num(100 * r.level()) + " % CI");
    }

    static List<List<String>> rows(CoverageCurve.Result r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("a", TextTable.num(r.a()), TextTable.interval(r.aCi())));
        rows.add(List.of("b", TextTable.num(r.b()), TextTable.interval(r.bCi())));
        rows.add(List.of("k for coverage " + TextTable.num(r.target()), TextTable.num(r.kNeeded()), TextTable.interval(r.kNeededCi())));
        rows.add(List.of("R² (ln-ln space)", TextTable.num(r.rSquared()), ""));
        return rows;
    }
}
