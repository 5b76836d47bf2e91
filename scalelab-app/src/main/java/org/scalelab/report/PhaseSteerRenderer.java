package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.interp.SteeringSweep;
import org.scalelab.phase.DoseResponse;

/**
 * A steering dose-response ({@code phase steer}): per dose, the target's accuracy and logit
 * difference against the unsteered model with their intervals, the random controls' band and the
 * gain over them, the other task's change and the held-out perplexity; then ED50, the degeneration
 * dose and the ablation. The report plots each effect against α with the controls' band.
 */
public final class PhaseSteerRenderer implements Renderer<SteeringSweep.Result> {
    @Override
    public String text(SteeringSweep.Result r) {
        StringBuilder sb = new StringBuilder(summary(r)).append('\n');
        sb.append(TextTable.render(header(r), rows(r)));
        if (sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
        for (String line : findings(r)) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void section(Report report, SteeringSweep.Result r) {
        report.text(summary(r));
        DoseResponse.TaskResponse t = r.response().target();
        report.plot("dose_logit_diff", plot(r, t.logitDiff(), "Δ logit difference"),
                "Change of the target's logit difference against the unsteered model, with its 95 % interval over prompts, and the random"
                        + " directions' mean and 95 % band.");
        report.plot("dose_accuracy", plot(r, t.accuracy(), "Δ accuracy"),
                "Change of the target's accuracy against the unsteered model; random directions' mean and band as above.");
        if (r.response().other() != null) {
            report.plot("dose_other", plot(r, r.response().other().accuracy(), "Δ accuracy (" + r.other() + ")"),
                    "The other capability's accuracy under the same steering: the cost.");
        }
        report.table(header(r), rows(r));
        for (String line : findings(r)) {
            report.text(line);
        }
    }

    static String summary(SteeringSweep.Result r) {
        DoseResponse.Result d = r.response();
        return "steering " + r.model() + " at " + r.hook() + ": α in units of the hook's mean residual norm r̄ = " + TextTable.num(r.residualNorm())
                + " (mean ‖x‖₂ over " + r.tokensMeasured() + " context tokens of " + r.target() + "); the direction (‖v‖ = "
                + TextTable.num(r.directionNorm()) + ") is added as α·r̄·v̂; " + d.controls() + " random directions of the same norm as controls;\n"
                + "effects are paired per prompt against α = 0 (" + d.target().prompts() + " prompts of " + r.target()
                + (d.other() == null ? "" : ", " + d.other().prompts() + " of " + r.other()) + "), intervals " + pct(d.level()) + " bootstrap over prompts ("
                + d.bootstrap() + " resamples); gain = effect − controls' mean, its interval also counts a random direction's own spread\n"
                + d.signCheck();
    }

    private static Plot plot(SteeringSweep.Result r, DoseResponse.Curve c, String yLabel) {
        int n = c.points().size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(c.points().get(a).alpha(), c.points().get(b).alpha()));
        double[] x = new double[n];
        double[] mean = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        double[] cm = new double[n];
        double[] clo = new double[n];
        double[] chi = new double[n];
        boolean controls = true;
        for (int j = 0; j < n; j++) {
            DoseResponse.Point p = c.points().get(order[j]);
            x[j] = p.alpha();
            mean[j] = p.effect().mean();
            lo[j] = p.effect().ci()[0];
            hi[j] = p.effect().ci()[1];
            controls &= p.effect().controlMean() != null;
            if (p.effect().controlMean() != null) {
                cm[j] = p.effect().controlMean();
                clo[j] = p.effect().controlBand()[0];
                chi[j] = p.effect().controlBand()[1];
            }
        }
        Plot plot = Plot.of(c.metric() + " dose-response at " + r.hook(), "α (× mean residual norm " + TextTable.num(r.residualNorm()) + ")", yLabel);
        if (controls) {
            plot.band("random directions (95 % band)", x, cm, clo, chi);
        }
        plot.band("direction (95 % CI)", x, mean, lo, hi);
        if (c.ed50().value() != null) {
            plot.vline("ED50", c.ed50().value());
        }
        if (r.response().degenerationDose() != null) {
            plot.vline("degenerate", r.response().degenerationDose());
        }
        return plot.hline("0", 0);
    }

    private static List<String> header(SteeringSweep.Result r) {
        List<String> h = new ArrayList<>(List.of("α", "acc", "Δacc [CI]", "controls Δacc [band]", "gain [CI]", "Δlogit diff [CI]",
                "controls [band]", "gain [CI]"));
        if (r.response().other() != null) {
            h.add("Δacc " + r.other() + " [CI]");
        }
        h.add("perplexity");
        return h;
    }

    private static List<List<String>> rows(SteeringSweep.Result r) {
        DoseResponse.Result d = r.response();
        List<List<String>> rows = new ArrayList<>();
        for (int a = 0; a < d.alphas().length; a++) {
            DoseResponse.Point acc = d.target().accuracy().points().get(a);
            DoseResponse.Point ld = d.target().logitDiff().points().get(a);
            List<String> row = new ArrayList<>();
            row.add(TextTable.num(acc.alpha()));
            row.add(TextTable.num(acc.score()));
            row.add(withCi(acc.effect().mean(), acc.effect().ci()));
            row.add(withCi(acc.effect().controlMean(), acc.effect().controlBand()));
            row.add(withCi(acc.effect().gain(), acc.effect().gainCi()) + (acc.effect().beatsControl() ? " *" : ""));
            row.add(withCi(ld.effect().mean(), ld.effect().ci()));
            row.add(withCi(ld.effect().controlMean(), ld.effect().controlBand()));
            row.add(withCi(ld.effect().gain(), ld.effect().gainCi()) + (ld.effect().beatsControl() ? " *" : ""));
            if (d.other() != null) {
                DoseResponse.Effect cost = d.other().accuracy().points().get(a).effect();
                row.add(withCi(cost.mean(), cost.ci()));
            }
            row.add(d.perplexity() == null ? "—" : TextTable.num(d.perplexity()[a]));
            rows.add(row);
        }
        return rows;
    }

    static List<String> findings(SteeringSweep.Result r) {
        DoseResponse.Result d = r.response();
        List<String> out = new ArrayList<>();
        out.add("ED50 (accuracy): " + ed50(d.target().accuracy().ed50()) + "; ED50 (logit difference): " + ed50(d.target().logitDiff().ed50()));
        out.add(d.degenerationDose() == null
                ? "degeneration: held-out perplexity (" + r.perplexityText() + " tokens) stays within " + TextTable.num(d.degenerateFactor())
                        + " × the unsteered at every positive dose"
                : "degeneration dose: α = " + TextTable.num(d.degenerationDose()) + ", the smallest where held-out perplexity exceeds "
                        + TextTable.num(d.degenerateFactor()) + " × the unsteered (" + r.perplexityText() + " tokens)");
        for (DoseResponse.TaskResponse t : d.other() == null ? List.of(d.target()) : List.of(d.target(), d.other())) {
            if (t.ablation() != null) {
                DoseResponse.Effect a = t.ablation().accuracy();
                out.add("ablation (direction projected out), " + t.task() + ": Δacc " + withCi(a.mean(), a.ci()) + ", controls "
                        + withCi(a.controlMean(), a.controlBand()) + ", gain " + withCi(a.gain(), a.gainCi()) + "; Δlogit diff "
                        + withCi(t.ablation().logitDiff().mean(), t.ablation().logitDiff().ci()));
            }
        }
        boolean any = false;
        for (DoseResponse.Point p : d.target().logitDiff().points()) {
            any |= p.effect().beatsControl();
        }
        for (DoseResponse.Point p : d.target().accuracy().points()) {
            any |= p.effect().beatsControl();
        }
        out.add(any ? "* the gain's interval lies above zero: the direction beats random directions at that dose"
                : "at no dose does the direction beat the random directions (every gain interval reaches zero)");
        return out;
    }

    private static String ed50(DoseResponse.Ed50 e) {
        if (e.value() == null) {
            return e.note();
        }
        return "α = " + TextTable.num(e.value()) + " " + TextTable.interval(e.ci()) + " (" + e.defined() + " resamples define it)";
    }

    private static String withCi(Double v, double[] ci) {
        return v == null ? "—" : TextTable.num(v) + " " + TextTable.interval(ci);
    }

    private static String pct(double level) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * level);
    }
}
