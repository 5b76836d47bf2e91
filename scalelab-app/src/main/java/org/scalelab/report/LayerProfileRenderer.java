package org.scalelab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.LayerProfile;

/**
 * Text and HTML report of a layer profile: per metric a profile over relative depth (one line per
 * model size and domain, its 95 % bootstrap interval as a band and its null model's mean ± 2 sd as a
 * dashed band), the phase verdicts per layer and domain between consecutive sizes, and linear CKA
 * between consecutive layers and between sizes at matched relative depth.
 */
public final class LayerProfileRenderer implements Renderer<LayerProfile.Result> {
    /** Metrics drawn as profiles (d90/d95 follow the participation ratio and are in the tables). */
    static final List<String> PROFILED = List.of("participation_ratio", "twonn", "alignment", "tangling", "step_cosine", "silhouette");

    static final List<String> LAYER_HEADER = List.of("model", "domain", "hook", "depth", "points", "participation_ratio", "twonn", "alignment",
            "tangling", "step_cosine", "silhouette");

    static final List<String> VERDICT_HEADER = List.of("domain", "from", "layer", "to", "layer", "phase", "participation_ratio Δ",
            "alignment Δ", "tangling Δ", "silhouette Δ", "reason");

    static final List<String> CKA_HEADER = List.of("kind", "domain", "from", "layer", "to", "layer", "CKA", "points", "reason");

    @Override
    public String text(LayerProfile.Result r) {
        StringBuilder sb = new StringBuilder();
        Map<String, String> names = names(r);
        sb.append("geometry of ").append(r.layers().size()).append(" layer(s) (hooks ").append(r.provenance().options().get("hooks"))
                .append(unitNote(r).replace(" — ", "; "))
                .append("); depth = layer / (n_layers − 1); values with 95 % bootstrap intervals over trajectories\n");
        sb.append(TextTable.render(LAYER_HEADER, layerRows(r, names))).append('\n');
        if (!r.comparisons().isEmpty()) {
            sb.append("phase verdicts per layer (consecutive sizes per domain, matched at the nearest relative depth)\n");
            sb.append(TextTable.render(VERDICT_HEADER, verdictRows(r, names))).append('\n');
        }
        if (!r.cka().isEmpty()) {
            sb.append("linear CKA\n").append(TextTable.render(CKA_HEADER, ckaRows(r, names))).append('\n');
        }
        for (String why : r.reasons()) {
            sb.append("left out: ").append(why).append('\n');
        }
        for (LayerProfile.Layer l : r.layers()) {
            for (GeometryAnalysis.Group g : l.groups()) {
                for (Map.Entry<String, String> e : g.reasons().entrySet()) {
                    sb.append(g.name()).append(" at ").append(l.hook()).append(": ").append(e.getKey()).append(": null — ").append(e.getValue()).append('\n');
                }
            }
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public void section(Report report, LayerProfile.Result r) {
        Map<String, String> names = names(r);
        report.heading("Every layer at once" + unitNote(r));
        report.text("Each metric at every layer the hooks " + r.provenance().options().get("hooks") + " name, read in one pass over the "
                + "activation sets. Relative depth = layer / (n_layers − 1): 0 is the first block, 1 the last, so models of different "
                + "depths meet at the same x. Bands: 95 % bootstrap interval over trajectories (shaded) and the null model's mean ± 2 sd (dashed).");
        for (String metric : PROFILED) {
            Plot p = profile(r, metric, names);
            if (p != null) {
                report.plot("layers-" + metric.replace('_', '-'), p, caption(metric));
            }
        }
        if (!r.comparisons().isEmpty()) {
            report.heading("Phase verdicts per layer" + unitNote(r));
            report.text("Each layer of the smaller model against the larger model's layer at the nearest relative depth, per domain; "
                    + "verdicts and thresholds as for one hook (crystallization, lattice, liquid or inconclusive).");
            report.table(VERDICT_HEADER, verdictRows(r, names));
        }
        if (!r.cka().isEmpty()) {
            report.heading("Linear CKA" + unitNote(r));
            Plot consecutive = ckaPlot(r, LayerProfile.CONSECUTIVE, "CKA between consecutive layers", names);
            if (consecutive != null) {
                report.plot("layers-cka-consecutive", consecutive, "Linear CKA (Kornblith et al. 2019) between each layer and the next "
                        + "profiled layer of the same model, at the first layer's relative depth: near 1 where depth changes the representation little.");
            }
            Plot across = ckaPlot(r, LayerProfile.ACROSS_SIZES, "CKA between sizes at matched relative depth", names);
            if (across != null) {
                report.plot("layers-cka-sizes", across, "Linear CKA between each layer of a smaller model and the larger model's layer at the "
                        + "nearest relative depth, on the tokens both saw (same trajectory id and token count).");
            }
            report.table(CKA_HEADER, ckaRows(r, names));
        }
        report.heading("Metrics per layer" + unitNote(r));
        report.table(LAYER_HEADER, layerRows(r, names));
        List<List<String>> why = new ArrayList<>();
        r.reasons().forEach(s -> why.add(List.of("(profile)", "left out", s)));
        for (LayerProfile.Layer l : r.layers()) {
            for (GeometryAnalysis.Group g : l.groups()) {
                g.reasons().forEach((k, v) -> why.add(List.of(g.name() + " at " + l.hook(), k, v)));
            }
        }
        if (!why.isEmpty()) {
            report.table(List.of("group", "not computed", "reason"), why);
        }
    }

    /** " — points: token" or " — points: step (mean)", as the groups name their unit. */
    static String unitNote(LayerProfile.Result r) {
        String unit = r.layers().isEmpty() || r.layers().get(0).groups().isEmpty() ? null : r.layers().get(0).groups().get(0).unit();
        return unit == null ? "" : " — points: " + unit;
    }

    static String caption(String metric) {
        return metric + " at each layer (x: relative depth), one line per model size and domain; shaded: 95 % bootstrap interval "
                + "over trajectories; dashed: the null model's mean ± 2 sd (" + nullFor(metric) + " null).";
    }

    /** The null drawn beside a metric: the Gaussian one, unless it reproduces the metric by construction. */
    static String nullFor(String metric) {
        return switch (metric) {
            case "participation_ratio", "d90", "d95" -> GeometryAnalysis.SHUFFLED_STEPS;
            default -> GeometryAnalysis.GAUSSIAN;
        };
    }

    /** Short model names, as the one-hook report gives them. */
    static Map<String, String> names(LayerProfile.Result r) {
        List<String> models = new ArrayList<>();
        r.layers().forEach(l -> models.add(l.model()));
        return GeometryRenderer.names(models);
    }

    /** A series' name: model (size) and domain/label when grouped by them. */
    static String series(Map<String, String> names, String model, long params, String domain, String label) {
        return names.getOrDefault(model, String.valueOf(model)) + " (" + GeometryRenderer.params(params) + ")" + (domain == null ? "" : " · " + domain)
                + (label == null ? "" : " · " + label);
    }

    /** One metric over relative depth: value, bootstrap band and null band per model × domain (null when nothing to draw). */
    static Plot profile(LayerProfile.Result r, String metric, Map<String, String> names) {
        Map<String, List<Object[]>> bySeries = new LinkedHashMap<>();
        for (LayerProfile.Layer l : r.layers()) {
            for (GeometryAnalysis.Group g : l.groups()) {
                bySeries.computeIfAbsent(series(names, l.model(), l.parameterCount(), g.domain(), g.label()), k -> new ArrayList<>())
                        .add(new Object[] {l.relativeDepth(), g});
            }
        }
        Plot plot = Plot.of(metric + " by layer", "relative depth (layer / (n_layers − 1))", metric);
        boolean any = false;
        for (Map.Entry<String, List<Object[]>> e : bySeries.entrySet()) {
            List<double[]> value = new ArrayList<>();
            List<double[]> ci = new ArrayList<>();
            List<double[]> nul = new ArrayList<>();
            for (Object[] point : e.getValue()) {
                double x = (Double) point[0];
                GeometryAnalysis.Group g = (GeometryAnalysis.Group) point[1];
                Double v = g.metric(metric);
                if (v == null) {
                    continue;
                }
                value.add(new double[] {x, v});
                double[] iv = g.ci() == null ? null : g.ci().get(metric);
                if (iv != null) {
                    ci.add(new double[] {x, v, iv[0], iv[1]});
                }
                GeometryAnalysis.Baseline b = g.baselines().getOrDefault(nullFor(metric), Map.of()).get(metric);
                if (b != null && b.mean() != null && b.sd() != null) {
                    nul.add(new double[] {x, b.mean(), b.mean() - 2 * b.sd(), b.mean() + 2 * b.sd()});
                }
            }
            if (value.isEmpty()) {
                continue;
            }
            any = true;
            plot.line(e.getKey(), column(value, 0), column(value, 1));
            if (!ci.isEmpty()) {
                plot.band(e.getKey() + " · 95 % CI", column(ci, 0), column(ci, 1), column(ci, 2), column(ci, 3));
            }
            if (!nul.isEmpty()) {
                plot.dashed(e.getKey() + " · null mean", column(nul, 0), column(nul, 1));
                plot.band(e.getKey() + " · null ± 2 sd", column(nul, 0), column(nul, 1), column(nul, 2), column(nul, 3));
            }
        }
        return any ? plot : null;
    }

    static Plot ckaPlot(LayerProfile.Result r, String kind, String title, Map<String, String> names) {
        Map<String, List<double[]>> bySeries = new LinkedHashMap<>();
        for (LayerProfile.Cka c : r.cka()) {
            if (!c.kind().equals(kind) || c.value() == null) {
                continue;
            }
            String name = series(names, c.fromModel(), c.fromParameters(), c.domain(), c.label());
            if (kind.equals(LayerProfile.ACROSS_SIZES)) {
                name += " → " + names.getOrDefault(c.toModel(), c.toModel()) + " (" + GeometryRenderer.params(c.toParameters()) + ")";
            }
            bySeries.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {c.fromDepth(), c.value()});
        }
        if (bySeries.isEmpty()) {
            return null;
        }
        Plot plot = Plot.of(title, "relative depth of the first layer", "linear CKA");
        bySeries.forEach((name, xy) -> plot.line(name, column(xy, 0), column(xy, 1)));
        return plot;
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(row -> row[c]).toArray();
    }

    static List<List<String>> layerRows(LayerProfile.Result r, Map<String, String> names) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerProfile.Layer l : r.layers()) {
            for (GeometryAnalysis.Group g : l.groups()) {
                List<String> row = new ArrayList<>(List.of(names.getOrDefault(l.model(), String.valueOf(l.model())),
                        g.domain() == null ? "all" : g.domain(), l.hook(), TextTable.num(l.relativeDepth()), Integer.toString(g.nPoints())));
                for (String m : LAYER_HEADER.subList(5, LAYER_HEADER.size())) {
                    row.add(GeometryRenderer.cell(g, m));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    static List<List<String>> verdictRows(LayerProfile.Result r, Map<String, String> names) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerProfile.Comparison c : r.comparisons()) {
            var v = c.verdict();
            List<String> row = new ArrayList<>(List.of(v.domain(), names.getOrDefault(v.from(), v.from()),
                    c.fromLayer() + " (" + TextTable.num(c.fromDepth()) + ")", names.getOrDefault(v.to(), v.to()),
                    c.toLayer() + " (" + TextTable.num(c.toDepth()) + ")", v.phase()));
            for (String m : List.of("participation_ratio", "alignment", "tangling", "silhouette")) {
                var ch = v.changes().get(m);
                row.add(ch == null ? "—" : TextTable.num(ch.delta()) + " " + TextTable.interval(ch.ci()) + (ch.status() == null ? "" : " " + ch.status()));
            }
            row.add(v.reason());
            rows.add(row);
        }
        return rows;
    }

    static List<List<String>> ckaRows(LayerProfile.Result r, Map<String, String> names) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerProfile.Cka c : r.cka()) {
            rows.add(List.of(c.kind().replace('_', ' '), c.domain() == null ? "all" : c.domain(), names.getOrDefault(c.fromModel(), c.fromModel()),
                    c.fromLayer() + " (" + TextTable.num(c.fromDepth()) + ")", names.getOrDefault(c.toModel(), c.toModel()),
                    c.toLayer() + " (" + TextTable.num(c.toDepth()) + ")", TextTable.num(c.value()), Integer.toString(c.points()),
                    c.reason() == null ? "" : c.reason()));
        }
        return rows;
    }
}
