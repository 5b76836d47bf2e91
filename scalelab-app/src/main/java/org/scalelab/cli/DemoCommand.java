package org.scalelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.scalelab.ScaleLabException;
import org.scalelab.eval.EvalExample;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.report.DemoRenderer;
import org.scalelab.report.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The guided tour: synthetic runs from known laws → lab store → every law and test-time analysis →
 * a controlled-world sweep, its geometry, its models' chains of thought by steps and layers, their scores on the world's tasks and one answer read
 * inside the largest → one report. Each step runs the real command in-process, so the report shows the exact command
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
            "states captured by domain and compared between sizes (reasoning geometry and phase verdicts), its chains of",
            "thought generated and cut into steps (geometry with steps as points over every layer, the cost of thought), each size",
            "scored on the world's multiple-choice tasks by log-likelihood (eval; the largest against the smallest,",
            "paired), and one analogy read inside the largest (logit lens, direct logit attribution per head).",
            "One report: LAB/reports/demo/index.html (each step's own report sits beside it)."
        },
        footer = {"", "Example:", "  scalelab demo                 # then open lab/reports/demo/index.html, or run scalelab serve",
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
            + "activation capture, reasoning geometry by domain and size, chains of thought by steps and layers, evaluation on the world's tasks,"
            + " logit lens): the law part alone takes seconds.")
    boolean noWorld;

    /** Only the demo's own runs, whatever else the lab holds. */
    private static final String DEMO_RUNS = " WHERE family = '" + DemoData.FAMILY + "'";

    /** How messages name the demo's report folder, which has no option of its own. */
    private static final String REPORT_OPTION = "demo report";

    private PrintWriter log;
    /** What the world's models can do (evaluation, paired comparison, lens), or null without the world part. */
    private DemoRenderer.Capabilities capabilities;
    /** The world models' chains of thought by steps and layers, or null without the world part. */
    private DemoRenderer.Chains chains;
    /** Indices in {@link #ran} of the chain step's first command and of the command after its last. */
    private int[] chainCommands;
    /** Index in {@link #ran} of the first command of the capability steps. */
    private int firstCapabilityCommand;
    private Path labDir;
    /** The command lines run so far, as a user would type them. */
    private final List<String> ran = new ArrayList<>();

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
        out.println("or browse the whole lab:  " + serveCommand(labDir));
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

        step(11, "capability phases from public benchmark scores: γ12 per size step, the critical size N_c, width normalisation against its null");
        Path fourteen = data.resolve("hellaswag-truthfulqa-14.csv");
        DemoData.writeStudyScores(fourteen);
        JsonNode phaseScores = run("phase", "scores", "--data", fourteen.toString(), "--a", "hellaswag", "--b", "truthfulqa",
                "--d-model-col", "d_model", "--bootstrap", b, "--permutations", b, "--seed", s, "--out", stage.resolve("phase-scores").toString(), "--json");

        JsonNode world = null;
        JsonNode geometry = null;
        JsonNode diagnosis = null;
        if (!noWorld) {
            step(12, "train a small sweep of transformers on the controlled world (resumable; a re-run skips finished runs)");
            run(WorldDemo.sweepArgs(labDir));
            step(13, "analyse the sweep's accuracy curves: emergence, transient abilities, scaling in width and depth");
            world = run(withJson(WorldDemo.reportArgs(labDir, stage.resolve("world"))));
            step(14, "capture each model size's hidden states on step-by-step trajectories of every domain");
            JsonNode sets = run("world", "capture", "--experiment", WorldDemo.EXPERIMENT,
                    "--hooks", "blocks.*.hook_resid_post,blocks.*.hook_attn_out,blocks.*.hook_mlp_out", "--json");
            step(15, "reasoning geometry by domain and size, with phase verdicts between sizes");
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

            step(16, "chains of thought: each size generates the trajectories' chains, cut into steps; their geometry per step and layer, and the cost of thought");
            chains = chains(sets, data.resolve("cot"), stage, s, b);

            firstCapabilityCommand = ran.size();
            step(17, "write the world's multiple-choice tasks and score every model size on them by log-likelihood");
            Path tasks = data.resolve("world-tasks");
            runWithoutLab(WorldDemo.tasksArgs(labDir, tasks));
            List<JsonNode> evals = new ArrayList<>();
            for (JsonNode set : sets) {
                String size = set.path("size").asText();
                JsonNode e = run(WorldDemo.evalArgs(Path.of(set.path("checkpoint").asText()), size, tasks,
                        data.resolve("eval-" + size + ".jsonl"), stage.resolve("eval-" + WorldDemo.modelName(size))));
                evals.add(e);
            }
            int smallest = 0;
            int largest = 0;
            for (int i = 1; i < evals.size(); i++) {
                smallest = evals.get(i).path("params").asLong() < evals.get(smallest).path("params").asLong() ? i : smallest;
                largest = evals.get(i).path("params").asLong() > evals.get(largest).path("params").asLong() ? i : largest;
            }
            String smallSize = sets.get(smallest).path("size").asText();
            String largeSize = sets.get(largest).path("size").asText();
            JsonNode comparison = run("eval", "compare", data.resolve("eval-" + largeSize + ".jsonl").toString(),
                    data.resolve("eval-" + smallSize + ".jsonl").toString(), "--seed", s, "--out", stage.resolve("eval-compare").toString(), "--json");
            step(18, "read the largest model's answer to one analogy layer by layer: logit lens and direct logit attribution");
            EvalExample analogy = WorldDemo.lensExample(tasks);
            String answer = analogy.choices().get(analogy.gold()[0]);
            String wrong = analogy.choices().get(analogy.gold()[0] == 0 ? 1 : 0);
            JsonNode lens = run("lens", "--model", sets.get(largest).path("checkpoint").asText(), "--prompt", analogy.context(),
                    "--target", answer, "--vs", wrong, "--attribution", "--no-special-tokens", "--out", stage.resolve("lens").toString(), "--json");
            step(19, "capability phases inside the world's models: truth and reasoning directions, their coupling per layer and size, steering against random directions");
            Path phasePrompts = data.resolve("phase");
            runWithoutLab(WorldDemo.phasePromptsArgs(labDir, phasePrompts));
            JsonNode phaseSets = run(WorldDemo.phaseCaptureArgs(labDir, phasePrompts));
            List<String> d = new ArrayList<>(List.of("phase", "diagnose"));
            for (JsonNode set : phaseSets) {
                d.add("--set");
                d.add(set.path("out").asText());
            }
            d.addAll(List.of("--truth-task", phasePrompts.resolve("world-phase-truth.jsonl").toString(), "--reasoning-task",
                    phasePrompts.resolve("world-phase-reasoning.jsonl").toString(), "--alphas", "0,1,4", "--controls", "4", "--resamples", b,
                    "--seed", s, "--out", stage.resolve("phase-diagnose").toString(), "--json"));
            diagnosis = run(d.toArray(String[]::new));
            capabilities = new DemoRenderer.Capabilities(evals, comparison, lens, analogy.context(), answer, wrong,
                    analogy.labels().getOrDefault("split", "?"), List.of());
        }

        List<String> commands = new ArrayList<>();
        for (String c : ran) {
            commands.add(c.replace(stage.toString(), target.toString())); // the report links the published folder
        }
        if (capabilities != null) {
            capabilities = capabilities.withCommands(commands.subList(firstCapabilityCommand, commands.size()));
        }
        if (chains != null) {
            chains = chains.withCommands(commands.subList(chainCommands[0], chainCommands[1]));
        }
        DemoRenderer.report(new DemoRenderer.Tour(seed, bootstrap, data, DemoData.truth(), chin, fc, pow, bnsl, sig, shape,
                small, large, budget, rel, phaseScores, world, geometry, chains, capabilities, diagnosis, commands)).writeInto(stage);
        OutputFolder.publish(REPORT_OPTION, stage, target, null, Report.KIND);
    }

    /**
     * The chains of thought of every captured size: the first trained questions of every hop count,
     * each chain generated until the model ends it, with every layer captured and the chain cut into
     * steps; then their geometry with steps as the points over every layer, and the cost of thought in
     * steps (the length the model chose).
     */
    private DemoRenderer.Chains chains(JsonNode sets, Path prompts, Path stage, String seedText, String bootstrapText) throws IOException {
        int first = ran.size();
        Files.createDirectories(prompts);
        int maxHops = WorldLab.existing(labDir, WorldDemo.EXPERIMENT).config().maxHops();
        List<String> acts = new ArrayList<>();
        Path file = prompts.resolve("cot.jsonl");
        int count = runWithoutLab(WorldDemo.cotPromptsArgs(labDir, file)).path("prompts").asInt();
        for (JsonNode set : sets) {
            Path out = WorldDemo.cotSetDir(labDir, set.path("size").asText());
            runWithoutLab(WorldDemo.cotGenerateArgs(Path.of(set.path("checkpoint").asText()), file, maxHops, out));
            acts.add("--acts");
            acts.add(out.toString());
        }
        List<String> g = new ArrayList<>(List.of("geometry"));
        g.addAll(acts);
        g.addAll(List.of("--by", "domain", "--unit", "step", "--pool", "mean", "--hook", "blocks.*.hook_resid_post", "--compare-sizes",
                "--bootstrap", bootstrapText, "--seed", seedText, "--out", stage.resolve("geometry-steps").toString(), "--json"));
        JsonNode geometry = run(g.toArray(String[]::new));
        List<String> c = new ArrayList<>(List.of("geometry", "cost"));
        c.addAll(acts);
        c.addAll(List.of("--unit", "step", "--pool", "mean", "--cost", "steps", "--bootstrap", bootstrapText, "--seed", seedText,
                "--trajectories-out", prompts.resolve("thought-cost.csv").toString(), "--force", "--out", stage.resolve("thought-cost").toString(), "--json"));
        JsonNode cost = run(c.toArray(String[]::new));
        chainCommands = new int[] {first, ran.size()};
        return new DemoRenderer.Chains(count, maxHops, WorldDemo.cotMaxTokens(maxHops), WorldDemo.STEP_RULE, geometry, cost, List.of());
    }

    private void step(int i, String what) {
        log.printf(Locale.ROOT, "[%2d/%d] %s%n", i, noWorld ? 11 : 19, what);
        log.flush();
    }

    /** Runs one scalelab command in-process, in the demo's lab, and returns its --json output (or null for text output). */
    private JsonNode run(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (!full.contains("--lab")) {
            full.add("--lab");
            full.add(labDir.toString());
        }
        return execute(args, full);
    }

    /** Runs a command that has no lab (it only writes files). */
    private JsonNode runWithoutLab(String... args) {
        return execute(args, new ArrayList<>(List.of(args)));
    }

    private JsonNode execute(String[] args, List<String> full) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] fullArgs = full.toArray(String[]::new);
        CommandLine cl = Main.commandLine(fullArgs);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(fullArgs);
        ran.add("scalelab " + quoteAll(args));
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

    private static String[] withJson(String[] args) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = "--json";
        return out;
    }

    /** The command that shows {@code labDir} in the dashboard, as a user would type it (quoted when it has spaces). */
    static String serveCommand(Path labDir) {
        String dir = labDir.toString();
        boolean plain = dir.matches("[A-Za-z0-9_./@:+-]+");
        return "scalelab serve --lab " + (plain ? dir : "'" + dir.replace("'", "'\\''") + "'");
    }
}
