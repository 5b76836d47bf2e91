package org.scalelab.geometry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.scalelab.InputException;
import org.scalelab.stats.Quantiles;

/**
 * Phase verdicts between model sizes, per domain (after the "crystallisation / liquid /
 * lattice" reading of reasoning geometry across scale). For each domain the groups are ordered by
 * parameter count and each consecutive pair (smaller → larger) is compared. Each criterion metric's
 * change Δ = to − from has a 95 % percentile interval from the two groups' bootstrap replicates
 * (replicate r of one minus replicate r of the other; paired when both saw the same prompts). A
 * change is
 * <ul>
 *   <li>{@code rose} / {@code fell}: the interval excludes 0 on that side and |Δ| reaches the threshold;</li>
 *   <li>{@code stable}: the interval lies inside ±threshold (an equivalence test: no change of that size);</li>
 *   <li>{@code uncertain}: neither — the data cannot tell; {@code missing}: the metric or its interval is null.</li>
 * </ul>
 * Thresholds for participation ratio and tangling are relative to the smaller model's value; for
 * alignment and silhouette they are absolute. Verdicts, first match wins:
 * {@code crystallization} — participation ratio fell, alignment rose and tangling fell;
 * {@code lattice} — silhouette rose; {@code liquid} — all four stable; else {@code inconclusive},
 * with the reason naming the metrics that decided it.
 */
public final class PhaseVerdict {
    private PhaseVerdict() {}

    public static final List<String> CRITERIA = List.of("participation_ratio", "alignment", "tangling", "silhouette");

    /**
     * @param dimensionDrop relative fall of the participation ratio (0.1 = 10 %)
     * @param alignmentRise absolute rise of alignment (mean cosine)
     * @param tanglingDrop  relative fall of mean tangling
     * @param silhouetteRise absolute rise of the silhouette
     */
    public record Thresholds(double dimensionDrop, double alignmentRise, double tanglingDrop, double silhouetteRise) {
        public Thresholds {
            for (double v : new double[] {dimensionDrop, alignmentRise, tanglingDrop, silhouetteRise}) {
                if (!(v > 0)) {
                    throw new InputException("phase thresholds must be positive, got " + v);
                }
            }
            if (dimensionDrop >= 1 || tanglingDrop >= 1) {
                throw new InputException("relative drops must be below 1 (100 %), got " + dimensionDrop + ", " + tanglingDrop);
            }
        }

        public static Thresholds defaults() {
            return new Thresholds(0.10, 0.05, 0.10, 0.05);
        }

        /** The threshold of a metric in its own units, given the smaller model's value. */
        double absolute(String metric, double from) {
            return switch (metric) {
                case "participation_ratio" -> dimensionDrop * Math.abs(from);
                case "tangling" -> tanglingDrop * Math.abs(from);
                case "alignment" -> alignmentRise;
                case "silhouette" -> silhouetteRise;
                default -> Double.NaN;
            };
        }
    }

    /** One metric's change; {@code status} only for the criterion metrics. */
    public record Change(Double from, Double to, Double delta, double[] ci, String status) {}

    /** Two consecutive sizes in one domain (and label, when grouped by label). */
    public record Comparison(String domain, String label, String from, String to, long fromParameters, long toParameters, String phase,
                             String reason, Map<String, Change> changes) {}

    static List<Comparison> compare(List<GeometryAnalysis.Outcome> outcomes, Thresholds t) {
        Map<List<String>, List<GeometryAnalysis.Outcome>> byDomain = new LinkedHashMap<>();
        for (GeometryAnalysis.Outcome o : outcomes) {
            GeometryAnalysis.Group g = o.group();
            byDomain.computeIfAbsent(java.util.Arrays.asList(g.domain(), g.label()), k -> new ArrayList<>()).add(o);
        }
        List<Comparison> out = new ArrayList<>();
        for (List<GeometryAnalysis.Outcome> list : byDomain.values()) {
            list.sort(Comparator.comparingLong((GeometryAnalysis.Outcome o) -> o.group().parameterCount() == null ? 0 : o.group().parameterCount()));
            for (int i = 0; i + 1 < list.size(); i++) {
                out.add(compare(list.get(i), list.get(i + 1), t));
            }
        }
        return out;
    }

    static Comparison compare(GeometryAnalysis.Outcome a, GeometryAnalysis.Outcome b, Thresholds t) {
        Map<String, Change> changes = new LinkedHashMap<>();
        Map<String, String> status = new LinkedHashMap<>();
        for (String m : GeometryAnalysis.METRICS) {
            Double from = a.group().metric(m);
            Double to = b.group().metric(m);
            Double delta = from == null || to == null ? null : to - from;
            double[] ra = a.replicates().get(m);
            double[] rb = b.replicates().get(m);
            double[] ci = null;
            if (ra != null && rb != null && ra.length == rb.length) {
                double[] d = new double[ra.length];
                for (int r = 0; r < d.length; r++) {
                    d[r] = rb[r] - ra[r];
                }
                double[] iv = Quantiles.percentileInterval(d, 0.95);
                ci = Double.isFinite(iv[0]) ? iv : null;
            }
            String st = null;
            if (CRITERIA.contains(m)) {
                st = status(delta, ci, delta == null ? Double.NaN : t.absolute(m, from));
                status.put(m, st);
            }
            changes.put(m, new Change(from, to, delta, ci, st));
        }
        String phase;
        String reason;
        if ("fell".equals(status.get("participation_ratio")) && "rose".equals(status.get("alignment")) && "fell".equals(status.get("tangling"))) {
            phase = "crystallization";
            reason = "participation ratio fell, alignment rose and tangling fell beyond their thresholds";
        } else if ("rose".equals(status.get("silhouette"))) {
            phase = "lattice";
            reason = "silhouette rose beyond its threshold";
        } else if (status.values().stream().allMatch("stable"::equals)) {
            phase = "liquid";
            reason = "every criterion's interval lies within its threshold";
        } else {
            phase = "inconclusive";
            List<String> parts = new ArrayList<>();
            status.forEach((m, s) -> parts.add(m + " " + s));
            reason = String.join(", ", parts)
                    + (a.replicates().isEmpty() || b.replicates().isEmpty() ? " (no bootstrap intervals: give --bootstrap N with N ≥ 2)" : "");
        }
        GeometryAnalysis.Group ga = a.group();
        GeometryAnalysis.Group gb = b.group();
        return new Comparison(ga.domain() == null ? "all" : ga.domain(), ga.label(), Objects.requireNonNullElse(ga.model(), ga.name()),
                Objects.requireNonNullElse(gb.model(), gb.name()), ga.parameterCount() == null ? 0 : ga.parameterCount(),
                gb.parameterCount() == null ? 0 : gb.parameterCount(), phase, reason, changes);
    }

    /** rose / fell / stable / uncertain / missing (see the class comment). */
    static String status(Double delta, double[] ci, double threshold) {
        if (delta == null || ci == null || !Double.isFinite(threshold)) {
            return "missing";
        }
        if (ci[0] > 0 && delta >= threshold) {
            return "rose";
        }
        if (ci[1] < 0 && -delta >= threshold) {
            return "fell";
        }
        if (ci[0] > -threshold && ci[1] < threshold) {
            return "stable";
        }
        return "uncertain";
    }
}
