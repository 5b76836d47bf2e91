package org.scalelab.world;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.dynamics.BinomialNull;
import org.scalelab.dynamics.Curve;
import org.scalelab.dynamics.Emergence;
import org.scalelab.dynamics.ScalingShape;
import org.scalelab.dynamics.SeedInterval;
import org.scalelab.dynamics.Transience;
import org.scalelab.io.Json;
import org.scalelab.laws.ShapeTest;
import org.scalelab.store.LabStore;

/**
 * Everything a sweep's curves say, read back from the lab store: per run its final and peak
 * accuracy on every evaluation set; per cell (width × depth, across seeds) the emergence step and
 * transience of each ability, and whether analogy emerges after composition; per axis (width at
 * each depth, depth at each width) the scaling shape of final and peak accuracy ({@link #SCALING}); and a
 * list of plain-language findings for the report.
 */
public final class WorldAnalysis {
    private WorldAnalysis() {}

    /** Held-out abilities whose transience is tested across all runs. */
    public static final List<String> HELD_OUT = List.of("compositional_near_ood", "compositional_far_ood", "analogical_ood", "truth_ood",
            "trajectory_ood");
    /** Abilities whose scaling in width and depth is tested: the held-out ones, and memorisation of trained facts. */
    public static final List<String> SCALING = List.of("atomic_id", "compositional_id", "compositional_near_ood", "compositional_far_ood",
            "analogical_ood", "truth_ood", "trajectory_ood");

    /**
     * @param nullTest level and replicates of every detector's test against its binomial null (also used
     *                 for the scaling calls)
     */
    public record Options(Emergence.Options emergence, Transience.Options transience, ShapeTest.Options shape, BinomialNull.Options nullTest) {
        public static Options defaults() {
            return new Options(Emergence.Options.defaults(), Transience.Options.defaults(), ShapeTest.Options.defaults(),
                    BinomialNull.Options.defaults());
        }
    }

    /**
     * One run: its shape, status and accuracy at the end and at its best, per evaluation set, and the
     * examples each set was measured on (from the world the run's settings generate, capped at the
     * run's examples per set; inferred from the values, conservatively, for runs stored without them).
     */
    public record RunSummary(String run, int width, int depth, long seed, String status, long parameters, long step, double seconds,
                             Map<String, Double> finalAccuracy, Map<String, Double> peakAccuracy, Map<String, Integer> examples) {}

    /** One width × depth cell across its seeds. */
    public record Cell(int width, int depth, int seeds, List<Emergence.Result> emergence, List<Transience.Result> transience,
                       Emergence.Order analogyAfterComposition) {}

    /**
     * @param pooled transience of each held-out ability with every run of the experiment as a replicate
     *               (whatever its size): an effect shared by all sizes shows here even when each cell has
     *               too few seeds or examples for its own interval
     */
    public record Result(String experiment, List<RunSummary> runs, List<Cell> cells, List<Transience.Result> pooled,
                         List<ScalingShape.Result> scaling, List<String> findings, Provenance provenance) {}

    /** Accuracy curves of a run by evaluation set (points whose value was not finite are left out). */
    public static Map<String, Curve> curves(LabStore store, String run) {
        Map<String, TreeMap<Long, Double>> by = new TreeMap<>();
        for (LabStore.CurvePoint p : store.curvePoints(run)) {
            if (p.metric().startsWith("accuracy.") && p.value() != null) {
                by.computeIfAbsent(p.metric().substring("accuracy.".length()), k -> new TreeMap<>()).put(p.step(), p.value());
            }
        }
        Map<String, Curve> out = new LinkedHashMap<>();
        by.forEach((set, pts) -> out.put(set, new Curve(run, pts.keySet().stream().mapToLong(Long::longValue).toArray(),
                pts.values().stream().mapToDouble(Double::doubleValue).toArray())));
        return out;
    }

    /** {@link #analyze(LabStore, String, Options, boolean)} refusing unfinished runs. */
    public static Result analyze(LabStore store, String experiment, Options o) {
        return analyze(store, experiment, o, false);
    }

    /**
     * The experiment's runs, cells, pooled transience and scaling shapes. A run still marked
     * "running" (its sweep was interrupted, or is still going) is refused unless
     * {@code allowIncomplete}; then its curves so far are analysed and the provenance lists it under
     * {@code incomplete_inputs}.
     */
    public static Result analyze(LabStore store, String experiment, Options o, boolean allowIncomplete) {
        List<LabStore.TrainingRun> rows = store.trainingRuns(experiment);
        if (rows.isEmpty()) {
            throw new InputException("experiment \"" + experiment + "\" has no runs in " + store.lab()
                    + "; run one with: scalelab world sweep --experiment " + experiment);
        }
        List<String> unfinished = rows.stream().filter(r -> "running".equals(r.status())).map(LabStore.TrainingRun::run).toList();
        if (!unfinished.isEmpty() && !allowIncomplete) {
            throw new org.scalelab.IncompleteInputException(store.lab(), "experiment \"" + experiment + "\" has " + unfinished.size()
                    + " unfinished run(s) " + org.scalelab.InputException.quote(unfinished) + " (a sweep interrupted or still going)",
                    "re-run the same scalelab world sweep command to finish them");
        }
        return analyze(store, experiment, rows, unfinished, "incomplete_inputs", o);
    }

    /**
     * The analysis of the runs of {@code experiment} that have ended (finished or diverged), leaving out
     * those still marked "running" (listed in the provenance under {@code running_left_out}): what a sweep
     * shows so far while it trains. An {@link InputException} when no run has ended yet.
     */
    public static Result analyzeEnded(LabStore store, String experiment, Options o) {
        List<LabStore.TrainingRun> all = store.trainingRuns(experiment);
        List<LabStore.TrainingRun> rows = all.stream().filter(r -> !"running".equals(r.status())).toList();
        List<String> running = all.stream().filter(r -> "running".equals(r.status())).map(LabStore.TrainingRun::run).toList();
        if (rows.isEmpty()) {
            throw new InputException("experiment \"" + experiment + "\" has no ended runs in " + store.lab() + " yet"
                    + (running.isEmpty() ? "; run one with: scalelab world sweep --experiment " + experiment : " (" + running.size() + " running)"));
        }
        return analyze(store, experiment, rows, running, "running_left_out", o);
    }

    private static Result analyze(LabStore store, String experiment, List<LabStore.TrainingRun> rows, List<String> unfinished,
                                  String unfinishedKey, Options o) {
        List<RunSummary> runs = new ArrayList<>();
        Map<String, Map<String, Curve>> curvesByRun = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> worldSizes = new LinkedHashMap<>();
        for (LabStore.TrainingRun r : rows) {
            JsonNode settings = settings(r);
            JsonNode spec = settings.path("spec");
            Map<String, Curve> c = curves(store, r.run());
            curvesByRun.put(r.run(), c);
            Map<String, Double> fin = new LinkedHashMap<>();
            Map<String, Double> peak = new LinkedHashMap<>();
            Map<String, Integer> examples = new LinkedHashMap<>();
            Map<String, Integer> sizes = evalSetSizes(r.run(), settings, worldSizes);
            c.forEach((set, curve) -> {
                fin.put(set, curve.last());
                peak.put(set, java.util.Arrays.stream(curve.values()).max().orElse(Double.NaN));
                examples.put(set, sizes.containsKey(set) ? sizes.get(set) : BinomialNull.inferExamples(curve.values(), 512));
            });
            runs.add(new RunSummary(r.run(), spec.path("width").asInt(), spec.path("depth").asInt(), spec.path("seed").asLong(), r.status(),
                    r.parameters(), r.step(), r.seconds(), fin, peak, examples));
        }
        Map<String, RunSummary> byRun = new LinkedHashMap<>();
        runs.forEach(r -> byRun.put(r.run(), r));
        Emergence.Options emergence = new Emergence.Options(o.emergence().threshold(), o.nullTest());
        Transience.Options transience = new Transience.Options(o.transience().threshold(), o.transience().tail(), o.nullTest());
        // Cells: runs sharing width and depth (seeds in seed order).
        TreeMap<String, List<RunSummary>> cellRuns = new TreeMap<>();
        for (RunSummary r : runs) {
            cellRuns.computeIfAbsent(String.format(Locale.ROOT, "%08d-%08d", r.width(), r.depth()), k -> new ArrayList<>()).add(r);
        }
        List<Cell> cells = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        for (List<RunSummary> cr : cellRuns.values()) {
            cr.sort(java.util.Comparator.comparingLong(RunSummary::seed));
            List<Emergence.Result> em = new ArrayList<>();
            List<Transience.Result> tr = new ArrayList<>();
            TreeSet<String> sets = new TreeSet<>();
            cr.forEach(r -> sets.addAll(curvesByRun.get(r.run()).keySet()));
            for (String set : sets) {
                List<Curve> cs = new ArrayList<>();
                List<Integer> ns = new ArrayList<>();
                for (RunSummary r : cr) {
                    Curve c = curvesByRun.get(r.run()).get(set);
                    if (c != null) {
                        cs.add(c);
                        ns.add(r.examples().get(set));
                    }
                }
                if (cs.isEmpty()) {
                    continue;
                }
                int n = ns.stream().mapToInt(Integer::intValue).min().orElseThrow();
                Emergence.Result e = Emergence.analyze(new Emergence.Input(set, cs, n), emergence);
                em.add(e);
                Transience.Result t = Transience.analyze(new Transience.Input(set, cs, ns.stream().mapToInt(Integer::intValue).toArray()),
                        transience);
                tr.add(t);
                String where = "width " + cr.get(0).width() + ", depth " + cr.get(0).depth() + " (" + cs.size() + " seed" + (cs.size() == 1 ? "" : "s")
                        + ", " + n + " examples)";
                if (!"not_transient".equals(t.verdict())) {
                    findings.add(String.format(Locale.ROOT, "%s is %s at %s: mean drop %.2f from its peak%s (peak at step ~%.0f); %s", set,
                            t.verdict().replace('_', ' '), where, t.drop().mean(), t.drop().describe("%.2f"), Math.pow(10, t.peakStepLog10().mean()),
                            against(t.test())));
                }
            }
            Emergence.Order order = null;
            List<Curve> ana = seedCurves(cr, curvesByRun, "analogical_ood");
            List<Curve> comp = seedCurves(cr, curvesByRun, "compositional_near_ood");
            if (ana != null && comp != null) {
                order = Emergence.order("analogical_ood", ana, cr.get(0).examples().get("analogical_ood"), "compositional_near_ood", comp,
                        cr.get(0).examples().get("compositional_near_ood"), emergence);
                if ("after".equals(order.verdict())) {
                    findings.add(String.format(Locale.ROOT, "analogical_ood emerges after compositional_near_ood at width %d, depth %d: "
                            + "%.2f decades later (mean over %d seeds)%s", cr.get(0).width(), cr.get(0).depth(), order.log10Delta().mean(),
                            order.log10Delta().n(), order.log10Delta().describe("%.2f")));
                }
            }
            cells.add(new Cell(cr.get(0).width(), cr.get(0).depth(), cr.size(), em, tr, order));
        }
        List<Transience.Result> pooled = new ArrayList<>();
        for (String set : HELD_OUT) {
            List<Curve> all = new ArrayList<>();
            List<Integer> ns = new ArrayList<>();
            curvesByRun.forEach((run, c) -> {
                if (c.containsKey(set)) {
                    all.add(c.get(set));
                    ns.add(byRun.get(run).examples().get(set));
                }
            });
            if (all.size() < 2) {
                continue;
            }
            Transience.Result t = Transience.analyze(
                    new Transience.Input(set + " (all runs)", all, ns.stream().mapToInt(Integer::intValue).toArray()), transience);
            pooled.add(t);
            if ("transient".equals(t.verdict())) {
                findings.add(0, String.format(Locale.ROOT, "%s is transient across all %d runs: mean drop %.2f from its peak%s, peak at step ~%.0f%s;"
                        + " %d of %d runs drop by more than %.2f and beyond their own null; %s", set, all.size(), t.drop().mean(),
                        t.drop().describe("%.2f"), Math.pow(10, t.peakStepLog10().mean()), ci(t.peakStepLog10().ci95() == null ? null
                                : List.of(Math.pow(10, t.peakStepLog10().ci95().get(0)), Math.pow(10, t.peakStepLog10().ci95().get(1)))),
                        t.transientSeeds(), all.size(), o.transience().threshold(), against(t.test())));
            }
        }
        List<ScalingShape.Result> scaling = new ArrayList<>();
        TreeSet<Integer> widths = new TreeSet<>();
        TreeSet<Integer> depths = new TreeSet<>();
        runs.forEach(r -> {
            widths.add(r.width());
            depths.add(r.depth());
        });
        for (String measure : List.of("final", "peak")) {
            for (String set : SCALING) {
                for (int d : depths) {
                    axis(scaling, findings, runs, curvesByRun, "width", measure, set, r -> r.depth() == d, RunSummary::width, "depth " + d, o);
                }
                for (int w : widths) {
                    axis(scaling, findings, runs, curvesByRun, "depth", measure, set, r -> r.width() == w, RunSummary::depth, "width " + w, o);
                }
            }
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("experiment", experiment);
        opts.put("emergence_threshold", o.emergence().threshold());
        opts.put("transience_threshold", o.transience().threshold());
        opts.put("transience_tail", o.transience().tail());
        opts.put("alpha", o.shape().alpha());
        opts.put("null_alpha", o.nullTest().alpha());
        opts.put("null_replicates", o.nullTest().replicates());
        opts.put("null_seed", o.nullTest().seed());
        if (!unfinished.isEmpty()) {
            opts.put(unfinishedKey, unfinished);
        }
        Provenance p = Provenance.of("world analysis", List.of(new Provenance.Input("lab " + store.lab() + " experiment " + experiment,
                Provenance.sha256(Json.write(runs)), runs.size())), opts, o.shape().seed());
        return new Result(experiment, runs, cells, pooled, scaling, findings, p);
    }

    private static List<Curve> seedCurves(List<RunSummary> cell, Map<String, Map<String, Curve>> curves, String set) {
        List<Curve> out = new ArrayList<>();
        for (RunSummary r : cell) {
            Curve c = curves.get(r.run()).get(set);
            if (c == null) {
                return null;
            }
            out.add(c);
        }
        return out;
    }

    private static void axis(List<ScalingShape.Result> out, List<String> findings, List<RunSummary> runs,
                             Map<String, Map<String, Curve>> curves, String axis, String measure,
                             String set, java.util.function.Predicate<RunSummary> keep, java.util.function.ToIntFunction<RunSummary> x,
                             String at, Options o) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<ScalingShape.Noise> noise = new ArrayList<>();
        for (RunSummary r : runs) {
            Map<String, Double> m = measure.equals("final") ? r.finalAccuracy() : r.peakAccuracy();
            if (keep.test(r) && m.get(set) != null && Double.isFinite(m.get(set))) {
                xs.add((double) x.applyAsInt(r));
                ys.add(m.get(set));
                noise.add(new ScalingShape.Noise(r.examples().get(set), measure.equals("final") ? 1 : curves.get(r.run()).get(set).size()));
            }
        }
        if (xs.stream().distinct().count() < 2) {
            return;
        }
        ScalingShape.Input in = new ScalingShape.Input(axis, measure + "_accuracy." + set + " at " + at,
                xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray(),
                noise.toArray(new ScalingShape.Noise[0]));
        ScalingShape.Result s = ScalingShape.analyze(in, new ScalingShape.Options(o.shape(), o.nullTest()));
        out.add(s);
        if (!"monotone".equals(s.verdict())) {
            findings.add(String.format(Locale.ROOT, "%s accuracy on %s vs %s at %s: %s (best %s %.0f%s); %s", measure, set, axis, at,
                    s.verdict().replace('_', ' '), axis, s.bestX(),
                    s.bestMinusLargest() == null ? "" : String.format(Locale.ROOT, ", best − largest%s", ci(s.bestMinusLargest())),
                    against(s.test()))
                    + (s.levels().stream().anyMatch(l -> l.value().n() < SeedInterval.MIN_SEEDS)
                            ? " (fewer than 3 seeds a size: seed-to-seed variation is not in this null)" : ""));
        }
    }

    /** "beyond the binomial null: 0.310 > 0.220 (p = 0.004, α = 0.05, 1000 simulations)". */
    static String against(BinomialNull.Test t) {
        String alpha = new java.math.BigDecimal(t.alpha()).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        return String.format(Locale.ROOT, "%s the binomial null: %.3f %s %.3f (p = %.3f, α = %s, %d simulations)",
                t.significant() ? "beyond" : "within", t.statistic(), t.significant() ? ">" : "≤", t.threshold(), t.pValue(), alpha,
                t.replicates());
    }

    private static String ci(List<Double> ci) {
        return ci == null ? "" : String.format(Locale.ROOT, " [95%% CI %.2f, %.2f]", ci.get(0), ci.get(1));
    }

    /**
     * Examples measured per evaluation set by a run: its world regenerated from the stored config (cheap,
     * and cached per config), each set capped at the run's examples per set. Empty when the run was
     * stored without its world.
     */
    private static Map<String, Integer> evalSetSizes(String run, JsonNode settings, Map<String, Map<String, Integer>> cache) {
        JsonNode config = settings.path("world");
        if (!config.isObject() || !settings.path("max_eval_per_set").isNumber()) {
            return Map.of();
        }
        int cap = settings.get("max_eval_per_set").asInt();
        String key = config + "|" + cap;
        Map<String, Integer> known = cache.get(key);
        if (known == null) {
            World w = WorldGenerator.generate(WorldFiles.config(java.nio.file.Path.of("run " + run), config));
            Map<String, Integer> sizes = new LinkedHashMap<>();
            w.evalSets().forEach((set, ex) -> sizes.put(set, Math.min(ex.size(), cap)));
            cache.put(key, sizes);
            known = sizes;
        }
        return known;
    }

    private static JsonNode settings(LabStore.TrainingRun r) {
        try {
            return Json.mapper().readTree(r.specJson());
        } catch (IOException e) {
            throw new InputException("run " + r.run() + ": its stored settings are not JSON: " + Json.problem(e));
        }
    }
}
