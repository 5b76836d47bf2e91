package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.report.TextTable;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;
import org.scalelab.store.StoredResult;

/**
 * What the Overview page draws ({@code GET /api/overview}): what the lab holds, its latest results, and
 * per model family a card "at a glance" — its fitted law with forecast, its scaling shape, its geometry
 * phase per domain, its capability phase and recommended intervention — each read from the newest saved
 * result of that kind that names the family (for the law: the newest Chinchilla or power fit, else the
 * newest other fit). Nothing is computed here: every line repeats a number or a
 * verdict a result record holds.
 *
 * <p>A result names a family when its query selects one ({@code WHERE family = 'F'}), when its record
 * lists families (a score table's), or when its models are a world's training runs
 * ({@code world-runs/EXPERIMENT/...}: the family is the experiment). A forecast from a saved fit
 * ({@code forecast --fit}) takes the family of the stored Chinchilla fit with the same parameters.
 * Results that name no family are shown under {@link #ALL_RUNS}.
 *
 * @param empty    true when the lab holds no runs, no training runs and no results
 * @param holdings counts of what the lab holds
 * @param latest   the newest results, newest first
 * @param families one card per family, the runs table's families first (most runs first)
 */
public record LabOverview(boolean empty, Holdings holdings, List<Latest> latest, List<FamilyCard> families) {
    /** The card of results that name no family. */
    public static final String ALL_RUNS = "all runs";
    /** How many latest results are listed. */
    static final int LATEST = 10;
    /** How many of the newest results of each kind are read to find each family's newest. */
    static final int READ_PER_KIND = 50;

    /** Counts: runs and imports, runs per family, training runs per experiment, results per analysis. */
    public record Holdings(long runs, long imports, Map<String, Long> runsByFamily, long trainingRuns,
            Map<String, Long> trainingRunsByExperiment, long results, Map<String, Long> resultsByAnalysis) {}

    /** A saved result, linking to its page. */
    public record Latest(long id, String analysis, String createdAt, String href) {}

    /**
     * One family at a glance.
     *
     * @param family   the family's name, or {@link #ALL_RUNS}
     * @param runs     its runs in the runs table (0 for a family only results name)
     * @param runsHref the runs page filtered to it, or null when it has no runs
     * @param items    law, forecast, shape, geometry, capability (only those with a result under "all runs")
     */
    public record FamilyCard(String family, long runs, String runsHref, List<Item> items) {}

    /**
     * One line of a card.
     *
     * @param kind     law, forecast, shape, geometry or capability
     * @param title    what the item shows
     * @param resultId the result it repeats, or null when there is none yet
     * @param analysis that result's analysis
     * @param href     its page, or null
     * @param lines    what it says, one sentence or verdict per line
     * @param hint     when there is no result yet: the command that makes one; else null
     */
    public record Item(String kind, String title, Long resultId, String analysis, String href, List<String> lines, String hint) {}

    /** The kinds of card items, in card order, with the analyses each reads and the hint when none exists. */
    private enum Kind {
        LAW("law", "fitted law"),
        FORECAST("forecast", "forecast"),
        SHAPE("shape", "scaling shape"),
        GEOMETRY("geometry", "geometry phase by domain"),
        CAPABILITY("capability", "capability phase");

        final String key;
        final String title;

        Kind(String key, String title) {
            this.key = key;
            this.title = title;
        }

        static Kind of(String analysis) {
            if (analysis.equals("fit.shape")) {
                return SHAPE;
            }
            if (analysis.startsWith("fit.")) {
                return LAW;
            }
            if (analysis.startsWith("forecast")) {
                return FORECAST;
            }
            if (analysis.equals("geometry")) {
                return GEOMETRY;
            }
            if (analysis.equals("phase.diagnose") || analysis.equals("phase.scores")) {
                return CAPABILITY;
            }
            return null;
        }

        String hint(String family) {
            String where = family == null ? "" : " WHERE family = '" + family.replace("'", "''") + "'";
            return switch (this) {
                case LAW -> "scalelab fit chinchilla --query \"SELECT params, tokens, loss FROM points" + where + "\"";
                case FORECAST -> "scalelab forecast --query \"SELECT params, tokens, loss FROM points" + where + "\" --compute 1e21,1e22";
                case SHAPE -> "scalelab fit shape --query \"SELECT params, METRIC FROM points" + where + "\" --y-col METRIC";
                case GEOMETRY -> "scalelab geometry --acts lab/activations/SMALL --acts lab/activations/LARGE --by domain --compare-sizes";
                case CAPABILITY -> "scalelab phase diagnose --set lab/activations/SMALL-phase --set lab/activations/LARGE-phase";
            };
        }
    }

    private static final Pattern QUERY_FAMILY = Pattern.compile("(?i)\\bfamily\\s*=\\s*'((?:[^']|'')*)'");
    private static final Pattern WORLD_RUN = Pattern.compile("world-runs/([^/]+)/");

    /** Reads what the overview shows from {@code store}. */
    public static LabOverview of(LabStore store) {
        LabStore.Contents c = store.contents();
        List<ResultSummary> all = store.listResults();
        Map<String, Long> byAnalysis = new java.util.TreeMap<>();
        all.forEach(r -> byAnalysis.merge(r.analysis(), 1L, Long::sum));
        Holdings holdings = new Holdings(c.runs(), c.imports(), c.runsByFamily(), c.trainingRuns(), c.trainingRunsByExperiment(),
                all.size(), byAnalysis);
        List<Latest> latest = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && latest.size() < LATEST; i--) {
            ResultSummary r = all.get(i);
            latest.add(new Latest(r.resultId(), r.analysis(), r.createdAt(), href(r.resultId())));
        }
        boolean empty = c.runs() == 0 && c.trainingRuns() == 0 && all.isEmpty();
        return new LabOverview(empty, holdings, latest, cards(store, c, all));
    }

    private static List<FamilyCard> cards(LabStore store, LabStore.Contents c, List<ResultSummary> all) {
        // The newest results of each kind, newest first, read whole.
        Map<Kind, List<StoredResult>> byKind = new LinkedHashMap<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            ResultSummary s = all.get(i);
            Kind k = Kind.of(s.analysis());
            if (k == null) {
                continue;
            }
            List<StoredResult> list = byKind.computeIfAbsent(k, x -> new ArrayList<>());
            if (list.size() < READ_PER_KIND) {
                list.add(store.loadResult(s.resultId()));
            }
        }
        List<StoredResult> fits = byKind.computeIfAbsent(Kind.LAW, k -> new ArrayList<>());
        // A card's law is a loss law (Chinchilla, power) when one names the family, the newest other fit otherwise.
        fits.sort(Comparator.comparingInt(r -> r.analysis().equals("fit.chinchilla") || r.analysis().equals("fit.power") ? 0 : 1));
        // Per family, per kind: the newest result naming it.
        Map<String, Map<Kind, StoredResult>> newest = new LinkedHashMap<>();
        for (Map.Entry<Kind, List<StoredResult>> e : byKind.entrySet()) {
            for (StoredResult r : e.getValue()) {
                Set<String> families = families(r, fits);
                for (String f : families.isEmpty() ? Set.of(ALL_RUNS) : families) {
                    newest.computeIfAbsent(f, x -> new LinkedHashMap<>()).putIfAbsent(e.getKey(), r);
                }
            }
        }
        List<String> order = new ArrayList<>();
        c.runsByFamily().entrySet().stream()
                .filter(e -> !e.getKey().isEmpty())
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> order.add(e.getKey()));
        newest.keySet().stream().filter(f -> !order.contains(f) && !f.equals(ALL_RUNS)).sorted().forEach(order::add);
        List<FamilyCard> cards = new ArrayList<>();
        for (String f : order) {
            long runs = c.runsByFamily().getOrDefault(f, 0L);
            List<Item> items = new ArrayList<>();
            for (Kind k : Kind.values()) {
                StoredResult r = newest.getOrDefault(f, Map.of()).get(k);
                items.add(r == null ? new Item(k.key, k.title, null, null, null, List.of(), k.hint(f)) : item(k, r, f));
            }
            cards.add(new FamilyCard(f, runs, runs > 0 ? "/runs?family=" + java.net.URLEncoder.encode(f, java.nio.charset.StandardCharsets.UTF_8) : null,
                    items));
        }
        Map<Kind, StoredResult> unnamed = newest.get(ALL_RUNS);
        if (unnamed != null) {
            List<Item> items = new ArrayList<>();
            for (Kind k : Kind.values()) {
                StoredResult r = unnamed.get(k);
                if (r != null) {
                    items.add(item(k, r, null));
                }
            }
            cards.add(new FamilyCard(ALL_RUNS, c.runs(), c.runs() > 0 ? "/runs" : null, items));
        }
        return cards;
    }

    /** The families result {@code r} names (see the class comment); empty when it names none. */
    static Set<String> families(StoredResult r, Collection<StoredResult> fits) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode in : r.inputs()) {
            String source = in.path("source").asText("");
            Matcher m = QUERY_FAMILY.matcher(source);
            while (m.find()) {
                out.add(m.group(1).replace("''", "'"));
            }
            worldExperiment(source, out);
        }
        JsonNode res = r.result();
        for (JsonNode f : res.path("families")) {
            if (f.path("family").isTextual()) {
                out.add(f.path("family").asText());
            }
        }
        for (JsonNode g : res.path("groups")) {
            worldExperiment(g.path("model").asText(""), out);
        }
        for (JsonNode g : res.path("models")) {
            worldExperiment(g.path("model").asText(""), out);
        }
        if (out.isEmpty() && r.analysis().startsWith("forecast") && res.path("params").isObject()) {
            for (StoredResult fit : fits) {
                if (fit.analysis().equals("fit.chinchilla") && res.path("params").equals(fit.result().path("params"))) {
                    out.addAll(families(fit, List.of()));
                    break;
                }
            }
        }
        return out;
    }

    private static void worldExperiment(String path, Set<String> out) {
        Matcher m = WORLD_RUN.matcher(path.replace('\\', '/'));
        if (m.find()) {
            out.add(m.group(1));
        }
    }

    private static Item item(Kind k, StoredResult r, String family) {
        JsonNode res = r.result();
        List<String> lines = switch (k) {
            case LAW -> lawLines(r.analysis(), res);
            case FORECAST -> forecastLines(res);
            case SHAPE -> shapeLines(res, r.options());
            case GEOMETRY -> geometryLines(res);
            case CAPABILITY -> r.analysis().equals("phase.scores") ? scoreLines(res, family) : diagnosisLines(res);
        };
        return new Item(k.key, k.title, r.resultId(), r.analysis(), href(r.resultId()), lines, null);
    }

    private static List<String> lawLines(String analysis, JsonNode res) {
        List<String> lines = new ArrayList<>();
        String status = res.path("status").asText("?");
        if (analysis.equals("fit.chinchilla")) {
            JsonNode p = res.path("params");
            lines.add("L(N, D) = E + A/N^α + B/D^β: " + status + ", " + res.path("n_points").asInt() + " runs");
            lines.add("E " + num(p.path("E")) + ci(res.path("ci95").path("E")) + ", α " + num(p.path("alpha")) + ci(res.path("ci95").path("alpha"))
                    + ", β " + num(p.path("beta")) + ci(res.path("ci95").path("beta")));
            JsonNode opt = res.path("compute_optimal");
            if (opt.isObject()) {
                lines.add("compute-optimal N_opt ∝ C^" + num(opt.path("a")) + ", D_opt ∝ C^" + num(opt.path("b")));
            }
        } else {
            lines.add(res.path("law").asText(analysis) + " law " + res.path("form").asText("") + ": " + status + ", "
                    + res.path("n_points").asInt() + " points");
            StringBuilder b = new StringBuilder();
            for (JsonNode p : res.path("parameters")) {
                b.append(b.length() == 0 ? "" : ", ").append(p.path("name").asText()).append(' ').append(num(p.path("value")))
                        .append(ci(p.path("ci95")));
            }
            if (b.length() > 0) {
                lines.add(b.toString());
            }
        }
        JsonNode bt = res.path("backtest");
        if (bt.path("status").asText("").equals("ran")) {
            lines.add("backtest on the largest " + bt.path("n_held_out").asInt() + ": mean relative error "
                    + String.format(Locale.ROOT, "%.1f%%", 100 * bt.path("mean_rel_error").asDouble()));
        }
        for (JsonNode f : res.path("forecasts")) {
            lines.add("forecast at x = " + num(f.path("x")) + ": " + num(f.path("y")) + ci(f.path("ci95")));
        }
        return lines;
    }

    private static List<String> forecastLines(JsonNode res) {
        List<String> lines = new ArrayList<>();
        JsonNode budgets = res.path("budgets");
        if (budgets.size() > 0) {
            JsonNode b = budgets.get(budgets.size() - 1);
            lines.add("at C = " + num(b.path("compute")) + " FLOP: N_opt " + estimate(b.path("params")) + ", D_opt " + estimate(b.path("tokens")));
            lines.add("loss " + estimate(b.path("loss")) + " (" + budgets.size() + " budget" + (budgets.size() == 1 ? "" : "s") + " in the result)");
        }
        for (JsonNode p : res.path("points")) {
            lines.add("N = " + num(p.path("params")) + ", D = " + num(p.path("tokens")) + ": loss " + estimate(p.path("loss")));
        }
        return lines;
    }

    private static List<String> shapeLines(JsonNode res, JsonNode options) {
        List<String> lines = new ArrayList<>();
        String shape = res.path("shape").asText("?");
        String what = options.path("y_col").asText("y") + " against " + options.path("x_col").asText("x");
        boolean turns = shape.equals("U") || shape.equals("inverted_U");
        lines.add(shape.replace('_', ' ') + (turns ? " (not monotone)" : "") + ": " + what + ", " + res.path("n_points").asInt() + " points");
        if (turns && res.path("turning_point").isObject()) {
            lines.add("turning point at " + num(res.path("turning_point").path("x")) + ci(res.path("turning_point").path("ci95"))
                    + ", p = " + num(res.path("p_value")));
        } else if (res.path("why").isTextual()) {
            lines.add(res.path("why").asText());
        }
        return lines;
    }

    private static List<String> geometryLines(JsonNode res) {
        // Per domain (and label), the phase of each step between consecutive sizes, smallest first.
        Map<String, List<String>> steps = new LinkedHashMap<>();
        for (JsonNode cmp : res.path("comparisons")) {
            String domain = cmp.path("domain").asText("all");
            if (cmp.path("label").isTextual()) {
                domain += " / " + cmp.path("label").asText();
            }
            steps.computeIfAbsent(domain, d -> new ArrayList<>()).add(cmp.path("phase").asText("?"));
        }
        List<String> lines = new ArrayList<>();
        steps.forEach((d, phases) -> lines.add(d + ": " + String.join(" → ", phases)));
        if (lines.isEmpty()) {
            lines.add(res.path("groups").size() + " groups measured; no comparison between sizes (run with --compare-sizes)");
        }
        return lines;
    }

    private static List<String> diagnosisLines(JsonNode res) {
        List<String> lines = new ArrayList<>();
        JsonNode models = res.path("models");
        List<JsonNode> list = new ArrayList<>();
        models.forEach(list::add);
        list.sort(Comparator.comparingLong(m -> m.path("parameter_count").asLong()));
        for (JsonNode m : list) {
            lines.add(shortModel(m.path("model").asText("?")) + " (" + num(m.path("parameter_count")) + "): "
                    + m.path("verdict").asText("?").toLowerCase(Locale.ROOT) + recommended(m));
        }
        if (!list.isEmpty()) {
            lines.add("largest: " + list.get(list.size() - 1).path("recommendation").asText(""));
        }
        String note = res.path("flip").path("note").asText("");
        if (!note.isEmpty()) {
            lines.add("across sizes: " + note);
        }
        return lines;
    }

    private static String recommended(JsonNode m) {
        JsonNode i = m.path("recommended");
        if (!i.isObject()) {
            return m.path("best_measured").isObject() ? "; nothing beats the control" : "; no intervention measured";
        }
        return "; steer " + i.path("steered").asText() + " at " + i.path("hook").asText() + " (α " + num(i.path("alpha")) + ")";
    }

    private static List<String> scoreLines(JsonNode res, String family) {
        List<String> lines = new ArrayList<>();
        String pair = res.path("a").asText("A") + " and " + res.path("b").asText("B");
        for (JsonNode f : res.path("families")) {
            if (family != null && !family.equals(f.path("family").asText())) {
                continue;
            }
            List<String> phases = new ArrayList<>();
            for (JsonNode s : f.path("steps")) {
                phases.add(s.path("phase").asText("?"));
            }
            lines.add(f.path("family").asText() + ", " + pair + " per size step: " + String.join(" → ", phases));
        }
        lines.add("no intervention measured on a score table: see scalelab phase diagnose");
        return lines;
    }

    private static String shortModel(String model) {
        String[] parts = model.replace('\\', '/').split("/");
        for (int i = parts.length - 1; i > 0; i--) {
            if (parts[i].equals("checkpoints")) {
                return parts[i - 1];
            }
        }
        return parts[parts.length - 1];
    }

    private static String estimate(JsonNode e) {
        return num(e.path("value")) + (e.path("lo").isNumber() ? " [" + num(e.path("lo")) + ", " + num(e.path("hi")) + "]" : "");
    }

    private static String ci(JsonNode interval) {
        return interval.isArray() && interval.size() == 2 && interval.get(0).isNumber()
                ? " [" + num(interval.get(0)) + ", " + num(interval.get(1)) + "]" : "";
    }

    private static String num(JsonNode v) {
        return v.isNumber() ? TextTable.num(v.asDouble()) : "—";
    }

    private static String href(long id) {
        return "/results/" + id;
    }
}
