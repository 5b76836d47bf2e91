package org.scalelab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.PcaProjection;
import org.scalelab.geometry.PhaseVerdict;
import org.scalelab.geometry.PointSet;

/**
 * Text and HTML report of a geometry analysis: of one point set (an .npy array: a metric table with
 * its null baselines, scree, PCA and tangling plots), or of activation-set groups (models × domains)
 * with their phase verdicts. The PCA plots need the points themselves, so a renderer is made for the
 * analysis' input.
 */
public final class GeometryRenderer implements Renderer<GeometryAnalysis.Result> {
    private final PointSet points;
    private final List<ActivationGroups.Input> groups;

    private GeometryRenderer(PointSet points, List<ActivationGroups.Input> groups) {
        this.points = points;
        this.groups = groups;
    }

    /** For an analysis of one point set. */
    public static GeometryRenderer ofPoints(PointSet points) {
        return new GeometryRenderer(points, null);
    }

    /** For an analysis of activation-set groups. */
    public static GeometryRenderer ofGroups(List<ActivationGroups.Input> groups) {
        return new GeometryRenderer(null, List.copyOf(groups));
    }

    @Override
    public String text(GeometryAnalysis.Result r) {
        return points != null ? pointsText(r) : groupsText(r);
    }

    @Override
    public void section(Report report, GeometryAnalysis.Result r) {
        if (points != null) {
            pointsSection(report, r, points);
        } else {
            groupsSection(report, r, groups);
        }
    }

    // One point set: a table of metrics against both null models, scree, PCA and tangling plots.

    private static final int MAX_PLOTTED_POINTS = 5_000;
    private static final int MAX_SERIES = 10;

    static List<List<String>> rows(GeometryAnalysis.Group g) {
        List<List<String>> rows = new ArrayList<>();
        for (String m : GeometryAnalysis.metricNames()) {
            List<String> row = new ArrayList<>();
            row.add(m);
            row.add(TextTable.num(g.metric(m)) + (m.equals("silhouette") && g.k() != null ? " (k-means, k=" + g.k() + ")" : ""));
            row.add(TextTable.interval(g.ci() == null ? null : g.ci().get(m)));
            for (String model : List.of(GeometryAnalysis.GAUSSIAN, GeometryAnalysis.SHUFFLED_STEPS)) {
                row.addAll(baselineCells(g.baselines().getOrDefault(model, Map.of()).get(m)));
            }
            rows.add(row);
        }
        return rows;
    }

    static final List<String> HEADER = List.of("metric", "value", "95 % bootstrap CI", "gaussian null", "Δ (×)", "z", "p",
            "shuffled-steps null", "Δ (×)", "z", "p");

    /** Null mean, effect size "value − mean (× value / mean)", z and rank p; "no test" where the null fixes the metric. */
    static List<String> baselineCells(GeometryAnalysis.Baseline b) {
        if (b == null) {
            return List.of("—", "—", "—", "—");
        }
        if (b.reason() != null) {
            return List.of("no test", "—", "—", "—");
        }
        String effect = b.difference() == null ? "—" : (b.difference() >= 0 ? "+" : "") + TextTable.num(b.difference())
                + (b.ratio() == null ? "" : " (×" + TextTable.num(b.ratio()) + ")");
        return List.of(TextTable.num(b.mean()), effect, TextTable.num(b.z()), TextTable.num(b.p()));
    }

    /** The replicates behind a group's baselines (0 without). */
    static int nullReplicates(GeometryAnalysis.Group g) {
        return g.baselines().values().stream().flatMap(m -> m.values().stream()).mapToInt(GeometryAnalysis.Baseline::replicates).max().orElse(0);
    }

    /** What the baseline columns mean: printed under every table that shows them. */
    static String nullNote(int replicates) {
        return "Null baselines, " + replicates + " replicates each: z = (value − null mean) / (null sd · √(1 + 1/" + replicates
                + ")) on the normal scale, so on data drawn from the null |z| > 2 in about 5 % of cases (more than 2 is "
                + "evidence, not proof; many metrics × groups will give some by chance). Δ = value − null mean (× value / null mean): "
                + "the effect size. p = two-sided rank p-value among the replicates, at least " + TextTable.num(2.0 / (replicates + 1))
                + ". \"no test\": the null reproduces that metric by construction (the Gaussian null copies the covariance, which fixes "
                + "participation_ratio, d90 and d95; shuffling keeps each trajectory's ends, which fix alignment). oscillation_coherence: "
                + "against random pairing of the attention and MLP changes (closed form, normal p).";
    }

    static String pointsText(GeometryAnalysis.Result r) {
        StringBuilder sb = new StringBuilder();
        for (GeometryAnalysis.Group g : r.groups()) {
            sb.append("geometry of ").append(g.nPoints()).append(" points × ").append(g.dimension()).append(" dims");
            if (g.trajectories() > 0) {
                sb.append(", ").append(g.trajectories()).append(" trajectories");
            }
            sb.append('\n').append(TextTable.render(HEADER, rows(g))).append('\n');
            if (nullReplicates(g) > 0) {
                sb.append(nullNote(nullReplicates(g))).append('\n');
            }
            if (g.tangling() != null) {
                sb.append("tangling Q(t): median ").append(TextTable.num(g.tanglingMedian())).append(", p90 ")
                        .append(TextTable.num(g.tanglingP90())).append(", epsilon ").append(TextTable.num(g.tanglingEpsilon()))
                        .append('\n');
            }
            for (Map.Entry<String, String> e : g.reasons().entrySet()) {
                sb.append(reasonLine(e.getKey(), e.getValue())).append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

    static void pointsSection(Report report, GeometryAnalysis.Result r, PointSet points) {
        for (GeometryAnalysis.Group g : r.groups()) {
            report.heading("Metrics (" + g.nPoints() + " points × " + g.dimension() + " dims)");
            report.table(HEADER, rows(g));
            if (nullReplicates(g) > 0) {
                report.text(nullNote(nullReplicates(g)));
            }
            if (!g.reasons().isEmpty()) {
                List<List<String>> why = new ArrayList<>();
                g.reasons().forEach((k, v) -> why.add(List.of(k, v)));
                report.table(List.of("not computed", "reason"), why);
            }
            double[] f = g.explainedVariance();
            if (f.length > 0) {
                double[] k = new double[f.length];
                double[] cum = new double[f.length];
                double c = 0;
                for (int i = 0; i < f.length; i++) {
                    k[i] = i + 1;
                    c += f[i];
                    cum[i] = c;
                }
                report.plot("scree", Plot.of("Scree plot", "component", "fraction of variance").points("component", k, f)
                        .line("cumulative", k, cum).hline("90 %", 0.9), "Fraction of variance per principal component (first "
                        + f.length + ") and cumulative; d90 = " + g.d90() + ", d95 = " + g.d95() + ".");
            }
            if (points.size() >= 2 && points.dimension() >= 2) {
                report.plot("pca", pcaPlot(points), "Points on the first two principal components"
                        + (points.hasLabels() ? ", one series per label." : points.hasTrajectories() ? ", lines follow trajectories." : "."));
            }
            if (g.tanglingPerTrajectory() != null) {
                double[] q = g.tanglingPerTrajectory().stream().filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
                if (q.length > 0) {
                    report.plot("tangling", Plot.of("Tangling per trajectory", "mean Q(t)", "trajectories")
                            .histogram("trajectories", q, Math.min(30, Math.max(5, q.length / 3))),
                            "Mean tangling Q(t) of each trajectory (Russo et al. 2018), epsilon " + TextTable.num(g.tanglingEpsilon()) + ".");
                }
            }
        }
    }

    static Plot pcaPlot(PointSet points) {
        double[][] pc = PcaProjection.of(points, 2);
        Plot plot = Plot.of("PCA projection", "PC 1", "PC 2");
        int n = points.size();
        int stride = Math.max(1, (n + MAX_PLOTTED_POINTS - 1) / MAX_PLOTTED_POINTS);
        if (points.hasTrajectories() && !points.hasLabels()) {
            // The first trajectories only: more lines than this are unreadable in one panel.
            for (int k = 0; k < Math.min(MAX_SERIES, points.trajectoryCount()); k++) {
                int start = points.trajectoryStart(k);
                double[] x = new double[points.trajectoryEnd(k) - start];
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = pc[start + i][0];
                    y[i] = pc[start + i][1];
                }
                plot.line("trajectory " + k, x, y);
            }
            return plot;
        }
        Map<String, List<Integer>> series = new LinkedHashMap<>();
        Map<Integer, String> names = new LinkedHashMap<>();
        for (int i = 0; i < n; i += stride) {
            String key = "points";
            if (points.hasLabels()) {
                int label = points.label(i);
                if (!names.containsKey(label)) {
                    names.put(label, names.size() < MAX_SERIES ? "label " + label : "other labels");
                }
                key = names.get(label);
            }
            series.computeIfAbsent(key, s -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(i -> pc[i][0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(i -> pc[i][1]).toArray();
            plot.points(e.getKey(), x, y);
        }
        return plot;
    }

    /** The unit of the groups' points as a name: {@code token}, {@code step (mean)}, …; a result saved before units existed: token. */
    static String unit(GeometryAnalysis.Group g) {
        return g.unit() == null ? "token" : g.unit();
    }

    /** ", unit: step (mean)" for the headings (the groups' distinct units, in order). */
    static String unitSuffix(GeometryAnalysis.Result r) {
        TreeSet<String> units = new TreeSet<>();
        r.groups().forEach(g -> units.add(unit(g)));
        return units.isEmpty() ? "" : " — unit: " + String.join(", ", units);
    }

    /** What a point and a trajectory's "time" are when the unit is a step (null for tokens). */
    static String unitMeaning(GeometryAnalysis.Result r) {
        String u = r.groups().stream().map(GeometryRenderer::unit).filter(x -> x.startsWith("step")).findFirst().orElse(null);
        if (u == null) {
            return null;
        }
        return "Unit " + u + ": one point per reasoning step (" + (u.contains("last") ? "the hidden state of its last token"
                : "the mean of its tokens' hidden states") + "); a trajectory is its sequence of steps, so alignment, tangling, step"
                + " cosine and oscillation coherence run over steps, the shuffled-steps null shuffles steps and the bootstrap resamples"
                + " whole trajectories of steps.";
    }

    // Activation-set groups: metrics per group and per domain, phase verdicts between consecutive sizes, plots per model and domain.

    /** Phases in a fixed order, so each has the same colour in every diagram. */
    static final List<String> PHASES = List.of("crystallization", "lattice", "liquid", "inconclusive");
    private static final int MAX_PCA_POINTS_PER_MODEL = 4_000;

    static String cell(GeometryAnalysis.Group g, String metric) {
        String v = TextTable.num(g.metric(metric));
        double[] ci = g.ci() == null ? null : g.ci().get(metric);
        if (metric.equals("silhouette") && g.k() != null) {
            v += " (k=" + g.k() + ")";
        }
        return ci == null ? v : v + " " + TextTable.interval(ci);
    }

    static List<String> header() {
        List<String> h = new ArrayList<>(List.of("group", "points", "trajectories"));
        h.addAll(GeometryAnalysis.metricNames());
        return h;
    }

    static List<List<String>> groupRows(List<GeometryAnalysis.Group> groups) {
        List<List<String>> rows = new ArrayList<>();
        for (GeometryAnalysis.Group g : groups) {
            List<String> row = new ArrayList<>(List.of(g.name(), Integer.toString(g.nPoints()), Integer.toString(g.trajectories())));
            for (String m : GeometryAnalysis.metricNames()) {
                row.add(cell(g, m));
            }
            rows.add(row);
        }
        return rows;
    }

    static final List<String> BASELINE_HEADER = List.of("group", "metric", "null", "value", "null mean", "Δ (×)", "z", "p");

    /** One row per group × metric × null model that tests it (metrics a null fixes by construction are left out: see the note). */
    static List<List<String>> baselineRows(List<GeometryAnalysis.Group> groups) {
        List<List<String>> rows = new ArrayList<>();
        for (GeometryAnalysis.Group g : groups) {
            for (String m : GeometryAnalysis.metricNames()) {
                for (Map.Entry<String, Map<String, GeometryAnalysis.Baseline>> e : g.baselines().entrySet()) {
                    GeometryAnalysis.Baseline b = e.getValue().get(m);
                    if (b != null && b.reason() == null) {
                        List<String> row = new ArrayList<>(List.of(g.name(), m, e.getKey(), TextTable.num(g.metric(m))));
                        row.addAll(baselineCells(b));
                        rows.add(row);
                    }
                }
            }
        }
        return rows;
    }

    static int nullReplicates(List<GeometryAnalysis.Group> groups) {
        return groups.stream().mapToInt(GeometryRenderer::nullReplicates).max().orElse(0);
    }

    static final List<String> COMPARISON_HEADER = List.of("domain", "from", "to", "phase", "participation_ratio Δ", "alignment Δ",
            "tangling Δ", "silhouette Δ", "reason");

    static List<List<String>> comparisonRows(List<PhaseVerdict.Comparison> comparisons) {
        Map<String, String> names = names(comparisons.stream().flatMap(c -> java.util.stream.Stream.of(c.from(), c.to())).toList());
        List<List<String>> rows = new ArrayList<>();
        for (PhaseVerdict.Comparison c : comparisons) {
            List<String> row = new ArrayList<>(List.of(c.domain() + (c.label() == null ? "" : " / " + c.label()), names.get(c.from()),
                    names.get(c.to()), c.phase()));
            for (String m : PhaseVerdict.CRITERIA) {
                PhaseVerdict.Change ch = c.changes().get(m);
                row.add(TextTable.num(ch.delta()) + " " + TextTable.interval(ch.ci()) + " " + ch.status());
            }
            row.add(c.reason());
            rows.add(row);
        }
        return rows;
    }

    static String groupsText(GeometryAnalysis.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("geometry of ").append(r.groups().size()).append(" group(s)").append(unitSuffix(r))
                .append("; values with 95 % bootstrap intervals over trajectories\n");
        String meaning = unitMeaning(r);
        if (meaning != null) {
            sb.append(meaning).append('\n');
        }
        sb.append(TextTable.render(header(), groupRows(r.groups()))).append('\n');
        List<List<String>> baselines = baselineRows(r.groups());
        if (!baselines.isEmpty()) {
            sb.append("null baselines\n").append(TextTable.render(BASELINE_HEADER, baselines)).append('\n');
            sb.append(nullNote(nullReplicates(r.groups()))).append('\n');
        }
        if (!r.comparisons().isEmpty()) {
            sb.append("phase verdicts (consecutive sizes per domain)\n");
            sb.append(TextTable.render(COMPARISON_HEADER, comparisonRows(r.comparisons()))).append('\n');
        }
        for (GeometryAnalysis.Group g : r.groups()) {
            for (Map.Entry<String, String> e : g.reasons().entrySet()) {
                sb.append(g.name()).append(": ").append(reasonLine(e.getKey(), e.getValue())).append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

    /** A reason as a text line: a metric's says it is null; a note (engine, steps, a sample, bootstrap) is the note. */
    static String reasonLine(String key, String reason) {
        return key + (GeometryAnalysis.metricNames().contains(key) ? ": null — " : " — ") + reason;
    }

    static void groupsSection(Report report, GeometryAnalysis.Result r, List<ActivationGroups.Input> inputs) {
        Map<String, String> names = names(r.groups().stream().map(GeometryAnalysis.Group::model).toList());
        if (!r.comparisons().isEmpty()) {
            report.heading("Phase verdicts" + unitSuffix(r));
            for (PhaseVerdict.Comparison c : r.comparisons()) {
                report.verdict(c.domain() + ": " + c.phase(), names.get(c.from()) + " → " + names.get(c.to()) + " — " + c.reason(),
                        !c.phase().equals("inconclusive"));
            }
            report.table(COMPARISON_HEADER, comparisonRows(r.comparisons()));
            report.plot("phase-diagram", phaseDiagram(r.comparisons()), phaseCaption(r.comparisons()));
        }
        report.heading("Metrics per domain" + unitSuffix(r));
        String meaning = unitMeaning(r);
        if (meaning != null) {
            report.text(meaning);
        }
        Map<String, List<GeometryAnalysis.Group>> byDomain = new LinkedHashMap<>();
        for (GeometryAnalysis.Group g : r.groups()) {
            byDomain.computeIfAbsent(g.domain() == null ? "all" : g.domain(), k -> new ArrayList<>()).add(g);
        }
        for (Map.Entry<String, List<GeometryAnalysis.Group>> e : byDomain.entrySet()) {
            List<GeometryAnalysis.Group> gs = new ArrayList<>(e.getValue());
            gs.sort(java.util.Comparator.comparingLong(g -> g.parameterCount() == null ? 0 : g.parameterCount()));
            List<String> h = new ArrayList<>(List.of("metric"));
            gs.forEach(g -> h.add(names.get(g.model()) + " (" + g.parameterCount() + " params)"));
            List<List<String>> rows = new ArrayList<>();
            for (String m : GeometryAnalysis.metricNames()) {
                List<String> row = new ArrayList<>(List.of(m));
                gs.forEach(g -> row.add(cell(g, m)));
                rows.add(row);
            }
            report.text("Domain " + e.getKey() + " (values with 95 % bootstrap intervals over trajectories):");
            report.table(h, rows);
        }
        List<List<String>> baselines = baselineRows(r.groups());
        if (!baselines.isEmpty()) {
            report.heading("Null baselines" + unitSuffix(r));
            report.text(nullNote(nullReplicates(r.groups())));
            report.table(BASELINE_HEADER, baselines);
        }
        List<List<String>> why = new ArrayList<>();
        for (GeometryAnalysis.Group g : r.groups()) {
            g.reasons().forEach((k, v) -> why.add(List.of(g.name(), k, v)));
        }
        if (!why.isEmpty()) {
            report.table(List.of("group", "not computed", "reason"), why);
        }
        report.heading("Scree plots" + unitSuffix(r));
        Plot scree = Plot.of("Scree plot", "component", "fraction of variance");
        for (GeometryAnalysis.Group g : r.groups()) {
            double[] f = g.explainedVariance();
            if (f.length > 0) {
                double[] k = new double[Math.min(20, f.length)];
                double[] y = new double[k.length];
                for (int i = 0; i < k.length; i++) {
                    k[i] = i + 1;
                    y[i] = f[i];
                }
                scree.line(g.model() == null ? g.name() : names.get(g.model()) + (g.domain() == null ? "" : " · " + g.domain())
                        + (g.label() == null ? "" : " · " + g.label()), k, y);
            }
        }
        report.plot("scree", scree, "Fraction of variance per principal component (first 20) of each group.");
        report.heading("PCA projections" + unitSuffix(r));
        Map<String, List<ActivationGroups.Input>> byModel = new LinkedHashMap<>();
        for (ActivationGroups.Input in : inputs) {
            byModel.computeIfAbsent(in.model(), k -> new ArrayList<>()).add(in);
        }
        int index = 0;
        for (Map.Entry<String, List<ActivationGroups.Input>> e : byModel.entrySet()) {
            Plot pca = pcaByDomain(e.getKey(), names.get(e.getKey()), e.getValue());
            if (pca != null) {
                report.plot("pca-" + index, pca, "Points of " + names.get(e.getKey()) + " (" + e.getKey() + ") on its first two principal components (fitted on all its groups), one colour per domain.");
            }
            index++;
        }
        report.heading("Tangling distributions" + unitSuffix(r));
        int plotIndex = 0;
        for (Map.Entry<String, List<GeometryAnalysis.Group>> e : byDomain.entrySet()) {
            Plot tangling = Plot.of("Tangling per trajectory — " + e.getKey(), "mean Q(t)", "trajectories");
            boolean any = false;
            for (GeometryAnalysis.Group g : e.getValue()) {
                if (g.tanglingPerTrajectory() != null) {
                    double[] q = g.tanglingPerTrajectory().stream().filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
                    if (q.length > 0) {
                        tangling.histogram(names.get(g.model()), q, Math.min(30, Math.max(5, q.length / 3)));
                        any = true;
                    }
                }
            }
            if (any) {
                report.plot("tangling-" + plotIndex, tangling, "Mean tangling Q(t) of each trajectory (Russo et al. 2018) in domain "
                        + e.getKey() + ", one histogram per model.");
            }
            plotIndex++;
        }
    }

    /**
     * Short names that still tell a report's models apart: each model's {@link #short_} name, reduced to the
     * '-'-separated parts of its last element that differ between the models when they all have the same
     * number of parts (a sweep's "demo-world/w32-d1-h4-lr0.003-…-seed0" and "demo-world/w64-d2-h4-lr0.003-…-seed0"
     * become "w32-d1" and "w64-d2"). Falls back to the short names when that would not keep them distinct.
     * Null models map to "—".
     */
    public static Map<String, String> names(List<String> models) {
        List<String> distinct = models.stream().filter(java.util.Objects::nonNull).distinct().toList();
        Map<String, String> out = new java.util.HashMap<>();
        out.put(null, "—");
        List<String[]> parts = new ArrayList<>();
        for (String m : distinct) {
            String s = short_(m);
            parts.add(s.substring(s.lastIndexOf('/') + 1).split("-", -1));
            out.put(m, s);
        }
        if (distinct.size() < 2 || parts.stream().anyMatch(p -> p.length != parts.get(0).length)) {
            return out;
        }
        int width = parts.get(0).length;
        boolean[] varies = new boolean[width];
        for (int j = 0; j < width; j++) {
            for (String[] p : parts) {
                varies[j] |= !p[j].equals(parts.get(0)[j]);
            }
        }
        Map<String, String> reduced = new java.util.HashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            List<String> kept = new ArrayList<>();
            for (int j = 0; j < width; j++) {
                if (varies[j]) {
                    kept.add(parts.get(i)[j]);
                }
            }
            reduced.put(distinct.get(i), String.join("-", kept));
        }
        if (new java.util.HashSet<>(reduced.values()).size() == distinct.size() && !reduced.containsValue("")) {
            out.putAll(reduced);
        }
        return out;
    }

    /** The last two path elements of a model folder: enough to tell models apart in a table. */
    static String short_(String model) {
        if (model == null) {
            return "—";
        }
        String[] parts = model.replace('\\', '/').split("/");
        // A training run's checkpoint (…/RUN/checkpoints/checkpoint-01500) is named by its run: the
        // last two components alone would give every run of a sweep the same label.
        int end = parts.length;
        while (end > 1 && parts[end - 1].matches("checkpoints?(-\\d+)?|init")) {
            end--;
        }
        return end <= 2 ? String.join("/", java.util.Arrays.copyOf(parts, end)) : parts[end - 2] + "/" + parts[end - 1];
    }

    /**
     * The phase diagram as a grid: one column per size step (smaller → larger model, by parameter
     * count), one row per domain, each cell coloured by its verdict (the same colour per verdict in
     * every report: empty series keep their palette slot).
     */
    static Plot phaseDiagram(List<PhaseVerdict.Comparison> comparisons) {
        List<String> domains = new ArrayList<>(new TreeSet<>(comparisons.stream().map(PhaseVerdict.Comparison::domain).toList()));
        List<long[]> steps = new ArrayList<>();
        for (PhaseVerdict.Comparison c : comparisons) {
            long[] step = {c.fromParameters(), c.toParameters()};
            if (steps.stream().noneMatch(s -> s[0] == step[0] && s[1] == step[1])) {
                steps.add(step);
            }
        }
        steps.sort(java.util.Comparator.comparingLong((long[] s) -> s[1]).thenComparingLong(s -> s[0]));
        String[] columns = steps.stream().map(s -> params(s[0]) + " → " + params(s[1])).toArray(String[]::new);
        Plot plot = Plot.of("Phase diagram: size × domain", "model size (parameters)", "domain")
                .categories(columns, domains.toArray(new String[0])).size(Math.max(520, 160 * columns.length), Math.max(320, 70 * domains.size() + 160));
        for (String phase : PHASES) {
            List<double[]> xy = new ArrayList<>();
            for (PhaseVerdict.Comparison c : comparisons) {
                if (c.phase().equals(phase)) {
                    int col = 0;
                    while (steps.get(col)[0] != c.fromParameters() || steps.get(col)[1] != c.toParameters()) {
                        col++;
                    }
                    xy.add(new double[] {col, domains.indexOf(c.domain())});
                }
            }
            plot.cells(phase, xy.stream().mapToDouble(p -> p[0]).toArray(), xy.stream().mapToDouble(p -> p[1]).toArray());
        }
        return plot;
    }

    /** 37792 → "37.8k", 2.6e11 → "260B". */
    static String params(long n) {
        if (n >= 1_000_000_000L) {
            return TextTable.num(n / 1e9) + "B";
        }
        if (n >= 1_000_000L) {
            return TextTable.num(n / 1e6) + "M";
        }
        if (n >= 1_000L) {
            return TextTable.num(n / 1e3) + "k";
        }
        return Long.toString(n);
    }

    static String phaseCaption(List<PhaseVerdict.Comparison> comparisons) {
        return "Each cell compares two consecutive model sizes in one domain; its colour is the verdict (crystallization, lattice, "
                + "liquid or inconclusive), backed by the 95 % bootstrap intervals in the table above.";
    }

    /** One model's groups projected together on their top two principal components, one series per domain (subsampled). */
    static Plot pcaByDomain(String model, String name, List<ActivationGroups.Input> groups) {
        int total = groups.stream().mapToInt(g -> g.points().size()).sum();
        if (total < 2) {
            return null;
        }
        int stride = Math.max(1, (total + MAX_PCA_POINTS_PER_MODEL - 1) / MAX_PCA_POINTS_PER_MODEL);
        int d = groups.get(0).points().dimension();
        if (d < 2) {
            return null;
        }
        List<float[]> rows = new ArrayList<>();
        List<String> domainOf = new ArrayList<>();
        for (ActivationGroups.Input g : groups) {
            PointSet p = g.points();
            for (int i = 0; i < p.size(); i += stride) {
                float[] row = new float[d];
                for (int j = 0; j < d; j++) {
                    row[j] = p.get(i, j);
                }
                rows.add(row);
                domainOf.add(g.domain() == null ? "all" : g.domain());
            }
        }
        if (rows.size() < 2) {
            return null;
        }
        double[][] pc = PcaProjection.of(PointSet.of(rows.toArray(new float[0][]), model), 2);
        Plot plot = Plot.of("PCA projection — " + name, "PC 1", "PC 2");
        Map<String, List<Integer>> series = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            series.computeIfAbsent(domainOf.get(i), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> e : series.entrySet()) {
            plot.points(e.getKey(), e.getValue().stream().mapToDouble(i -> pc[i][0]).toArray(),
                    e.getValue().stream().mapToDouble(i -> pc[i][1]).toArray());
        }
        return plot;
    }
}
