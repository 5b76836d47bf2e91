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
     * @param chains the world models' generated chains of thought by steps and layers, or null when the world part was skipped
     * @param capabilities the world models' evaluation and lens, or null when the world part was skipped
     * @param commands the command lines run, in order, as a user would type them
     */
    public record Tour(long seed, int bootstrap, Path data, Truth truth, JsonNode chinchilla, JsonNode forecast,
            JsonNode power, JsonNode bnsl, JsonNode sigmoid, JsonNode shape, JsonNode coverageSmall, JsonNode coverageLarge,
            JsonNode budget, JsonNode reliability, JsonNode phaseScores, JsonNode world, JsonNode geometry, Chains chains,
            Capabilities capabilities, JsonNode diagnosis, List<String> commands) {
        public Tour {
            commands = List.copyOf(commands);
        }

        /** A tour without the chains of thought. */
        public Tour(long seed, int bootstrap, Path data, Truth truth, JsonNode chinchilla, JsonNode forecast,
                JsonNode power, JsonNode bnsl, JsonNode sigmoid, JsonNode shape, JsonNode coverageSmall, JsonNode coverageLarge,
                JsonNode budget, JsonNode reliability, JsonNode phaseScores, JsonNode world, JsonNode geometry, Capabilities capabilities,
                JsonNode diagnosis, List<String> commands) {
            this(seed, bootstrap, data, truth, chinchilla, forecast, power, bnsl, sigmoid, shape, coverageSmall, coverageLarge, budget,
                    reliability, phaseScores, world, geometry, null, capabilities, diagnosis, commands);
        }
    }

    /**
     * The world models' chains of thought: each size generated the chains of the world's trajectories,
     * cut into steps; their geometry with steps as points, every layer; and the cost of thought.
     *
     * @param prompts  questions each size answered (all hop counts)
     * @param maxHops  the longest question, in hops
     * @param maxTokens the tokens a chain could take before it was cut (a chain ends earlier where the model writes its end token)
     * @param stepRule the {@code --steps} rule that cut the chains
     * @param geometry {@code geometry} of the chains (a layer profile when every layer was analysed)
     * @param cost     {@code geometry cost} of the chains, or null when it was not run
     * @param commands the command lines of this step, as a user would type them
     */
    public record Chains(int prompts, int maxHops, int maxTokens, String stepRule, JsonNode geometry, JsonNode cost, List<String> commands) {
        public Chains {
            commands = List.copyOf(commands);
        }

        /** The same with these command lines. */
        public Chains withCommands(List<String> lines) {
            return new Chains(prompts, maxHops, maxTokens, stepRule, geometry, cost, lines);
        }
    }

    /**
     * What the world's model sizes can do, and how the largest one reaches one answer.
     *
     * @param evals {@code eval} of each model size on the world's task files, in the order run; each one's
     *     report is in the folder eval-MODEL beside the demo's
     * @param comparison {@code eval compare} of the largest size (A) against the smallest (B) on the same examples
     * @param lens {@code lens --attribution} of the largest size on one analogy
     * @param prompt the analogy's context, as the lens read it
     * @param answer its gold answer (the lens's target)
     * @param wrong a wrong choice of the same example (the lens's --vs)
     * @param split the analogy's split (train: the models were trained on it)
     * @param commands the command lines of these steps, as a user would type them
     */
    public record Capabilities(List<JsonNode> evals, JsonNode comparison, JsonNode lens, String prompt, String answer, String wrong,
            String split, List<String> commands) {
        public Capabilities {
            evals = List.copyOf(evals);
            commands = List.copyOf(commands);
        }

        /** The same with these command lines. */
        public Capabilities withCommands(List<String> lines) {
            return new Capabilities(evals, comparison, lens, prompt, answer, wrong, split, lines);
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
        if (tour.phaseScores() != null) {
            phaseScoresSection(r, tour.phaseScores());
        }
        if (withWorld) {
            worldSection(r, tour.world());
            geometrySection(r, tour.geometry());
            if (tour.chains() != null) {
                chainsSection(r, tour.chains());
            }
            if (tour.capabilities() != null) {
                capabilitySection(r, tour.capabilities());
            }
            if (tour.diagnosis() != null) {
                diagnosisSection(r, tour.diagnosis());
            }
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
        r.heading("10. The controlled world: abilities over training, width and depth");
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
        r.heading("11. Reasoning geometry by domain and model size");
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

    /** Per model and hop count: chains, their mean steps, and how many took fewer, as many and more steps than hops asked. */
    static List<List<String>> chainLengths(JsonNode trajectories, Map<String, String> names) {
        Map<String, Map<Integer, int[]>> counts = new java.util.LinkedHashMap<>(); // model → hops → {chains, steps, fewer, as many, more}
        for (JsonNode t : trajectories) {
            if (!t.path("difficulty").isNumber() || !t.path("steps").isNumber()) {
                continue;
            }
            int hops = t.path("difficulty").asInt();
            int steps = t.path("steps").asInt();
            int[] c = counts.computeIfAbsent(t.path("model").asText(), m -> new java.util.TreeMap<>()).computeIfAbsent(hops, h -> new int[5]);
            c[0]++;
            c[1] += steps;
            c[steps < hops ? 2 : steps == hops ? 3 : 4]++;
        }
        List<List<String>> rows = new ArrayList<>();
        counts.forEach((model, byHops) -> byHops.forEach((hops, c) -> rows.add(List.of(names.getOrDefault(model, model), Integer.toString(hops),
                Integer.toString(c[0]), String.format(Locale.ROOT, "%.2f", (double) c[1] / c[0]), Integer.toString(c[2]), Integer.toString(c[3]),
                Integer.toString(c[4])))));
        return rows;
    }

    private static void chainsSection(Report r, Chains c) {
        r.heading("12. Chains of thought: steps, layers and the cost of thought");
        r.text("Each size answered " + c.prompts() + " trained step-by-step questions \"<e_0> <r_1> … <r_k> <think>\" of the four domains "
                + "(k = 2 … " + c.maxHops() + " hops, the difficulty) by generating its own chain, one entity per hop; the chain is cut into "
                + "steps at every entity (--steps '" + c.stepRule() + "'), and every layer's residual stream is captured while generating. "
                + "The world's models were trained to end each chain with <eos>, and generation stops there: a chain is as long as the model "
                + "makes it (a chain that has not ended after " + c.maxTokens() + " tokens is cut, with " + (c.maxTokens() - 1) + " steps). "
                + "Whether its length, the cost of thought in steps, follows the question's difficulty or the geometry of the chain is "
                + "then a question the data answer, each group with its interval.");
        JsonNode g = c.geometry();
        List<List<String>> rows = new ArrayList<>();
        List<String> models = new ArrayList<>();
        // a layer profile's comparisons hold each layer's verdict; a one-hook result's are the verdicts
        for (JsonNode cmp : g.path("comparisons")) {
            JsonNode v = cmp.has("verdict") ? cmp.get("verdict") : cmp;
            models.add(v.path("from").asText());
            models.add(v.path("to").asText());
        }
        Map<String, String> names = GeometryRenderer.names(models);
        for (JsonNode cmp : g.path("comparisons")) {
            JsonNode v = cmp.has("verdict") ? cmp.get("verdict") : cmp;
            String layer = !cmp.has("verdict") ? "last" : cmp.path("from_hook").asText().equals(cmp.path("to_hook").asText())
                    ? cmp.path("from_hook").asText() : cmp.path("from_hook").asText() + " → " + cmp.path("to_hook").asText();
            rows.add(List.of(layer, v.path("domain").asText(), names.getOrDefault(v.path("from").asText(), v.path("from").asText()),
                    names.getOrDefault(v.path("to").asText(), v.path("to").asText()), v.path("phase").asText(), v.path("reason").asText()));
        }
        r.table(List.of("layer", "domain", "from", "to", "phase", "why"), rows);
        r.link("Geometry of the chains", "geometry-steps/index.html");
        JsonNode cost = c.cost();
        if (cost != null) {
            List<String> costModels = new ArrayList<>();
            for (JsonNode grp : cost.path("groups")) {
                costModels.add(grp.path("model").asText());
            }
            Map<String, String> costNames = GeometryRenderer.names(costModels);
            r.text("How long the chains are, per size and number of hops asked (steps: entities the model wrote before it ended the chain):");
            r.table(List.of("model", "hops asked", "chains", "steps (mean)", "fewer steps than hops", "as many", "more"),
                    chainLengths(cost.path("trajectories"), costNames));
            r.verdict("the cost of thought", cost.path("answer").asText("—"), true);
            List<List<String>> cr = new ArrayList<>();
            for (JsonNode grp : cost.path("groups")) {
                String model = grp.path("model").asText();
                cr.add(List.of(grp.path("domain").asText(), costNames.getOrDefault(model, model), grp.path("parameter_count").asText("—"),
                        grp.path("trajectories").asText(), grp.path("verdict").asText().toLowerCase(Locale.ROOT).replace('_', ' '),
                        grp.path("answer").asText("—")));
            }
            r.table(List.of("domain", "model", "parameters", "trajectories", "cost follows (verdict)", "answer, with its interval"), cr);
            r.link("Cost of thought", "thought-cost/index.html");
        }
        StringBuilder lines = new StringBuilder();
        for (String line : c.commands()) {
            lines.append(line).append('\n');
        }
        r.code(lines.toString().stripTrailing());
    }

    private static void phaseScoresSection(Report r, JsonNode p) {
        r.heading("9. Capability phases from public benchmark scores");
        r.text("HellaSwag (reasoning) and TruthfulQA (truthfulness) of 14 published base models (Pythia, Llama-1, Llama-2): do the two "
                + "fight or cooperate as models grow? The critical size N_c is where TruthfulQA turns (quadratic vertex in log N, the study's "
                + "method) and where the measured coupling γ12 = ΔTQA/ΔHS changes sign; width normalisation is shown beside the "
                + "correlation it produces by itself on permuted scores.");
        List<List<String>> nc = new ArrayList<>();
        for (JsonNode c : p.path("critical_size")) {
            nc.add(List.of(c.path("method").asText(), f(c.path("value")), f(c.path("median")), ci(c.path("ci95")),
                    c.path("valid_replicates").asText()));
        }
        r.table(List.of("N_c method", "all models", "bootstrap median", "95% CI", "valid replicates"), nc);
        List<List<String>> fam = new ArrayList<>();
        for (JsonNode fm : p.path("families")) {
            fam.add(List.of(fm.path("family").asText(), Integer.toString(fm.path("models").size()), f(fm.path("r")), ci(fm.path("r_ci95")),
                    f(fm.path("r_width_normalized")), f(fm.path("r_width_null").path("mean")), f(fm.path("r_width_null").path("p95"))));
        }
        r.table(List.of("family", "models", "r", "95% CI", "r width-normalised", "null mean", "null p95"), fam);
        r.verdict("reading", "the study publishes N_c ≈ 3.5 B [2.9 B, 13.4 B] from this table; width normalisation turns the small "
                + "models' negative r positive, but so does dividing permuted scores by the same widths (null mean): most of that "
                + "correlation is the normalisation's own", true);
        r.link("Phase scores report", "phase-scores/index.html");
    }

    private static void diagnosisSection(Report r, JsonNode d) {
        r.heading("15. Capability phases inside the world's models");
        r.text("Truth statements (true vs false) and two-hop reasoning (a correct vs a corrupted intermediate step) of the controlled "
                + "world, captured at each model's last position: per layer and size, each capability's centred direction, the cosine "
                + "between the two with a bootstrap interval and a label-shuffled null, and steering along each direction on held-out "
                + "prompts against random directions of the same norm.");
        for (JsonNode m : d.path("models")) {
            String verdict = m.path("verdict").asText().toLowerCase(java.util.Locale.ROOT);
            r.verdict(PhaseDiagnoseRenderer.name(m.path("model").asText()) + ": " + verdict, m.path("recommendation").asText(),
                    !"antagonistic".equals(verdict));
        }
        r.verdict("reading", "four tiny models trained for minutes: this shows the pipeline, and every verdict holds only inside its "
                + "interval and null", true);
        r.link("Diagnosis report", "phase-diagnose/index.html");
    }

    private static void capabilitySection(Report r, Capabilities c) {
        r.heading("13. What each size can do");
        List<JsonNode> evals = new ArrayList<>(c.evals());
        evals.sort(java.util.Comparator.comparingLong((JsonNode e) -> e.path("params").asLong()));
        int n = 0; // the most examples any task had
        for (JsonNode e : evals) {
            for (JsonNode t : e.path("tasks")) {
                n = Math.max(n, t.path("n").asInt());
            }
        }
        r.text("Each model size scored on the world's multiple-choice tasks by log-likelihood, as lm-evaluation-harness scores them: "
                + "a choice's score is the summed log-probability of its tokens after the context; acc counts the examples whose gold "
                + "choice scores highest, acc_norm divides each score by the choice's length in characters first. At most " + n
                + " examples per task (column n), drawn with a fixed seed, the same for every size; true/false has 2 choices (chance 0.5), "
                + "composition and analogy 4 (chance 0.25), trained and held-out facts mixed.");
        List<List<String>> rows = new ArrayList<>();
        Map<String, List<double[]>> byTask = new java.util.LinkedHashMap<>(); // task → [params, acc, stderr] per size
        double widest = 0;
        for (JsonNode e : evals) {
            for (JsonNode t : e.path("tasks")) {
                JsonNode acc = t.path("metrics").path("acc");
                rows.add(List.of(t.path("task").asText(), e.path("model").asText(), e.path("params").asText(), t.path("n").asText(),
                        f(acc.path("value")) + " ± " + f(acc.path("stderr")), f(t.path("metrics").path("acc_norm").path("value"))));
                byTask.computeIfAbsent(t.path("task").asText(), k -> new ArrayList<>())
                        .add(new double[] {e.path("params").asDouble(), acc.path("value").asDouble(), acc.path("stderr").asDouble()});
                widest = Math.max(widest, acc.path("stderr").asDouble());
            }
        }
        rows.sort(java.util.Comparator.comparing((List<String> row) -> row.get(0)));
        r.table(List.of("task", "model", "parameters", "n", "acc ± stderr", "acc_norm"), rows);
        Plot plot = Plot.of("accuracy against parameters, per world task", "parameters", "acc").logX();
        for (Map.Entry<String, List<double[]>> t : byTask.entrySet()) {
            List<double[]> pts = t.getValue();
            double[] x = new double[pts.size()];
            double[] y = new double[pts.size()];
            double[] lo = new double[pts.size()];
            double[] hi = new double[pts.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = pts.get(i)[0];
                y[i] = pts.get(i)[1];
                lo[i] = y[i] - pts.get(i)[2];
                hi[i] = y[i] + pts.get(i)[2];
            }
            plot.band(t.getKey() + " (± stderr)", x, y, lo, hi);
        }
        plot.hline("chance, 2 choices", 0.5).hline("chance, 4 choices", 0.25);
        r.plot("capabilities", plot, "acc of each size per task, with ± one standard error");
        r.verdict("reading", evals.size() + " tiny models, one seed each, on at most " + n + " examples a task: this shows the pipeline, "
                + "not a finding. With standard errors up to " + TextTable.num(widest) + ", two sizes must differ by about three of them "
                + "(2√2 for 95 % between two independent scores) before a gap is more than sampling noise, and with one seed a size, a gap "
                + "that clears it may still be the seed's, not the size's. The paired comparison below is the sharper test for one pair.", false);
        for (JsonNode e : evals) {
            String model = e.path("model").asText();
            r.link("Evaluation report (" + model + ")", "eval-" + model + "/index.html");
        }
        JsonNode cmp = c.comparison();
        if (cmp != null) {
            r.text("Paired comparison of the largest and the smallest size on the same examples (scalelab eval compare): McNemar's exact "
                    + "test on the examples only one of them gets right, with the interval of the difference in acc (A − B).");
            List<List<String>> cr = new ArrayList<>();
            for (JsonNode t : cmp.path("tasks")) {
                JsonNode acc = t.path("mcnemar").path("acc");
                cr.add(List.of(t.path("task").asText(), t.path("n").asText(), f(acc.path("accuracy_a")), f(acc.path("accuracy_b")),
                        f(acc.path("difference")), "[" + f(acc.path("low")) + ", " + f(acc.path("high")) + "]", f(acc.path("p_value"))));
            }
            r.table(List.of("task", "n", "acc A (" + fileName(cmp.path("a").asText()) + ")", "acc B (" + fileName(cmp.path("b").asText()) + ")", "A − B",
                    TextTable.num(100 * cmp.path("options").path("level").asDouble(0.95)) + "% interval", "McNemar p"), cr);
            r.link("Paired comparison report", "eval-compare/index.html");
        }
        JsonNode lens = c.lens();
        JsonNode p = lens.path("prompts").path(0);
        r.heading("14. Inside the largest model: one analogy, layer by layer");
        r.text("The largest model reads the analogy \"" + c.prompt() + "\" (split " + c.split() + ") whose answer is " + c.answer()
                + ". Logit lens: the residual stream entering the first layer and leaving each layer, read through the final norm "
                + "(with that stream's own scale) and the unembedding: the answer's logit, rank and probability, and its logit minus that "
                + "of the wrong choice " + c.wrong() + ". Direct logit attribution: each head's, MLP's and the embeddings' share of that "
                + "difference, with the final norm's scale frozen from the last layer as TransformerLens does; the shares sum to the model's.");
        List<List<String>> lr = new ArrayList<>();
        for (JsonNode g : p.path("layers")) {
            List<String> top = new ArrayList<>();
            for (JsonNode t : g.path("top")) {
                top.add(t.path("text").asText() + " " + String.format(Locale.ROOT, "%.2f", t.path("probability").asDouble()));
                if (top.size() == 3) {
                    break;
                }
            }
            lr.add(List.of(g.path("hook").asText(), f(g.path("target_logit")), g.path("target_rank").asText(), f(g.path("target_probability")),
                    f(g.path("logit_diff")), String.join(", ", top)));
        }
        r.table(List.of("residual stream", "answer logit", "rank", "probability", "answer − wrong", "top tokens"), lr);
        r.verdict("attribution", "the terms sum to " + f(p.path("attributed_value")) + "; the model's own logit difference is "
                + f(p.path("model_value")), Math.abs(p.path("attributed_value").asDouble() - p.path("model_value").asDouble()) < 1e-3);
        r.image("lens/head-attribution.svg", "Each head's direct contribution to answer − wrong (red positive, blue negative)");
        r.link("Lens report", "lens/index.html");
        StringBuilder lines = new StringBuilder();
        for (String line : c.commands()) {
            lines.append(line).append('\n');
        }
        r.code(lines.toString().stripTrailing());
    }

    private static String fileName(String path) {
        Path name = Path.of(path).getFileName();
        return name == null ? path : name.toString();
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
