package org.scalelab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.geometry.ThoughtCost;

/**
 * The cost of thought: the one-sentence answer, per model size and domain its sentence and the table of
 * associations (Spearman ρ, partial ρ, intervals, n, or why not), and a scatter of cost against each
 * geometry measure per model, coloured by domain. {@link #csv} is the per-trajectory table users take to
 * their own tools.
 */
public final class ThoughtCostRenderer implements Renderer<ThoughtCost.Result> {
    static final List<String> HEADER = List.of("cost with", "given", "ρ", "95% CI", "claim CI", "n", "note");

    /** The CSV columns, one row per trajectory. */
    public static final List<String> CSV_HEADER = List.of("id", "model", "parameter_count", "domain", "difficulty", "tokens", "steps", "flops",
            "tangling", "step_cosine", "alignment");

    @Override
    public String text(ThoughtCost.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("The cost of thought in ").append(r.cost()).append(" (points: ").append(r.unit()).append(", ")
                .append(r.trajectories().size()).append(" trajectories)\n");
        for (ThoughtCost.GroupResult g : r.groups()) {
            sb.append('\n').append(g.name()).append(" — ").append(g.trajectories()).append(" trajectories\n");
            sb.append(TextTable.render(HEADER, rows(g))).append('\n');
            sb.append("  ").append(g.answer()).append('\n');
            g.notes().forEach(n -> sb.append("  note: ").append(n).append('\n'));
        }
        sb.append('\n').append(r.answer());
        return sb.toString().stripTrailing();
    }

    @Override
    public void section(Report report, ThoughtCost.Result r) {
        report.heading("The cost of thought (" + r.cost() + ", points: " + r.unit() + ")");
        report.verdict("answer", r.answer(), claims(r));
        report.text("Cost is counted in " + r.cost() + ". Each trajectory's geometry is its own: mean tangling over its times (compared "
                + "with every time of its group), mean cosine of consecutive steps, and the cosine of its displacement (last − first) "
                + "with the mean direction of the other trajectories of its group. ρ is Spearman's rank correlation; \"given\" is the "
                + "partial rank correlation holding the other variable fixed. Intervals are percentile bootstrap intervals over "
                + "trajectories; the claim interval of a measure given difficulty is Bonferroni-widened over the measures compared.");
        Map<Long, Map<String, List<ThoughtCost.Row>>> bySize = new LinkedHashMap<>();
        for (ThoughtCost.Row row : r.trajectories()) {
            bySize.computeIfAbsent(row.parameterCount(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(row.domain() == null ? "(none)" : row.domain(), k -> new ArrayList<>()).add(row);
        }
        int figure = 0;
        for (Map.Entry<Long, Map<String, List<ThoughtCost.Row>>> size : bySize.entrySet()) {
            for (String measure : ThoughtCost.MEASURES) {
                Plot p = Plot.of("cost against " + measure.replace('_', ' ') + " — " + size.getKey() + " parameters",
                        measure.replace('_', ' '), r.cost());
                int drawn = 0;
                for (Map.Entry<String, List<ThoughtCost.Row>> domain : size.getValue().entrySet()) {
                    List<double[]> xy = new ArrayList<>();
                    for (ThoughtCost.Row row : domain.getValue()) {
                        Double x = value(row, measure);
                        Double y = row.cost(ThoughtCost.Cost.parse(r.cost()));
                        if (x != null && y != null) {
                            xy.add(new double[] {x, y});
                        }
                    }
                    if (!xy.isEmpty()) {
                        p.points(domain.getKey(), xy.stream().mapToDouble(v -> v[0]).toArray(), xy.stream().mapToDouble(v -> v[1]).toArray());
                        drawn += xy.size();
                    }
                }
                if (drawn > 0) {
                    report.plot("cost-" + measure.replace('_', '-') + "-" + figure, p, "Each trajectory's cost against its "
                            + measure.replace('_', ' ') + ", models of " + size.getKey() + " parameters, one colour per domain.");
                }
            }
            figure++;
        }
        for (ThoughtCost.GroupResult g : r.groups()) {
            report.heading(g.name() + " (" + g.trajectories() + " trajectories, points: " + r.unit() + ")");
            report.verdict(verdictLabel(g.verdict()), g.answer(), g.verdict() != ThoughtCost.Verdict.CANNOT_SAY);
            report.table(HEADER, rows(g));
            g.notes().forEach(n -> report.text("Note: " + n));
        }
    }

    private static boolean claims(ThoughtCost.Result r) {
        return r.groups().stream().anyMatch(g -> g.verdict() != ThoughtCost.Verdict.CANNOT_SAY);
    }

    private static String verdictLabel(ThoughtCost.Verdict v) {
        return switch (v) {
            case GEOMETRY -> "geometry";
            case DIFFICULTY -> "difficulty";
            case BOTH -> "both";
            case CANNOT_SAY -> "cannot say";
        };
    }

    private static Double value(ThoughtCost.Row row, String measure) {
        return switch (measure) {
            case "tangling" -> row.tangling();
            case "step_cosine" -> row.stepCosine();
            case "alignment" -> row.alignment();
            default -> throw new IllegalArgumentException(measure);
        };
    }

    static List<List<String>> rows(ThoughtCost.GroupResult g) {
        List<List<String>> rows = new ArrayList<>();
        for (ThoughtCost.Association a : g.associations()) {
            boolean family = a.familyCi() != null && a.ci() != null && !java.util.Arrays.equals(a.familyCi(), a.ci());
            rows.add(List.of(a.with().replace('_', ' '), a.given() == null ? "" : a.given().replace('_', ' '), TextTable.num(a.rho()),
                    TextTable.interval(a.ci()), family ? TextTable.interval(a.familyCi()) : "", Integer.toString(a.n()),
                    a.reason() == null ? "" : a.reason()));
        }
        return rows;
    }

    /** The per-trajectory rows as CSV (RFC 4180 quoting; an absent value is an empty field; numbers in full precision). */
    public static String csv(ThoughtCost.Result r) {
        StringBuilder sb = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
        for (ThoughtCost.Row row : r.trajectories()) {
            List<String> f = List.of(field(row.id()), field(row.model()), Long.toString(row.parameterCount()), field(row.domain()),
                    number(row.difficulty()), Integer.toString(row.tokens()), Integer.toString(row.steps()), number(row.flops()),
                    number(row.tangling()), number(row.stepCosine()), number(row.alignment()));
            sb.append(String.join(",", f)).append('\n');
        }
        return sb.toString();
    }

    private static String number(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    private static String field(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
