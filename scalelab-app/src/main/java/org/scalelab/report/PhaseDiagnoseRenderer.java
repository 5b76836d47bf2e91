package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.scalelab.phase.CapabilityCoupling;
import org.scalelab.phase.CouplingVerdict;
import org.scalelab.phase.PhaseDiagnosis;

/**
 * A capability-phase diagnosis: one sentence per model (verdict, strongest layer, recommended
 * intervention), a table of the verdicts with their intervals, the flip across sizes, and in a report
 * the phase map — centred cosine per size × layer on a diverging scale.
 */
public final class PhaseDiagnoseRenderer implements Renderer<PhaseDiagnosis.Result> {
    @Override
    public String text(PhaseDiagnosis.Result r) {
        StringBuilder b = new StringBuilder();
        for (PhaseDiagnosis.ModelDiagnosis m : r.models()) {
            b.append(name(m.model())).append(": ").append(m.recommendation()).append('\n');
        }
        b.append(flip(r)).append('\n');
        b.append(TextTable.render(header(), rows(r))).append('\n');
        b.append("centred cosine: between the two capabilities' difference-of-means directions (a shared mean cancels); uncentred: between the"
                + " two prompt sets' mean hidden states, shown because it is near +1 for almost any two sets and says nothing about them.");
        return b.toString();
    }

    @Override
    public void section(Report report, PhaseDiagnosis.Result r) {
        report.heading("Capability phase: " + r.a() + " and " + r.b());
        for (PhaseDiagnosis.ModelDiagnosis m : r.models()) {
            report.verdict(name(m.model()) + " (" + m.verdict().key() + ")", m.recommendation(), m.verdict() != CouplingVerdict.ANTAGONISTIC);
        }
        report.text(flip(r));
        List<String> sizes = new ArrayList<>();
        TreeSet<Integer> layers = new TreeSet<>();
        for (CapabilityCoupling.SizeCoupling s : r.coupling().sizes()) {
            s.layers().forEach(l -> layers.add(l.layer()));
        }
        List<Integer> layerList = new ArrayList<>(layers);
        double[][] z = new double[r.coupling().sizes().size()][layerList.size()];
        for (int i = 0; i < z.length; i++) {
            CapabilityCoupling.SizeCoupling s = r.coupling().sizes().get(i);
            sizes.add(name(s.model()) + " (" + TextTable.num((double) s.parameterCount()) + ")");
            java.util.Arrays.fill(z[i], Double.NaN);
            for (CapabilityCoupling.LayerCoupling l : s.layers()) {
                z[i][layerList.indexOf(l.layer())] = l.centredCosine();
            }
        }
        String[] x = layerList.stream().map(l -> "layer " + l).toArray(String[]::new);
        report.plot("phase_map", Plot.of("phase map: centred cosine of " + r.a() + " and " + r.b() + " directions", "layer", "model size")
                        .categories(x, sizes.toArray(String[]::new))
                        .size(Math.max(480, 60 * x.length + 240), Math.max(320, 40 * sizes.size() + 160)).heatmap("centred cosine", z, -1, 1),
                "Blue: antagonistic (directions opposed), red: cooperative (aligned), white: unrelated; grey: layer not analysed."
                        + " The verdicts in the table also need the interval and the label-shuffled null.");
        report.table(header(), rows(r));
    }

    static String flip(PhaseDiagnosis.Result r) {
        PhaseDiagnosis.Flip f = r.flip();
        if (f == null) {
            return "one model size: no flip across sizes to look for.";
        }
        String verdicts = f.from() == null ? "the verdict does not change across sizes (" + f.note() + ")"
                : String.format(Locale.ROOT, "the verdict flips from %s (%s, %s parameters) to %s (%s, %s parameters)", f.before().key(),
                        name(f.from()), TextTable.num((double) f.fromParameters()), f.after().key(), name(f.to()),
                        TextTable.num((double) f.toParameters()));
        CapabilityCoupling.SignChange s = f.signChange();
        String sign = s == null || s.from() == null ? "the median centred cosine over layers keeps its sign"
                : String.format(Locale.ROOT, "the median centred cosine changes sign (%s) at 10^%.2f parameters, %s%% interval 10^[%.2f, %.2f] (%d of %d replicates)",
                        s.direction(), s.log10Parameters(), "95", ci(s.log10Ci(), 0), ci(s.log10Ci(), 1), s.validReplicates(), s.replicates());
        String caveat = f.from() == null && s != null && s.from() != null
                ? " — within each size's own interval and null, since no verdict changes" : "";
        return "Across sizes: " + verdicts + "; " + sign + caveat + ".";
    }

    private static double ci(double[] c, int i) {
        return c == null || c.length != 2 ? Double.NaN : c[i];
    }

    private static List<String> header() {
        return List.of("model", "parameters", "verdict", "strongest at", "centred cos", "interval", "null |cos| p95", "uncentred cos",
                "layers a/i/c", "benchmark γ12", "recommended");
    }

    private static List<List<String>> rows(PhaseDiagnosis.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (PhaseDiagnosis.ModelDiagnosis m : r.models()) {
            CapabilityCoupling.LayerCoupling l = m.strongest();
            PhaseDiagnosis.BenchmarkStep g = m.benchmark();
            PhaseDiagnosis.Intervention i = m.recommended();
            rows.add(List.of(name(m.model()), TextTable.num((double) m.parameterCount()), m.verdict().key(), l.hook(),
                    String.format(Locale.ROOT, "%+.3f", l.centredCosine()), TextTable.interval(l.ci()), String.format(Locale.ROOT, "%.3f", l.nullP95()),
                    String.format(Locale.ROOT, "%+.3f", l.uncentredCosine()),
                    m.layerVerdicts().get("antagonistic") + "/" + m.layerVerdicts().get("independent") + "/" + m.layerVerdicts().get("cooperative"),
                    g == null || g.gamma() == null ? "—" : String.format(Locale.ROOT, "%+.2f (%s)", g.gamma(), g.phase()),
                    i == null ? (m.bestMeasured() == null ? "not measured" : "nothing beats the control")
                            : String.format(Locale.ROOT, "%s at %s, α %s", i.steered(), i.hook(), TextTable.num(i.alpha()))));
        }
        return rows;
    }

    /** A model's short name: the checkpoint folder's name, with its run folder when the folder is a checkpoint of a run. */
    static String name(String model) {
        if (model == null) {
            return "?";
        }
        String[] parts = model.replace('\\', '/').split("/");
        int n = parts.length;
        if (n >= 3 && parts[n - 1].startsWith("checkpoint") && parts[n - 2].equals("checkpoints")) {
            return parts[n - 3];
        }
        return parts[n - 1];
    }
}
