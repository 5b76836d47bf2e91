package org.scalelab.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.phase.CapabilityDirections;

/**
 * Capability directions per model size and layer: the table (set × hook → prompts, held-out probe and
 * mean-difference accuracy with Wilson intervals, stability with its interval, ‖mean difference‖), and
 * per model size held-out probe accuracy and stability against layer.
 */
public final class PhaseDirectionsRenderer implements Renderer<CapabilityDirections.Run> {
    static final List<String> HEADER = List.of("set", "params", "hook", "n+ / n−", "probe acc (held out)", "mean-diff acc (held out)",
            "stability cos", "‖mean diff‖");
    private static final Pattern LAYER = Pattern.compile("blocks\\.(\\d+)\\.");

    @Override
    public String text(CapabilityDirections.Run r) {
        return "capability directions: " + r.positive() + " vs " + r.negative() + " (" + r.pool() + " token; held out "
                + TextTable.num(r.options().holdout()) + ", C " + TextTable.num(r.options().c()) + ", " + r.options().resamples()
                + " halvings, " + Math.round(r.options().level() * 100) + " % intervals, seed " + r.options().seed() + ")\n"
                + TextTable.render(HEADER, rows(r));
    }

    @Override
    public void section(Report report, CapabilityDirections.Run r) {
        report.text("Positive class " + r.positive() + ", negative class " + r.negative() + "; one vector per prompt (" + r.pool()
                + " token). Directions (difference of means, PCA of paired differences, L2 logistic probe with C = "
                + TextTable.num(r.options().c()) + ") are computed from every prompt; accuracies are on a seeded stratified held-out "
                + "fraction of " + TextTable.num(r.options().holdout()) + " with Wilson intervals; stability is the cosine between the "
                + "mean-difference directions of two random halves, over " + r.options().resamples() + " halvings (percentile interval).");
        Map<String, List<CapabilityDirections.Result>> bySet = new LinkedHashMap<>();
        for (CapabilityDirections.Result x : r.results()) {
            bySet.computeIfAbsent(x.set(), k -> new ArrayList<>()).add(x);
        }
        Plot accuracy = Plot.of("Held-out probe accuracy by layer", "layer", "accuracy");
        Plot stability = Plot.of("Direction stability by layer", "layer", "cosine between halves");
        for (Map.Entry<String, List<CapabilityDirections.Result>> e : bySet.entrySet()) {
            List<CapabilityDirections.Result> rs = e.getValue();
            double[] layer = new double[rs.size()];
            double[][] acc = new double[3][rs.size()];
            double[][] stab = new double[3][rs.size()];
            for (int i = 0; i < rs.size(); i++) {
                CapabilityDirections.Result x = rs.get(i);
                layer[i] = layer(x.hook(), i);
                acc[0][i] = x.probeHeldOutAccuracy();
                acc[1][i] = x.probeAccuracyCi()[0];
                acc[2][i] = x.probeAccuracyCi()[1];
                stab[0][i] = x.stabilityCosine();
                stab[1][i] = x.stabilityCi()[0];
                stab[2][i] = x.stabilityCi()[1];
            }
            String name = name(e.getKey()) + " (" + TextTable.num((double) rs.get(0).parameterCount()) + " params)";
            accuracy.band(name + " interval", layer, acc[0], acc[1], acc[2]).line(name, layer, acc[0]).points(name + " (points)", layer, acc[0]);
            stability.band(name + " interval", layer, stab[0], stab[1], stab[2]).line(name, layer, stab[0]);
        }
        accuracy.hline("chance", 0.5);
        report.plot("probe-accuracy", accuracy, "Held-out accuracy of the logistic probe per layer and model size, with Wilson intervals.");
        report.plot("stability", stability, "Cosine between the mean-difference directions of two random halves, per layer and model size.");
        report.table(HEADER, rows(r));
    }

    /** The layer number in a {@code blocks.N.…} hook, else the hook's position. */
    static double layer(String hook, int position) {
        Matcher m = LAYER.matcher(hook);
        return m.find() ? Integer.parseInt(m.group(1)) : position;
    }

    static String name(String set) {
        Path p = Path.of(set).getFileName();
        return p == null ? set : p.toString();
    }

    static List<List<String>> rows(CapabilityDirections.Run r) {
        List<List<String>> rows = new ArrayList<>();
        for (CapabilityDirections.Result x : r.results()) {
            rows.add(List.of(name(x.set()), TextTable.num((double) x.parameterCount()), x.hook(), x.nPositive() + " / " + x.nNegative(),
                    TextTable.num(x.probeHeldOutAccuracy()) + " " + TextTable.interval(x.probeAccuracyCi()),
                    TextTable.num(x.meanDiffHeldOutAccuracy()) + " " + TextTable.interval(x.meanDiffAccuracyCi()),
                    TextTable.num(x.stabilityCosine()) + " " + TextTable.interval(x.stabilityCi()),
                    TextTable.num(x.direction(CapabilityDirections.Method.MEAN_DIFF).norm())));
        }
        return rows;
    }
}
