package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.laws.PassAtK;

/** pass@k against k: the table of the unbiased estimator with its standard errors, and its curve with a ±1.96 SE band. */
public final class PassAtKRenderer implements Renderer<PassAtK.Result> {
    static final List<String> HEADER = List.of("k", "pass@k", "standard error");

    @Override
    public String text(PassAtK.Result r) {
        return "pass@k over " + r.problems() + " problems (unbiased estimator, Chen et al. 2021)\n" + TextTable.render(HEADER, rows(r));
    }

    @Override
    public void section(Report report, PassAtK.Result r) {
        double[] k = r.ks().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] mean = r.curve().stream().mapToDouble(PassAtK.Point::passAtK).toArray();
        double[] lo = new double[k.length];
        double[] hi = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            Double se = r.curve().get(i).standardError();
            lo[i] = se == null ? mean[i] : Math.max(0, mean[i] - 1.96 * se);
            hi[i] = se == null ? mean[i] : Math.min(1, mean[i] + 1.96 * se);
        }
        report.text(r.problems() + " problems, smallest n = " + r.minSamples()
                + ". pass@k is the unbiased estimator of Chen et al. (2021), eq. 1; the band is ±1.96 standard errors over problems.");
        report.plot("passk", Plot.of("pass@k vs k", "k (samples)", "pass@k").logX()
                .band("±1.96 SE", k, mean, lo, hi).line("mean pass@k", k, mean).points("mean pass@k (points)", k, mean),
                "Mean unbiased pass@k over problems, log k axis.");
        report.table(HEADER, rows(r));
    }

    static List<List<String>> rows(PassAtK.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (PassAtK.Point p : r.curve()) {
            rows.add(List.of(Integer.toString(p.k()), TextTable.num(p.passAtK()), TextTable.num(p.standardError())));
        }
        return rows;
    }
}
