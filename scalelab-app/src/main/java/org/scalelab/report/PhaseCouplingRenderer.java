package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.scalelab.phase.CapabilityCoupling;

/**
 * Capability coupling: a size × hook table (centred cosine with its interval, the null's 95th
 * percentile, the uncentred cosine beside it, probe transfer, verdict), the heads' summary per
 * model and the sign change across sizes; in a report also a size × layer heatmap of the centred
 * cosine and the coupling against size with its intervals.
 */
public final class PhaseCouplingRenderer implements Renderer<CapabilityCoupling.Result> {
    static final List<String> HEADER = List.of("model", "params", "hook", "centred cos", "95 % CI", "null |cos| p95", "p",
            "uncentred cos", "A→B probe acc", "acc CI", "verdict");
    static final List<String> HEAD_HEADER = List.of("model", "params", "heads tested", "cooperative", "competing", "neutral");

    static final String TRAP = "The uncentred cosine compares the two prompt sets' mean hidden states; a trained model's residual stream"
            + " carries a large mean direction that every prompt shares, so it is near +1 for almost any two sets and is no evidence"
            + " of coupling. The centred cosine (between the difference-of-means directions) is the coupling.";
    static final String TRANSFER = "Probe transfer: a logistic probe fit on A's points, read on B's; raw accuracy with A's first class"
            + " predicting B's first class (below 0.5: B is read upside down; no max(acc, 1 − acc)); interval over B's prompts.";

    @Override
    public String text(CapabilityCoupling.Result r) {
        StringBuilder sb = new StringBuilder("capability coupling (centred cosine between A's and B's difference-of-means directions)\n");
        sb.append(TextTable.render(HEADER, rows(r))).append('\n');
        sb.append(TRAP).append('\n').append(TRANSFER).append('\n');
        if (!r.heads().isEmpty()) {
            sb.append("\nheads (each head's class-difference write on each capability's direction, label-shuffled null,"
                    + " Benjamini–Hochberg at FDR ").append(TextTable.num(1 - r.options().level())).append(")\n");
            sb.append(TextTable.render(HEAD_HEADER, headRows(r))).append('\n');
        }
        sb.append('\n').append(signChange(r.signChange())).append('\n');
        return sb.toString();
    }

    @Override
    public void section(Report report, CapabilityCoupling.Result r) {
        report.heading("Coupling per size and hook");
        report.text(TRAP);
        report.table(HEADER, rows(r));
        report.text(TRANSFER);
        heatmap(report, r);
        curve(report, r);
        report.heading("Sign change across sizes");
        report.text(signChange(r.signChange()));
        if (!r.heads().isEmpty()) {
            report.heading("Heads");
            report.text("Each head's class-difference write projected on each capability's unit direction at its block, against "
                    + r.options().headResamples() + " label shuffles; Benjamini–Hochberg over the model's heads at FDR "
                    + TextTable.num(1 - r.options().level()) + ". Cooperative: both significant, same sign; competing: opposite.");
            report.table(HEAD_HEADER, headRows(r));
        }
    }

    static List<List<String>> rows(CapabilityCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (CapabilityCoupling.SizeCoupling s : r.sizes()) {
            for (CapabilityCoupling.LayerCoupling l : s.layers()) {
                rows.add(List.of(s.model(), Long.toString(s.parameterCount()), l.hook(), TextTable.num(l.centredCosine()), TextTable.interval(l.ci()),
                        TextTable.num(l.nullP95()), TextTable.num(l.pValue()), TextTable.num(l.uncentredCosine()),
                        TextTable.num(l.probeTransferAccuracy()), TextTable.interval(l.probeTransferCi()), l.verdict().key()));
            }
        }
        return rows;
    }

    static List<List<String>> headRows(CapabilityCoupling.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (CapabilityCoupling.SizeCoupling s : r.sizes()) {
            long tested = r.heads().stream().filter(h -> h.model().equals(s.model())).count();
            if (tested == 0) {
                continue;
            }
            long coop = r.heads().stream().filter(h -> h.model().equals(s.model()) && h.kind().equals("cooperative")).count();
            long comp = r.competingHeads(s.model());
            rows.add(List.of(s.model(), Long.toString(s.parameterCount()), Long.toString(tested), Long.toString(coop), Long.toString(comp),
                    Long.toString(tested - coop - comp)));
        }
        return rows;
    }

    static String signChange(CapabilityCoupling.SignChange s) {
        StringBuilder hooks = new StringBuilder();
        for (CapabilityCoupling.LayerCrossing c : s.layers()) {
            hooks.append("\n  ").append(c.hook()).append(": ").append(c.direction()).append(" between ").append(c.from()).append(" and ")
                    .append(c.to()).append(" at 10^").append(TextTable.num(c.log10Parameters())).append(", 95 % interval 10^")
                    .append(TextTable.interval(c.log10Ci())).append(" (").append(c.validReplicates()).append(" valid replicates)");
        }
        if (s.from() == null) {
            return "sign change: none — " + s.note() + hooks;
        }
        StringBuilder sb = new StringBuilder("sign change (" + s.direction() + ", median centred cosine over hooks) between " + s.from()
                + " and " + s.to() + ": at 10^" + TextTable.num(s.log10Parameters()) + " parameters, 95 % interval 10^"
                + TextTable.interval(s.log10Ci()) + " (" + s.validReplicates() + " of " + s.replicates() + " replicates change sign)");
        if (s.hook() != null) {
            sb.append("; strongest at ").append(s.hook());
        }
        if (!s.note().isEmpty()) {
            sb.append(". ").append(s.note());
        }
        return sb.append(hooks).toString();
    }

    /** Size × layer heatmap of the centred cosine (layers by block index; a size without that block is grey). */
    private static void heatmap(Report report, CapabilityCoupling.Result r) {
        TreeMap<Integer, Integer> layerColumn = new TreeMap<>();
        for (CapabilityCoupling.SizeCoupling s : r.sizes()) {
            for (CapabilityCoupling.LayerCoupling l : s.layers()) {
                layerColumn.putIfAbsent(l.layer(), 0);
            }
        }
        int c = 0;
        for (Map.Entry<Integer, Integer> e : layerColumn.entrySet()) {
            e.setValue(c++);
        }
        double[][] z = new double[r.sizes().size()][layerColumn.size()];
        String[] y = new String[r.sizes().size()];
        for (int i = 0; i < z.length; i++) {
            java.util.Arrays.fill(z[i], Double.NaN);
            CapabilityCoupling.SizeCoupling s = r.sizes().get(i);
            y[i] = s.model().replaceAll(".*/", "");
            for (CapabilityCoupling.LayerCoupling l : s.layers()) {
                z[i][layerColumn.get(l.layer())] = l.centredCosine();
            }
        }
        String[] x = layerColumn.keySet().stream().map(String::valueOf).toArray(String[]::new);
        report.plot("coupling-map", Plot.of("centred cosine: size × layer", "layer", "model").categories(x, y)
                .size(Math.max(480, 50 * x.length + 240), Math.max(320, 40 * y.length + 160)).heatmap("centred cosine", z, -1, 1),
                "The phase map: red, the capabilities' directions aligned (cooperative); blue, opposed (antagonistic).");
    }

    /** Median centred cosine over hooks against log10 parameters, with each hook's points and the sign change. */
    private static void curve(Report report, CapabilityCoupling.Result r) {
        int n = r.sizes().size();
        double[] x = new double[n];
        double[] med = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        List<Double> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CapabilityCoupling.SizeCoupling s = r.sizes().get(i);
            x[i] = Math.log10(Math.max(1, s.parameterCount()));
            List<CapabilityCoupling.LayerCoupling> ls = s.layers();
            double[] v = ls.stream().mapToDouble(CapabilityCoupling.LayerCoupling::centredCosine).sorted().toArray();
            med[i] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            lo[i] = ls.stream().mapToDouble(l -> l.ci()[0]).filter(Double::isFinite).min().orElse(med[i]);
            hi[i] = ls.stream().mapToDouble(l -> l.ci()[1]).filter(Double::isFinite).max().orElse(med[i]);
            for (CapabilityCoupling.LayerCoupling l : ls) {
                px.add(x[i]);
                py.add(l.centredCosine());
            }
        }
        Plot plot = Plot.of("coupling against size", "log10 parameters", "centred cosine")
                .band("hooks' 95 % intervals (outer envelope)", x, med, lo, hi).line("median over hooks", x, med)
                .points("each hook", px.stream().mapToDouble(Double::doubleValue).toArray(), py.stream().mapToDouble(Double::doubleValue).toArray())
                .hline("0", 0);
        if (r.signChange().from() != null) {
            plot.vline("sign change", r.signChange().log10Parameters());
        }
        report.plot("coupling-vs-size", plot, "Centred cosine per size; the band spans the hooks' bootstrap intervals. " + signChange(r.signChange()));
    }
}
