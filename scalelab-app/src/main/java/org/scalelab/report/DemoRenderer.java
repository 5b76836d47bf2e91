package org.scalelab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's one report: a section per step that sets each analysis's result beside the truth the
 * synthetic data were drawn from, with the step's plots and a link to the step's own report (written
 * beside it by that step's renderer), then the commands that produced it. It reads the results in
 * their JSON form, as each command prints it with {@code --json} and as the lab store keeps it, so the
 * command line and the dashboard draw the same page.
 */
public final class DemoRenderer {
    /**
     * The parameters of the laws the demo's runs were drawn from.
     *
     * @param e irreducible loss E of the Chinchilla law (Hoffmann et al. 2022, eq. 10)
     * @param a coefficient A of the parameter term
     * @param b coefficient B of the data term
     * @param alpha exponent α of the parameter term
     * @param beta exponent β of the data term
     * @param emergenceLog10Compute log10 of the training compute (FLOP) at the emergent task's 50 % point
     * @param peakLog10Params log10 of the parameter count where the distractor task peaks
     */
    public record Truth(double e, double a, double b, double alpha, double beta, double emergenceLog10Compute,
            double peakLog10Params) {}

    /**
     * The demo's steps: each result's JSON form, with the folder it was drawn from and what produced it.
     *
     * @param seed seed of the synthetic data and every bootstrap
     * @param bootstrap bootstrap replicates per fit
     * @param data folder of the synthetic data
     * @param truth the generating laws
     * @param chinchilla {@code fit chinchilla}
     * @param forecast {@code forecast} from that fit
     * @param power {@code fit power}
     * @param bnsl {@code fit bnsl}
     * @param sigmoid {@code fit sigmoid}
     * @param shape {@code fit shape}
     * @param coverageSmall {@code testtime coverage} of the small model
     * @param coverageLarge {@code testtime coverage} of the large model
     * @param budget {@code testtime budget} of the two
     * @param reliability {@code reliability}
     * @param world {@code world report} of the sweep, or null when the world part was skipped
     * @param geometry {@code geometry} by domain and size, or null when the world part was skipped
     * @param commands the command lines run, in order, as a user would type them
     */
    public record Tour(long seed, int bootstrap, Path data, Truth truth, JsonNode chinchilla, JsonNode forecast,
            JsonNode power, JsonNode bnsl, JsonNode sigmoid, JsonNode shape, JsonNode coverageSmall, JsonNode coverageLarge,
            JsonNode budget, JsonNode reliability, JsonNode world, JsonNode geometry, List<String> commands) {
        public Tour {
            commands = List.copyOf(commands);
        }
    }

    private DemoRenderer() {}

    /** The whole demo report; its plots are the steps' own, in the step folders beside it. */
    public static Report report(Tour tour) {
        boolean withWorld = tour.world() != null;
        Report r = Report.create(withWorld
                ? "ScaleLab demo — scaling laws, a controlled world, and reasoning geometry across model sizes"
                : "ScaleLab demo — scaling laws on synthetic runs with known answers");
        r.text("Every number below was produced by running the command shown, on data drawn from laws whose parameters "
                + "we know, so you can check each analysis against the truth. Seed " + tour.seed() + ", " + tour.bootstrap()
                + " bootstrap replicates per fit. Data: " + tour.data() + ". Each section links to that command's own report.");
        chinchillaSection(r, tour.truth(), tour.chinchilla(), tour.forecast());
        powerSection(r, tour.power());
        bnslSection(r, tour.bnsl());
        sigmoidSection(r, tour.truth(), tour.sigmoid());
        shapeSection(r, tour.truth(), tour.shape());
        testTimeSection(r, tour.coverageSmall(), tour.coverageLarge(), tour.budget());
        reliabilitySection(r, tour.reliability());
        if (withWorld) {
            worldSection(r, tour.world());
            geometrySection(r, tour.geometry());
        }
        r.heading("Commands run");
        StringBuilder all = new StringBuilder();
        for (String c : tour.commands()) {
            all.append(c).append('\n');
        }
        r.code(all.toString().stripTrailing());
        return r;
    }

    private static String f(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "—" : TextTable.num(n.asDouble());
    }

    private static String ci(JsonNode n) {
        return n == null || !n.isArray() || n.size() < 2 ? "—" : "[" + f(n.get(0)) + ", " + f(n.get(1)) + "]";
    }

    private static void chinchillaSection(Report r, Truth truth, JsonNode chin, JsonNode fc) {
        r.heading("1. Chinchilla law L(N, D) = E + A/N^α + B/D^β");
        r.verdict("status: " + chin.path("status").asText(), "the fit recovered the generating law from "
                + chin.path("n_points").asText() + " runs (" + chin.path("converged_starts").asText() + " of "
                + chin.path("starts").asText() + " starts converged)", "converged".equals(chin.path("status").asText()));
        double[] truths = {truth.e(), truth.a(), truth.b(), truth.alpha(), truth.beta()};
        String[] names = {"E", "A", "B", "alpha", "beta"};
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            rows.add(List.of(names[i], TextTable.num(truths[i]), f(chin.path("params").path(names[i])),
                    ci(chin.path("ci95").path(names[i]))));
        }
        r.table(List.of("parameter", "truth", "fitted", "95% CI"), rows);
        r.image("chinchilla/observed_vs_predicted.svg", "Observed against predicted loss for every run");
        r.link("Chinchilla report", "chinchilla/index.html");
        r.heading("2. Compute-optimal allocation");
        List<List<String>> fr = new ArrayList<>();
        for (JsonNode a : fc.path("budgets")) {
            double c = a.path("compute").asDouble();
            // Truth: Hoffmann et al. 2022 eq. 4 with the generating parameters.
            double g = Math.pow(truth.alpha() * truth.a() / (truth.beta() * truth.b()), 1 / (truth.alpha() + truth.beta()));
            double nTrue = g * Math.pow(c / 6, truth.beta() / (truth.alpha() + truth.beta()));
            fr.add(List.of(TextTable.num(c), TextTable.num(nTrue), f(a.path("params").path("value")),
                    "[" + f(a.path("params").path("lo")) + ", " + f(a.path("params").path("hi")) + "]",
                    f(a.path("tokens").path("value")), f(a.path("tokens_per_param").path("value")),
                    f(a.path("loss").path("value")), "[" + f(a.path("loss").path("lo")) + ", " + f(a.path("loss").path("hi")) + "]"));
        }
        r.table(List.of("compute C (FLOP)", "N_opt (truth)", "N_opt (fitted)", "95% CI", "D_opt", "tokens/param", "loss",
                "loss 95% CI"), fr);
        r.image("forecast/n_opt.svg", "Compute-optimal model size against budget, with its bootstrap band");
        r.link("Forecast report", "forecast/index.html");
    }

    private static void powerSection(Report r, JsonNode pow) {
        r.heading("3. Single-variable power law at 20 tokens per parameter");
        r.text("y = E + A·N^(−α) along the runs trained on 20 tokens per parameter. Its α mixes the N and D terms of "
                + "the two-variable law (D grows with N here), so it need not equal the α above. The backtest fits "
                + "without the largest models and predicts them.");
        r.verdict("status: " + pow.path("status").asText(), summaryOf(pow), "converged".equals(pow.path("status").asText()));
        r.image("power/fit.svg", "Power-law fit with its bootstrap band");
        r.link("Power-law report", "power/index.html");
    }

    private static void bnslSection(Report r, JsonNode bnsl) {
        r.heading("4. A bend: broken neural scaling law");
        r.text("Synthetic curve with one planted break at x = 1e8 (Caballero et al. 2022). The number of breaks is chosen by BIC.");
        r.verdict("breaks found: " + bnsl.path("n_breaks").asText(), "status " + bnsl.path("status").asText()
                + (bnsl.path("breaks").size() > 0 ? ", first break at x ≈ " + f(bnsl.path("breaks").get(0).path("d").path("value"))
                        + " (95% CI " + ci(bnsl.path("breaks").get(0).path("d").path("ci95")) + "), truth 1e8" : ""),
                bnsl.path("n_breaks").asInt() == 1);
        r.image("bnsl/fit.svg", "Broken power law fit");
        r.link("BNSL report", "bnsl/index.html");
    }

    private static void sigmoidSection(Report r, Truth truth, JsonNode sig) {
        r.heading("5. Emergence: accuracy against compute");
        JsonNode x50 = parameter(sig, "x50");
        r.verdict("50 % point", "at C ≈ " + f(x50.path("value")) + " FLOP (95% CI " + ci(x50.path("ci95"))
                + "); the generating curve's is " + TextTable.num(Math.pow(10, truth.emergenceLog10Compute())), true);
        r.image("sigmoid/fit.svg", "Accuracy (chance 0.25) against training compute");
        r.link("Sigmoid report", "sigmoid/index.html");
    }

    private static void shapeSection(Report r, Truth truth, JsonNode shape) {
        r.heading("6. Non-monotonic scaling: do medium models beat large ones?");
        String verdict = shape.path("shape").asText();
        JsonNode tp = shape.path("turning_point");
        r.verdict("shape: " + verdict, tp.isMissingNode() || tp.isNull() ? "no turning point inside the data"
                : "best at N ≈ " + f(tp.path("x")) + " (95% CI " + ci(tp.path("ci95")) + "); planted peak at "
                        + TextTable.num(Math.pow(10, truth.peakLog10Params())) + ", p = " + f(shape.path("p_value")),
                "inverted_U".equals(verdict));
        r.image("shape/fit.svg", "Distractor-task accuracy against parameters, quadratic fit in log N");
        r.link("Shape report", "shape/index.html");
    }

    private static void testTimeSection(Report r, JsonNode small, JsonNode large, JsonNode budget) {
        r.heading("7. Test-time scaling: repeated sampling");
        r.text("Coverage (pass@k over problems) of a small and a large model, fitted as −log(coverage) = a·k^(−b) "
                + "(Brown et al. 2024), and which model reaches more problems for a given inference FLOP budget.");
        r.table(List.of("model", "a", "b", "k for 90% coverage", "95% CI"), List.of(
                List.of("small (160M)", f(small.path("a")), f(small.path("b")), f(small.path("k_needed")), ci(small.path("k_needed_ci"))),
                List.of("large (1.3B)", f(large.path("a")), f(large.path("b")), f(large.path("k_needed")), ci(large.path("k_needed_ci")))));
        StringBuilder cross = new StringBuilder();
        for (JsonNode c : budget.path("crossovers")) {
            String from = c.path("from").isNull() ? "no model (budget below one sample)" : c.path("from").asText();
            cross.append(cross.length() == 0 ? "" : "; ").append(from).append(" → ")
                    .append(c.path("to").asText()).append(" at ").append(f(c.path("budget"))).append(" FLOP");
        }
        r.verdict("winner changes", cross.length() == 0 ? "no crossover in the budget range" : cross.toString(), true);
        r.image("coverage-small/coverage.svg", "Coverage curve of the small model with its extrapolation");
        r.image("budget/budget.svg", "Coverage against inference budget");
        r.link("Coverage report (small)", "coverage-small/index.html");
        r.link("Coverage report (large)", "coverage-large/index.html");
        r.link("Budget report", "budget/index.html");
    }

    private static void reliabilitySection(Report r, JsonNode rel) {
        r.heading("8. Compounding reliability");
        r.text("A task of n independent steps succeeds with probability p^n: each extra nine of per-step accuracy buys "
                + "ten times as many steps.");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : rel.path("rows")) {
            rows.add(List.of(TextTable.num(row.path("p").asDouble()), row.path("steps").asText(),
                    TextTable.num(100 * row.path("success").asDouble()) + " %"));
        }
        r.table(List.of("per-step accuracy p", "steps n", "task success p^n"), rows);
        r.link("Reliability report", "reliability/index.html");
    }

    private static void worldSection(Report r, JsonNode world) {
        r.heading("9. The controlled world: abilities over training, width and depth");
        r.text("Small GPT-2-like transformers (pre-LN, rotary positions) trained from scratch on the built-in synthetic world: "
                + "entities in two categories linked by a hidden bijection, atomic facts, two-hop compositions, analogies "
                + "(e, <f>, f(e)) partly held out, true/false statements and step-by-step trajectories in four domains. "
                + "Accuracy is measured per split at log-spaced steps and stored in the lab store.");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode run : world.path("runs")) {
            JsonNode fin = run.path("final_accuracy");
            rows.add(List.of(run.path("width").asText(), run.path("depth").asText(), run.path("parameters").asText(),
                    run.path("status").asText(), f(fin.path("atomic_id")), f(fin.path("compositional_near_ood")),
                    f(fin.path("analogical_ood")), f(fin.path("trajectory_id"))));
        }
        r.table(List.of("width", "depth", "parameters", "status", "atomic (ID)", "compositional (near OOD)", "analogy (OOD)",
                "trajectories (ID)"), rows);
        StringBuilder findings = new StringBuilder();
        for (JsonNode fnd : world.path("findings")) {
            findings.append(findings.length() == 0 ? "" : "; ").append(fnd.asText());
        }
        r.verdict("detectors", findings.length() == 0
                ? "no emergence order, transient ability or non-monotonic scaling is beyond the binomial null in this small, one-seed"
                        + " sweep: on its 8 held-out analogies one run's accuracy moves in steps of 0.125, too coarse for most effects"
                        + " (docs/world.md says what the default sweep, 32 held-out analogies and 3 seeds a cell, shows)"
                : "one seed a size on the small world, so seed-to-seed variation is not in these tests (indicative only): "
                        + findings, findings.length() > 0);
        r.image("world/pooled_curves.svg", "Accuracy per split against training step (log x), all runs");
        r.image("world/final_vs_width.svg", "Final accuracy against width");
        r.image("world/alignment_vs_analogy.svg", "Geometric alignment of the functor against analogical accuracy");
        r.link("World report", "world/index.html");
    }

    private static void geometrySection(Report r, JsonNode geometry) {
        r.heading("10. Reasoning geometry by domain and model size");
        r.text("Hidden states (last block's residual stream) of every trajectory, grouped by domain and model. Each pair of "
                + "consecutive sizes is compared per domain with bootstrap intervals over trajectories: crystallization "
                + "(dimensionality falls, alignment rises, tangling falls), lattice (cluster structure sharpens), liquid "
                + "(no significant change) or inconclusive.");
        List<String> models = new ArrayList<>();
        for (JsonNode c : geometry.path("comparisons")) {
            models.add(c.path("from").asText());
            models.add(c.path("to").asText());
        }
        Map<String, String> names = GeometryRenderer.names(models);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : geometry.path("comparisons")) {
            rows.add(List.of(c.path("domain").asText(), names.get(c.path("from").asText()), names.get(c.path("to").asText()),
                    c.path("phase").asText(), c.path("reason").asText()));
        }
        r.table(List.of("domain", "from", "to", "phase", "why"), rows);
        r.image("geometry/phase-diagram.svg", "Phase diagram: domain × size step, coloured by verdict");
        r.image("geometry/scree.svg", "Variance spectrum (scree) per group");
        r.link("Geometry report", "geometry/index.html");
    }

    private static JsonNode parameter(JsonNode fit, String name) {
        for (JsonNode p : fit.path("parameters")) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        return MissingNode.getInstance();
    }

    private static String summaryOf(JsonNode fit) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : fit.path("parameters")) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p.path("name").asText()).append(" = ").append(f(p.path("value")))
                    .append(" ").append(ci(p.path("ci95")));
        }
        JsonNode bt = fit.path("backtest");
        if ("ran".equals(bt.path("status").asText())) {
            sb.append("; backtest mean relative error ").append(String.format(Locale.ROOT, "%.2f %%", 100 * bt.path("mean_rel_error").asDouble()));
        }
        return sb.toString();
    }
}
