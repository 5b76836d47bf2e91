package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.phase.CriticalSize;
import org.scalelab.phase.ScoreCoupling;

/**
 * Capability phases from score tables: per step γ12 with its interval and phase, per family r with the
 * width-normalised r beside its null, the critical size by both methods side by side, and the
 * benchmark-space dimension. Plots: γ12 against size per family, the two scores against each other per
 * family, the second score against log size with the parabola, and the bootstrap distribution of N_c.
 */
public final class PhaseScoresRenderer implements Renderer<ScoreCoupling.Result> {
    static final List<String> STEP_HEADER = List.of("family", "from", "to", "Δa", "Δb", "γ12", "95% CI", "phase");
    static final List<String> FAMILY_HEADER = List.of("family", "models", "r", "95% CI (Fisher z)", "r width-normalised",
            "null mean", "null p95");
    static final List<String> NC_HEADER = List.of("method", "N_c (all data)", "bootstrap median", "95% CI", "valid / replicates");
    static final List<String> DIM_HEADER = List.of("group", "models", "participation ratio", "benchmarks");

    @Override
    public String text(ScoreCoupling.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("γ12 = Δ").append(r.b()).append(" / Δ").append(r.a()).append(" between consecutive sizes of each family (a = ")
                .append(r.a()).append(", b = ").append(r.b()).append(")\n");
        sb.append(TextTable.render(STEP_HEADER, stepRows(r)));
        sb.append("\nPearson r(").append(r.a()).append(", ").append(r.b()).append(") per family\n");
        sb.append(TextTable.render(FAMILY_HEADER, familyRows(r)));
        sb.append("\nCritical size N_c (parameters)\n");
        sb.append(TextTable.render(NC_HEADER, ncRows(r)));
        if (!r.benchmarkDimension().isEmpty()) {
            sb.append("\nBenchmark-space dimension (participation ratio of the benchmarks' correlation matrix)\n");
            sb.append(TextTable.render(DIM_HEADER, dimRows(r)));
        }
        List<String> notes = notes(r);
        if (!notes.isEmpty()) {
            sb.append("\nNotes\n");
            notes.forEach(n -> sb.append("  ").append(n).append('\n'));
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public void section(Report report, ScoreCoupling.Result r) {
        report.heading("Coupling between consecutive sizes");
        report.text("γ12 = Δ" + r.b() + " / Δ" + r.a() + " between consecutive sizes of a family. Its 95 % interval draws each "
                + "model's scores from Normal(score, stderr) and is absent when the table gives no standard errors.");
        Plot gamma = Plot.of("γ12 against size", "parameters (geometric mean of the step)", "γ12").logX();
        Plot scatter = Plot.of(r.b() + " against " + r.a(), r.a(), r.b());
        Plot curve = Plot.of(r.b() + " against size", "parameters", r.b()).logX();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (ScoreCoupling.Family f : r.families()) {
            List<ScoreCoupling.Step> defined = f.steps().stream().filter(s -> s.gamma() != null).toList();
            if (!defined.isEmpty()) {
                gamma.points(f.family(), defined.stream().mapToDouble(s -> Math.pow(10, s.logSize())).toArray(),
                        defined.stream().mapToDouble(ScoreCoupling.Step::gamma).toArray());
            }
            double[] a = f.models().stream().mapToDouble(ScoreCoupling.ModelScore::a).toArray();
            double[] b = f.models().stream().mapToDouble(ScoreCoupling.ModelScore::b).toArray();
            double[] n = f.models().stream().mapToDouble(ScoreCoupling.ModelScore::params).toArray();
            scatter.points(f.family(), a, b);
            curve.points(f.family(), n, b);
            for (double v : n) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        gamma.hline("γ12 = 0", 0);
        for (CriticalSize.Estimate e : r.criticalSize()) {
            if (e.value() != null) {
                gamma.vline("N_c " + e.method(), e.value());
            }
        }
        report.plot("gamma", gamma, "γ12 of each step against the geometric mean of its two sizes, one colour per family; "
                + "vertical lines: N_c by each method.");
        report.table(STEP_HEADER, stepRows(r));
        report.heading("Population correlation and width normalisation");
        report.text("Pearson r per family with its Fisher-z 95 % interval (none for 3 models or fewer). The width-normalised r "
                + "divides both scores by d_model / d_ref; its null applies the same division to scores permuted across the "
                + "family's models, so the null's mean is the r the division produces by itself.");
        report.plot("scores", scatter, "The two scores of each model, one colour per family.");
        report.table(FAMILY_HEADER, familyRows(r));
        report.heading("Critical size");
        CriticalSize.Estimate quad = r.criticalSize().stream().filter(e -> e.method().equals("quadratic_vertex")).findFirst().orElse(null);
        if (quad != null && quad.fit() != null && min < max) {
            double[] grid = Plot.logGrid(min, max, 80);
            double[] y = new double[grid.length];
            for (int i = 0; i < grid.length; i++) {
                double x = Math.log10(grid[i]);
                y[i] = (quad.fit()[0] * x + quad.fit()[1]) * x + quad.fit()[2];
            }
            curve.line("quadratic in log10 N (all models)", grid, y);
            if (quad.value() != null) {
                curve.vline("vertex", quad.value());
            }
            report.plot("quadratic", curve, r.b() + " of every model against its size, with the parabola in log10 N whose "
                    + "vertex is the quadratic-vertex N_c.");
        }
        for (CriticalSize.Estimate e : r.criticalSize()) {
            if (e.replicateLog10() != null && e.replicateLog10().length > 1) {
                Plot h = Plot.of("bootstrap N_c — " + e.method(), "log10 N_c", "replicates")
                        .histogram("valid replicates", e.replicateLog10(), 50);
                if (e.ci95() != null) {
                    h.vline("2.5 %", Math.log10(e.ci95()[0])).vline("97.5 %", Math.log10(e.ci95()[1]));
                }
                if (e.median() != null) {
                    h.vline("median", Math.log10(e.median()));
                }
                report.plot("nc_" + e.method(), h, e.validReplicates() + " valid of " + e.replicates() + " replicates: "
                        + e.procedure() + ".");
            }
        }
        report.table(NC_HEADER, ncRows(r));
        for (CriticalSize.Estimate e : r.criticalSize()) {
            report.text(e.method() + ": " + e.procedure() + ".");
        }
        if (!r.benchmarkDimension().isEmpty()) {
            report.heading("Benchmark-space dimension");
            report.text("Participation ratio (Σλ)² / Σλ² of the eigenvalues of the benchmarks' correlation matrix, for the models "
                    + "below and above the quadratic-vertex N_c: 1 when one direction carries all the spread.");
            report.table(DIM_HEADER, dimRows(r));
        }
        List<String> notes = notes(r);
        if (!notes.isEmpty()) {
            report.heading("Notes");
            notes.forEach(report::text);
        }
    }

    static List<List<String>> stepRows(ScoreCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (ScoreCoupling.Family f : r.families()) {
            for (ScoreCoupling.Step s : f.steps()) {
                rows.add(List.of(f.family(), s.from(), s.to(), TextTable.num(s.deltaA()), TextTable.num(s.deltaB()),
                        TextTable.num(s.gamma()), TextTable.interval(s.ci95()), s.phase()));
            }
        }
        return rows;
    }

    static List<List<String>> familyRows(ScoreCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (ScoreCoupling.Family f : r.families()) {
            ScoreCoupling.WidthNull n = f.rWidthNull();
            rows.add(List.of(f.family(), Integer.toString(f.models().size()), TextTable.num(f.r()), TextTable.interval(f.rCi95()),
                    TextTable.num(f.rWidthNormalized()), n == null ? "—" : TextTable.num(n.mean()), n == null ? "—" : TextTable.num(n.p95())));
        }
        return rows;
    }

    static List<List<String>> ncRows(ScoreCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (CriticalSize.Estimate e : r.criticalSize()) {
            rows.add(List.of(e.method(), TextTable.num(e.value()), TextTable.num(e.median()), TextTable.interval(e.ci95()),
                    e.validReplicates() + " / " + e.replicates()));
        }
        return rows;
    }

    static List<List<String>> dimRows(ScoreCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (ScoreCoupling.Dimension d : r.benchmarkDimension()) {
            rows.add(List.of(d.group(), Integer.toString(d.models()), TextTable.num(d.participationRatio()), String.join(", ", d.benchmarks())));
        }
        return rows;
    }

    /** Every reason something is absent, one line each, deduplicated. */
    static List<String> notes(ScoreCoupling.Result r) {
        List<String> notes = new ArrayList<>();
        boolean noStderr = false;
        for (ScoreCoupling.Family f : r.families()) {
            f.notes().forEach(n -> notes.add(f.family() + ": " + n));
            for (ScoreCoupling.Step s : f.steps()) {
                if (s.note() == null) {
                    continue;
                }
                if (s.note().startsWith("no interval: the table gives no standard errors")) {
                    noStderr = true;
                } else {
                    notes.add(f.family() + " " + s.from() + " → " + s.to() + ": " + s.note());
                }
            }
        }
        if (noStderr) {
            notes.add(0, "γ12 intervals: the table gives no standard errors of the scores, and a single pair of models has nothing "
                    + "else to resample (give --a-stderr-col / --b-stderr-col)");
        }
        for (CriticalSize.Estimate e : r.criticalSize()) {
            if (e.note() != null) {
                notes.add(e.method() + ": " + e.note());
            }
        }
        for (ScoreCoupling.Dimension d : r.benchmarkDimension()) {
            if (d.note() != null) {
                notes.add("dimension, " + d.group() + ": " + d.note());
            }
        }
        return notes.stream().distinct().toList();
    }
}
