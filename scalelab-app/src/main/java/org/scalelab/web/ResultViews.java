package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.scalelab.eval.EvalComparison;
import org.scalelab.eval.EvalResult;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.LayerProfile;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.ThoughtCost;
import org.scalelab.interp.Lens;
import org.scalelab.interp.Patching;
import org.scalelab.interp.SteeringSweep;
import org.scalelab.io.Json;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.ComputeOptimal;
import org.scalelab.laws.CoverageCurve;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.LawFits;
import org.scalelab.laws.MajorityVote;
import org.scalelab.laws.PassAtK;
import org.scalelab.laws.Reliability;
import org.scalelab.laws.SamplingBudget;
import org.scalelab.laws.ShapeTest;
import org.scalelab.phase.CapabilityCoupling;
import org.scalelab.phase.CapabilityDirections;
import org.scalelab.phase.PhaseDiagnosis;
import org.scalelab.phase.ScoreCoupling;
import org.scalelab.report.ChinchillaRenderer;
import org.scalelab.report.CoverageRenderer;
import org.scalelab.report.CurveFitRenderer;
import org.scalelab.report.EvalComparisonRenderer;
import org.scalelab.report.EvalRenderer;
import org.scalelab.report.ForecastRenderer;
import org.scalelab.report.GeometryRenderer;
import org.scalelab.report.LayerProfileRenderer;
import org.scalelab.report.LensRenderer;
import org.scalelab.report.MajorityVoteRenderer;
import org.scalelab.report.PassAtKRenderer;
import org.scalelab.report.PatchingRenderer;
import org.scalelab.report.PhaseCouplingRenderer;
import org.scalelab.report.PhaseDiagnoseRenderer;
import org.scalelab.report.PhaseDirectionsRenderer;
import org.scalelab.report.PhaseScoresRenderer;
import org.scalelab.report.PhaseSteerRenderer;
import org.scalelab.report.ReliabilityRequirementsRenderer;
import org.scalelab.report.ReliabilityTableRenderer;
import org.scalelab.report.Report;
import org.scalelab.report.SamplingBudgetRenderer;
import org.scalelab.report.ShapeRenderer;
import org.scalelab.report.ThoughtCostRenderer;
import org.scalelab.report.WorldReportRenderer;
import org.scalelab.store.StoredResult;
import org.scalelab.world.WorldAnalysis;

/**
 * A saved result as its report shows it: analysis name → record class and the renderer the command line
 * used for it. The stored JSON is read back into its record and rendered into a {@link Report} by the same
 * renderer, so the page and {@code --out} show the same tables, verdicts and plots. Where a renderer needs
 * inputs the record does not keep, they are taken from the lab when it provably still holds them (a fit's
 * input unchanged, see {@link SavedInput}; a sweep's curves in the store); otherwise, and for what the lab
 * cannot give (the activations behind a PCA plot), the view shows what the record allows and says in a
 * text block what is missing and why. An analysis not
 * registered here, or a record that cannot be read, is shown as its JSON; a view never fails.
 */
public final class ResultViews {
    /** How one analysis is rendered: its record class, its section, and what the record lacks for a full report. */
    private record Entry<R>(Class<R> type, BiConsumer<Report, Context<R>> section, String missing) {}

    /** A record with the stored row it came from (for the options its provenance kept). */
    private record Context<R>(R result, StoredResult stored, SavedInput.Lab lab) {
        String option(String name, String otherwise) {
            JsonNode v = stored.options() == null ? null : stored.options().get(name);
            return v == null || v.isNull() ? otherwise : v.asText();
        }
    }

    private static final Map<String, Entry<?>> ENTRIES = new LinkedHashMap<>();

    private static <R> void add(String analysis, Class<R> type, BiConsumer<Report, Context<R>> section, String missing) {
        ENTRIES.put(analysis, new Entry<>(type, section, missing));
    }

    private static final String WORLD_CURVES = "the accuracy curves and alignment plots are drawn from the sweep's training logs, "
            + "which the saved record does not keep; `scalelab world report --out DIR` draws them";

    private static final String FIT_POINTS = "the plots of data and fit, residuals and bootstrap replicates need the fitted points "
            + "and the fitted curve, which the saved record does not keep; `--out DIR` on the fit command draws them";

    static {
        add("testtime.passk", PassAtK.Result.class, (rep, c) -> new PassAtKRenderer().section(rep, c.result()), null);
        add("testtime.coverage", CoverageCurve.Result.class, (rep, c) -> new CoverageRenderer().section(rep, c.result()), null);
        add("testtime.majority", MajorityVote.Result.class, (rep, c) -> new MajorityVoteRenderer().section(rep, c.result()), null);
        add("testtime.budget", SamplingBudget.Result.class, (rep, c) -> new SamplingBudgetRenderer().section(rep, c.result()), null);
        // the grid the command was given is the grid of the table's rows
        add("reliability.table", Reliability.Table.class, (rep, c) -> new ReliabilityTableRenderer(
                c.result().rows().stream().mapToDouble(Reliability.Row::p).distinct().toArray(),
                c.result().rows().stream().mapToLong(Reliability.Row::steps).distinct().toArray()).section(rep, c.result()), null);
        add("reliability.requirement", Reliability.Requirements.class, (rep, c) -> new ReliabilityRequirementsRenderer(
                c.result().rows().stream().mapToDouble(Reliability.Requirement::target).distinct().toArray(),
                c.result().rows().stream().mapToLong(Reliability.Requirement::steps).distinct().toArray()).section(rep, c.result()), null);
        add("geometry", GeometryAnalysis.Result.class, ResultViews::geometry, null);
        add("thought_cost", ThoughtCost.Result.class, (rep, c) -> new ThoughtCostRenderer().section(rep, c.result()), null);
        add(LayerProfile.ANALYSIS, LayerProfile.Result.class, (rep, c) -> new LayerProfileRenderer().section(rep, c.result()), null);
        add("world.report", WorldAnalysis.Result.class, ResultViews::world, null);
        add("eval", EvalResult.class, (rep, c) -> new EvalRenderer().section(rep, c.result()), null);
        add("eval.compare", EvalComparison.Result.class, (rep, c) -> new EvalComparisonRenderer().section(rep, c.result()), null);
        add("interp.lens", Lens.Result.class, (rep, c) -> new LensRenderer().section(rep, c.result()), null);
        add("interp.patch", Patching.Result.class, (rep, c) -> new PatchingRenderer().section(rep, c.result()), null);
        add("interp.ablate", Patching.Result.class, (rep, c) -> new PatchingRenderer().section(rep, c.result()), null);
        add("phase.scores", ScoreCoupling.Result.class, (rep, c) -> new PhaseScoresRenderer().section(rep, c.result()), null);
        add("phase.directions", CapabilityDirections.Run.class, (rep, c) -> new PhaseDirectionsRenderer().section(rep, c.result()), null);
        add("phase.coupling", CapabilityCoupling.Result.class, (rep, c) -> new PhaseCouplingRenderer().section(rep, c.result()), null);
        add("phase.steer", SteeringSweep.Result.class, (rep, c) -> new PhaseSteerRenderer().section(rep, c.result()), null);
        add("phase.diagnose", PhaseDiagnosis.Result.class, (rep, c) -> new PhaseDiagnoseRenderer().section(rep, c.result()), null);
        for (String law : List.of("power", "exp", "sigmoid", "bnsl")) {
            add("fit." + law, CurveFitResult.class, ResultViews::curveFit, null);
        }
        add("fit.shape", ShapeTest.Result.class, ResultViews::shape, null);
        add("fit.chinchilla", ChinchillaResult.class, ResultViews::chinchilla, null);
        add("forecast.chinchilla", ComputeOptimal.Forecast.class, (rep, c) -> ForecastRenderer.section(rep, c.result()), null);
    }

    private ResultViews() {}

    /** The analyses with a registered view, in registration order. */
    public static List<String> analyses() {
        return List.copyOf(ENTRIES.keySet());
    }

    /** The result's report from its record alone (see the class comment for what may be left out). */
    public static Report report(StoredResult stored) {
        return report(stored, null);
    }

    /**
     * The result's report, filled by its renderer; with {@code lab} (its folder and store), the plots
     * the record lacks are drawn from the lab's data where that data is provably what the command read
     * (see {@link SavedInput}), and from a sweep's curves in the store.
     */
    static Report report(StoredResult stored, SavedInput.Lab lab) {
        Report report = Report.create("ScaleLab — " + stored.analysis() + " (result " + stored.resultId() + ")");
        Entry<?> entry = ENTRIES.get(stored.analysis());
        if (entry == null) {
            report.text("No view is registered for analysis '" + stored.analysis() + "'; its record is shown as saved.");
        } else {
            render(report, entry, stored, lab);
        }
        report.heading("Result record");
        report.code(Json.pretty(stored.result()));
        return report;
    }

    /** The result's view: its report's blocks, plots as chart specs with links to the server's drawings. */
    public static ReportView view(StoredResult stored) {
        return view(stored, null);
    }

    /** The result's view with the plots drawn from the lab's data where possible (see {@link #report(StoredResult, SavedInput.Lab)}). */
    static ReportView view(StoredResult stored, SavedInput.Lab lab) {
        return ReportView.of(report(stored, lab), stored.resultId(), stored.analysis());
    }

    private static <R> void render(Report report, Entry<R> entry, StoredResult stored, SavedInput.Lab lab) {
        R record;
        try {
            record = Json.mapper().treeToValue(stored.result(), entry.type());
        } catch (Exception e) {
            report.text("Not shown as a report: the saved record cannot be read as " + entry.type().getSimpleName() + " ("
                    + oneLine(e) + "); it was probably saved by another version.");
            return;
        }
        int before = report.blocks().size();
        try {
            entry.section().accept(report, new Context<>(record, stored, lab));
        } catch (RuntimeException e) {
            report.text("The rest of this report is not shown: its renderer needs more than the saved record holds ("
                    + oneLine(e) + ").");
        }
        if (entry.missing() != null) {
            report.text("Not shown: " + entry.missing() + ".");
        }
        if (report.blocks().size() == before) {
            report.text("The renderer shows nothing for this record.");
        }
    }

    /**
     * A single-variable fit: its full report section (data, fitted curve, band, residuals, bootstrap,
     * backtest) when its input can be read again unchanged and refitting it gives the saved record; else its
     * verdict, law and parameters, and why the plots are not drawn.
     */
    private static void curveFit(Report report, Context<CurveFitResult> c) {
        CurveFitResult r = c.result();
        String xCol = c.option("x_col", "x");
        String yCol = c.option("y_col", "y");
        SavedInput.Read read = SavedInput.read(c.stored(), c.lab(), List.of(xCol, yCol));
        String problem = read.problem();
        if (read.table() != null) {
            CurveData data = new CurveData(read.table(), xCol, yCol);
            CurveFitResult again = SavedFits.kept(c.stored(), () -> SavedFits.refit(c.stored().analysis(), data, c.stored().options()));
            problem = SavedFits.differs(again, c.stored());
            if (problem == null) {
                report.text(read.note() + " Fitted again with the recorded options and seed, which gives the saved record.");
                CurveFitRenderer.section(report, again, data.x(), data.y(), xCol, yCol, data.table().source());
                return;
            }
        }
        report.verdict("status", r.status().json() + (r.reason() == null ? "" : ": " + r.reason()),
                r.status() == org.scalelab.laws.FitStatus.CONVERGED);
        report.text(yCol + " = " + r.form() + " (x = " + xCol + "), fitted to " + r.nPoints() + " points.");
        report.table(CurveFitRenderer.PARAMETER_HEADER, CurveFitRenderer.parameterRows(r.allParameters()));
        CurveFitRenderer.backtestTable(report, r.backtest(), xCol);
        notDrawn(report, FIT_POINTS, problem);
    }

    /** A shape test: its full section when its points can be read again and retesting gives the saved record. */
    private static void shape(Report report, Context<ShapeTest.Result> c) {
        String xCol = c.option("x_col", "x");
        String yCol = c.option("y_col", "y");
        SavedInput.Read read = SavedInput.read(c.stored(), c.lab(), List.of(xCol, yCol));
        String problem = read.problem();
        if (read.table() != null) {
            CurveData data = new CurveData(read.table(), xCol, yCol);
            ShapeTest.Result again = SavedFits.kept(c.stored(), () -> SavedFits.retest(data, c.stored().options()));
            problem = SavedFits.differs(again, c.stored());
            if (problem == null) {
                report.text(read.note() + " Tested again with the recorded options and seed, which gives the saved record.");
                ShapeRenderer.section(report, again, data.x(), data.y(), xCol, yCol);
                return;
            }
        }
        report.code(ShapeRenderer.text(c.result(), xCol, yCol));
        notDrawn(report, "the plots of data, quadratic and residuals need the tested points, which the saved record does not keep; "
                + "`--out DIR` on `scalelab fit shape` draws them", problem);
    }

    /**
     * A Chinchilla fit: its full section (runs, law, frontier, backtest) drawn at the saved parameters when its
     * runs can be read again unchanged (see {@link SavedInput}), from its {@code --data} file or its query, with
     * the columns its provenance records ({@code params_col}, {@code tokens_col} or {@code compute_col} for
     * D = C / 6N, {@code loss_col}). A record that names no columns (saved by an earlier version) is read again
     * only from a query, with the command's default columns (params, tokens, loss; or compute for tokens).
     */
    private static void chinchilla(Report report, Context<ChinchillaResult> c) {
        ChinchillaResult r = c.result();
        String source = c.stored().inputs() != null && c.stored().inputs().size() == 1
                ? c.stored().inputs().get(0).path("source").asText("") : "";
        LawFits.Columns recorded = new LawFits.Columns(c.option("params_col", null), c.option("tokens_col", null),
                c.option("compute_col", null), c.option("loss_col", null));
        List<LawFits.Columns> tries;
        if (recorded.params() != null && recorded.loss() != null && (recorded.tokens() == null) != (recorded.compute() == null)) {
            tries = List.of(recorded);
        } else if (source.startsWith("query \"")) {
            tries = List.of(new LawFits.Columns("params", "tokens", null, "loss"), new LawFits.Columns("params", null, "compute", "loss"));
        } else {
            tries = List.of();
        }
        String problem = c.lab() == null ? "the lab is not open for this view"
                : "its record does not name the columns read from its input " + source + ", so its runs are not read again";
        for (int i = 0; i < tries.size(); i++) {
            LawFits.Columns cols = tries.get(i);
            String d = cols.tokens() != null ? cols.tokens() : cols.compute();
            SavedInput.Read read = SavedInput.read(c.stored(), c.lab(), List.of(cols.params(), d, cols.loss()));
            if (i == 0) {
                problem = read.problem();
            }
            if (read.table() == null) {
                continue;
            }
            double[] n = read.table().column(cols.params());
            if (n.length != r.nPoints() + r.nDropped()) {
                problem = "its input, read again, holds " + n.length + " runs, not the " + (r.nPoints() + r.nDropped()) + " the fit read";
                break;
            }
            double[] tokens = cols.tokens() != null ? read.table().column(cols.tokens())
                    : org.scalelab.laws.ChinchillaFit.tokensFromCompute(n, read.table().column(cols.compute()));
            report.text(read.note() + " The law is drawn at the saved parameters"
                    + (r.replicates() == null || r.replicates().isEmpty() ? "; the record keeps no bootstrap replicates, so their plots are left out." : "."));
            ChinchillaRenderer.section(report, r, r.replicates(), n, tokens, read.table().column(cols.loss()));
            return;
        }
        report.text(ChinchillaRenderer.text(r));
        notDrawn(report, "the plots of the runs, the law and the frontier need the fitted runs, which the saved record does not keep; "
                + "`--out DIR` on `scalelab fit chinchilla` draws them", problem);
    }

    /** A sweep's report with its runs' curves as the lab's store holds them now, or why they are not drawn. */
    private static void world(Report report, Context<WorldAnalysis.Result> c) {
        WorldAnalysis.Result r = c.result();
        String problem = null;
        if (c.lab() == null) {
            problem = "the lab is not open for this view";
        } else {
            WorldReportRenderer renderer = c.lab().snapshots().read(store -> {
                java.util.Set<String> held = new java.util.HashSet<>();
                store.trainingRuns(r.experiment()).forEach(t -> held.add(t.run()));
                return r.runs().stream().allMatch(run -> held.contains(run.run())) ? WorldReportRenderer.fromStore(store, r) : null;
            });
            if (renderer != null) {
                report.text("The curves are drawn from the training runs' points as the lab holds them now.");
                renderer.section(report, r);
                return;
            }
            problem = "the lab no longer holds every one of the sweep's " + r.runs().size() + " training runs";
        }
        new WorldReportRenderer(Map.of(), Map.of()).section(report, r);
        notDrawn(report, WORLD_CURVES, problem);
    }

    /** The "not shown" line, and why the plots could not be drawn from the lab's data. */
    private static void notDrawn(Report report, String missing, String problem) {
        report.text("Not shown: " + missing + ".");
        if (problem != null) {
            report.text("The plots are not drawn here because " + problem + ".");
        }
    }

    /**
     * A geometry result: of activation-set groups (models × domains, with phase verdicts) or of one point
     * set, whose PCA plot needs the points themselves.
     */
    private static void geometry(Report report, Context<GeometryAnalysis.Result> c) {
        GeometryAnalysis.Result r = c.result();
        boolean groups = !r.comparisons().isEmpty() || r.groups().size() > 1
                || r.provenance().inputs().stream().anyMatch(i -> i.source().endsWith("manifest.json"));
        if (groups) {
            GeometryRenderer.ofGroups(List.of()).section(report, r);
        } else {
            // one placeholder point: the renderer draws every table and plot but the PCA projection
            GeometryRenderer.ofPoints(PointSet.of(new float[][] {{0f}}, "the saved record")).section(report, r);
            report.text("Not shown: the PCA projection needs the analysed points, which the saved record does not keep; "
                    + "`scalelab geometry --out DIR` draws it.");
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }
}
