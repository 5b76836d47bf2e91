package org.scalelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.report.GeometryRenderer;
import org.scalelab.report.Report;
import org.scalelab.report.TextTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The guided tour: synthetic runs from known laws → lab store → every law and test-time analysis →
 * one report. Each step runs the real command in-process, so the report shows the exact command
 * line a user can copy, and the demo exercises the same code paths as the CLI.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Walk through ScaleLab end to end in a few minutes on 2 cores.",
            "Synthetic runs drawn from known scaling laws are imported into the lab store and fitted (Chinchilla / power / broken power / sigmoid / shape laws,",
            "compute-optimal forecasts, test-time sampling, compounding reliability); then a small sweep of transformers",
            "is trained on the built-in controlled world, its abilities analysed over steps, width and depth, its hidden",
            "states captured by domain and compared between sizes (reasoning geometry and phase verdicts). One report:",
            "LAB/reports/demo/index.html (each step's own report sits beside it)."
        },
        footer = {"", "Example:", "  scalelab demo                 # then open lab/reports/demo/index.html",
            "  scalelab demo --lab /tmp/lab --seed 7 --bootstrap 100",
            "  scalelab demo --no-world      # the scaling-law part alone (seconds)"})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the synthetic data and every bootstrap (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bootstrap", defaultValue = "200", paramLabel = "N",
            description = "Bootstrap replicates per fit (default: ${DEFAULT-VALUE}; more gives smoother intervals).")
    int bootstrap;

    @Option(names = "--no-world", description = "Skip the controlled-world part (training a small sweep, its report, "
            + "activation capture and reasoning geometry by domain and size): the law part alone takes seconds.")
    boolean noWorld;

    /** Only the demo's own runs, whatever else the lab holds. */
    private static final String DEMO_RUNS = " WHERE family = '" + DemoData.FAMILY + "'";

    /** How messages name the demo's report folder, which has no option of its own. */
    private static final String REPORT_OPTION = "demo report";

    private PrintWriter log;
    private Path labDir;
    private final List<String[]> ran = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        log = spec.commandLine().getErr();
        labDir = lab.dir().toAbsolutePath().normalize();
        Path target = labDir.resolve("reports").resolve("demo");
        Path data = labDir.resolve("demo-data");
        OutputFolder.check(REPORT_OPTION, target, null, Report.KIND);
        Files.createDirectories(data);
        Path stage = OutputFolder.stage(target);
        long t0 = System.nanoTime();
        try {
            tour(data, stage, target);
        } catch (RuntimeException | IOException e) {
            OutputFolder.discard(stage); // a failed demo leaves the previous report, not a half-written one
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "demo finished in %.0f s: open %s%n", (System.nanoTime() - t0) / 1e9, target.resolve("index.html"));
        out.flush();
        return 0;
    }

    private void tour(Path data, Path stage, Path target) throws IOException {

        step(1, "write synthetic runs drawn from known laws");
        Path runs = data.resolve("runs.csv");
        DemoData.writeRuns(runs, seed);
        DemoData.writeCounts(data.resolve("counts-small.csv"), seed + 1, 0.25, 3.0);
        DemoData.writeCounts(data.resolve("counts-large.csv"), seed + 2, 0.5, 2.0);
        DemoData.writeBend(data.resolve("bend.csv"), seed + 3);

        step(2, "import the runs into the lab store");
        // A demo re-run replaces its own earlier import instead of refusing the same file twice.
        deletePreviousDemoImport(runs);
        run("runs", "import", runs.toString(), "--metric", "loss=loss", "--metric", "accuracy=accuracy",
                "--metric", "distractor=distractor", "--model-col", "model", "--family-col", "family");

        String b = Integer.toString(bootstrap);
        String s = Long.toString(seed);
        step(3, "fit Chinchilla L(N, D) from the store (4,500-start grid, bootstrap)");
        JsonNode chin = run("fit", "chinchilla", "--query", "SELECT params, tokens, loss FROM points" + DEMO_RUNS,
                "--bootstrap", b, "--seed", s, "--keep-replicates", "--out", stage.resolve("chinchilla").toString(), "--json");
        step(4, "forecast compute-optimal allocations");
        JsonNode fc = run("forecast", "--fit", stage.resolve("chinchilla/result.json").toString(),
                "--compute", "1e21,1e22,1e23,1e24", "--out", stage.resolve("forecast").toString(), "--json");
        step(5, "fit a power law in N at 20 tokens per parameter, with a backtest");
        JsonNode pow = run("fit", "power", "--query", "SELECT params, loss FROM points" + DEMO_RUNS + " AND tokens / params = 20",
                "--x-col", "params", "--y-col", "loss", "--bootstrap", b, "--seed", s,
                "--out", stage.resolve("power").toString(), "--json");
        step(6, "find the bend with a broken neural scaling law");
        JsonNode bnsl = run("fit", "bnsl", "--data", data.resolve("bend.csv").toString(), "--x-col", "x", "--y-col", "y",
                "--bootstrap", "50", "--seed", s, "--out", stage.resolve("bnsl").toString(), "--json");
        step(7, "fit the emergence of accuracy against compute");
        JsonNode sig = run("fit", "sigmoid", "--query", "SELECT compute, accuracy FROM points" + DEMO_RUNS,
                "--x-col", "compute", "--y-col", "accuracy", "--floor", "0.25", "--bootstrap", b, "--seed", s,
                "--out", stage.resolve("sigmoid").toString(), "--json");
        step(8, "test whether medium models beat large ones (shape)");
        JsonNode shape = run("fit", "shape", "--query", "SELECT params, distractor FROM points" + DEMO_RUNS,
                "--x-col", "params", "--y-col", "distractor", "--bootstrap", b, "--seed", s,
                "--out", stage.resolve("shape").toString(), "--json");
        step(9, "test-time scaling: pass@k, coverage curves, samples vs a larger model");
        JsonNode small = run("testtime", "coverage", "--data", data.resolve("counts-small.csv").toString(),
                "--target", "0.9", "--bootstrap", b, "--seed", s, "--out", stage.resolve("coverage-small").toString(), "--json");
        JsonNode large = run("testtime", "coverage", "--data", data.resolve("counts-large.csv").toString(),
                "--target", "0.9", "--bootstrap", b, "--seed", s, "--out", stage.resolve("coverage-large").toString(), "--json");
        double nSmall = 1.6e8;
        double nLarge = 1.28e9;
        String budgetModelSmall = String.format(Locale.ROOT, "small-160M,%s,%s,%s", small.path("a").asDouble(),
                small.path("b").asDouble(), 2 * nSmall * 512);
        String budgetModelLarge = String.format(Locale.ROOT, "large-1.3B,%s,%s,%s", large.path("a").asDouble(),
                large.path("b").asDouble(), 2 * nLarge * 512);
        JsonNode budget = run("testtime", "budget", "--model", budgetModelSmall, "--model", budgetModelLarge,
                "--budgets", "1e12:1e17:51", "--out", stage.resolve("budget").toString(), "--json");
        step(10, "compounding reliability over many steps");
        JsonNode rel = run("reliability", "--p", "0.99,0.999,0.9999", "--steps", "10,100,1000",
                "--out", stage.resolve("reliability").toString(), "--json");

        JsonNode world = null;
        JsonNode geometry = null;
        if (!noWorld) {
            step(11, "train a small sweep of transformers on the controlled world (resumable; a re-run skips finished runs)");
            run(WorldDemo.sweepArgs(labDir));
            step(12, "analyse the sweep's accuracy curves: emergence, transient abilities, scaling in width and depth");
            world = run(withJson(WorldDemo.reportArgs(labDir, stage.resolve("world"))));
            step(13, "capture each model size's hidden states on step-by-step trajectories of every domain");
            JsonNode sets = run("world", "capture", "--experiment", WorldDemo.EXPERIMENT,
                    "--hooks", "blocks.*.hook_resid_post,blocks.*.hook_attn_out,blocks.*.hook_mlp_out", "--json");
            step(14, "reasoning geometry by domain and size, with phase verdicts between sizes");
            List<String> g = new ArrayList<>(List.of("geometry"));
            for (JsonNode set : sets) {
                g.add("--acts");
                g.add(set.path("out").asText());
            }
            g.addAll(List.of("--by", "domain", "--compare-sizes", "--seed", s, "--out", stage.resolve("geometry").toString(), "--json"));
            if (sets.size() < 2) {
                throw new ScaleLabException("demo: the world sweep left " + sets.size() + " finished model size(s); the geometry comparison needs two");
            }
            geometry = run(g.toArray(String[]::new));
        }

        Report r = Report.create(noWorld ? "ScaleLab demo — scaling laws on synthetic runs with known answers"
                : "ScaleLab demo — scaling laws, a controlled world, and reasoning geometry across model sizes");
        r.text("Every number below was produced by running the command shown, on data drawn from laws whose parameters "
                + "we know, so you can check each analysis against the truth. Seed " + seed + ", " + bootstrap
                + " bootstrap replicates per fit. Data: " + data + ". Each section links to that command's own report.");
        chinchillaSection(r, chin, fc);
        powerSection(r, pow);
        bnslSection(r, bnsl);
        sigmoidSection(r, sig);
        shapeSection(r, shape);
        testTimeSection(r, small, large, budget);
        reliabilitySection(r, rel);
        if (world != null) {
            worldSection(r, world);
            geometrySection(r, geometry);
        }
        r.heading("Commands run");
        StringBuilder all = new StringBuilder();
        for (String[] c : ran) {
            all.append(c[0]).append('\n');
        }
        r.code(all.toString().replace(stage.toString(), target.toString()).stripTrailing());
        r.writeInto(stage);
        OutputFolder.publish(REPORT_OPTION, stage, target, null, Report.KIND);
    }

    private void step(int i, String what) {
        log.printf(Locale.ROOT, "[%2d/%d] %s%n", i, noWorld ? 10 : 14, what);
        log.flush();
    }

    /** Runs one scalelab command in-process and returns its --json output (or null for text output). */
    private JsonNode run(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (!full.contains("--lab")) {
            full.add("--lab");
            full.add(labDir.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] fullArgs = full.toArray(String[]::new);
        CommandLine cl = Main.commandLine(fullArgs);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(fullArgs);
        ran.add(new String[] {"scalelab " + quoteAll(args)});
        if (code != 0) {
            throw new ScaleLabException("demo step failed: scalelab " + String.join(" ", args) + "\n" + err.toString().strip());
        }
        String text = out.toString().strip();
        if (!full.contains("--json")) {
            return null;
        }
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new ScaleLabException("demo step printed no JSON: scalelab " + String.join(" ", args), e);
        }
    }

    private void deletePreviousDemoImport(Path runs) {
        StringWriter out = new StringWriter();
        String sql = "SELECT import_id FROM imports WHERE source = '" + runs.toString().replace("'", "''") + "'";
        String[] args = {"runs", "sql", sql, "--json", "--lab", labDir.toString()};
        CommandLine cl = Main.commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        if (cl.execute(args) != 0) {
            return;
        }
        try {
            for (JsonNode row : Json.mapper().readTree(out.toString()).path("rows")) {
                String id = row.isArray() ? row.get(0).asText() : row.path("import_id").asText();
                run("runs", "delete-import", id);
                ran.remove(ran.size() - 1);
            }
        } catch (IOException e) {
            throw new ScaleLabException("cannot read the store's list of imports: " + e.getMessage(), e);
        }
    }

    private static String quoteAll(String[] args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            sb.append(sb.length() == 0 ? "" : " ");
            sb.append(a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "\"" + a.replace("\"", "\\\"") + "\"");
        }
        return sb.toString();
    }

    private static String f(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "—" : TextTable.num(n.asDouble());
    }

    private static String ci(JsonNode n) {
        return n == null || !n.isArray() || n.size() < 2 ? "—" : "[" + f(n.get(0)) + ", " + f(n.get(1)) + "]";
    }

    private void chinchillaSection(Report r, JsonNode chin, JsonNode fc) {
        r.heading("1. Chinchilla law L(N, D) = E + A/N^α + B/D^β");
        r.verdict("status: " + chin.path("status").asText(), "the fit recovered the generating law from "
                + chin.path("n_points").asText() + " runs (" + chin.path("converged_starts").asText() + " of "
                + chin.path("starts").asText() + " starts converged)", "converged".equals(chin.path("status").asText()));
        double[] truth = {DemoData.E, DemoData.A, DemoData.B, DemoData.ALPHA, DemoData.BETA};
        String[] names = {"E", "A", "B", "alpha", "beta"};
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            rows.add(List.of(names[i], TextTable.num(truth[i]), f(chin.path("params").path(names[i])),
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
            double g = Math.pow(DemoData.ALPHA * DemoData.A / (DemoData.BETA * DemoData.B), 1 / (DemoData.ALPHA + DemoData.BETA));
            double nTrue = g * Math.pow(c / 6, DemoData.BETA / (DemoData.ALPHA + DemoData.BETA));
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

    private void powerSection(Report r, JsonNode pow) {
        r.heading("3. Single-variable power law at 20 tokens per parameter");
        r.text("y = E + A·N^(−α) along the runs trained on 20 tokens per parameter. Its α mixes the N and D terms of "
                + "the two-variable law (D grows with N here), so it need not equal the α above. The backtest fits "
                + "without the largest models and predicts them.");
        r.verdict("status: " + pow.path("status").asText(), summaryOf(pow), "converged".equals(pow.path("status").asText()));
        r.image("power/fit.svg", "Power-law fit with its bootstrap band");
        r.link("Power-law report", "power/index.html");
    }

    private void bnslSection(Report r, JsonNode bnsl) {
        r.heading("4. A bend: broken neural scaling law");
        r.text("Synthetic curve with one planted break at x = 1e8 (Caballero et al. 2022). The number of breaks is chosen by BIC.");
        r.verdict("breaks found: " + bnsl.path("n_breaks").asText(), "status " + bnsl.path("status").asText()
                + (bnsl.path("breaks").size() > 0 ? ", first break at x ≈ " + f(bnsl.path("breaks").get(0).path("d").path("value"))
                        + " (95% CI " + ci(bnsl.path("breaks").get(0).path("d").path("ci95")) + "), truth 1e8" : ""),
                bnsl.path("n_breaks").asInt() == 1);
        r.image("bnsl/fit.svg", "Broken power law fit");
        r.link("BNSL report", "bnsl/index.html");
    }

    private void sigmoidSection(Report r, JsonNode sig) {
        r.heading("5. Emergence: accuracy against compute");
        JsonNode x50 = parameter(sig, "x50");
        r.verdict("50 % point", "at C ≈ " + f(x50.path("value")) + " FLOP (95% CI " + ci(x50.path("ci95"))
                + "); the generating curve's is " + TextTable.num(Math.pow(10, DemoData.EMERGENCE_LOG10_C)), true);
        r.image("sigmoid/fit.svg", "Accuracy (chance 0.25) against training compute");
        r.link("Sigmoid report", "sigmoid/index.html");
    }

    private void shapeSection(Report r, JsonNode shape) {
        r.heading("6. Non-monotonic scaling: do medium models beat large ones?");
        String verdict = shape.path("shape").asText();
        JsonNode tp = shape.path("turning_point");
        r.verdict("shape: " + verdict, tp.isMissingNode() || tp.isNull() ? "no turning point inside the data"
                : "best at N ≈ " + f(tp.path("x")) + " (95% CI " + ci(tp.path("ci95")) + "); planted peak at "
                        + TextTable.num(Math.pow(10, DemoData.PEAK_LOG10_N)) + ", p = " + f(shape.path("p_value")),
                "inverted_U".equals(verdict));
        r.image("shape/fit.svg", "Distractor-task accuracy against parameters, quadratic fit in log N");
        r.link("Shape report", "shape/index.html");
    }

    private void testTimeSection(Report r, JsonNode small, JsonNode large, JsonNode budget) {
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

    private void reliabilitySection(Report r, JsonNode rel) {
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

    private static String[] withJson(String[] args) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = "--json";
        return out;
    }

    private void worldSection(Report r, JsonNode world) {
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

    private void geometrySection(Report r, JsonNode geometry) {
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
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
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
