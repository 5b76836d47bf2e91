package org.scalelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.eval.EvalTask;
import org.scalelab.io.TextColumns;
import org.scalelab.io.TrajectoryFilter;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.phase.CapabilityCoupling;
import org.scalelab.phase.LabelledPoints;
import org.scalelab.phase.PhaseDiagnosis;
import org.scalelab.phase.ScoreCoupling;
import org.scalelab.phase.ScoreTable;
import org.scalelab.report.PhaseDiagnoseRenderer;
import org.scalelab.world.WorldCapture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "diagnose",
        mixinStandardHelpOptions = true,
        description = {
            "Diagnose per model whether truthfulness and reasoning fight, ignore or help each other, and what changes it.",
            "Verdict antagonistic, independent or cooperative (the centred coupling of the two capabilities' directions",
            "with its interval and label-shuffled null), the layer where it is strongest, and across sizes the size where",
            "the verdict flips; with --scores, each size's benchmark γ12; with --truth-task and --reasoning-task, the",
            "steering dose that beats a random direction on held-out prompts, with its cost on the other capability.",
            "Input: activation sets holding both labelled prompt sets (labels.truth and labels.valid, e.g. from scalelab",
            "world phase-prompts), or checkpoints and the two prompt files (captured first, at the last position, into",
            "LAB/activations/phase-MODEL). Directions and coupling use the prompts of labels.split=train when sets carry it."},
        footer = {"", "Examples:",
            "  scalelab phase diagnose --set lab/activations/world-small-phase-w32-d2 --set lab/activations/world-small-phase-w64-d2",
            "  scalelab phase diagnose --model lab/models/a --model lab/models/b --truth truth-prompts.jsonl --reasoning reasoning-prompts.jsonl"})
final class PhaseDiagnoseCommand implements Callable<Integer> {
    static final String TRUTH = "truth";
    static final String REASONING = "reasoning";

    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--set", paramLabel = "DIR", description = "Activation set of one model size holding both prompt sets (repeat for a family of sizes).")
    List<Path> sets;

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint to capture first (repeat for a family of sizes); needs --truth and --reasoning.")
    List<Path> models;

    @Option(names = "--truth", paramLabel = "FILE", description = "Truth prompts (labels.truth true|false), with --model.")
    Path truthPrompts;

    @Option(names = "--reasoning", paramLabel = "FILE", description = "Reasoning prompts (labels.valid true|false), with --model.")
    Path reasoningPrompts;

    @Option(names = "--hooks", paramLabel = "GLOBS", split = ",", defaultValue = "blocks.*.hook_resid_post,blocks.*.attn.hook_result",
            description = "Hooks captured with --model. Default: ${DEFAULT-VALUE}.")
    List<String> hooks;

    @Option(names = "--scores", paramLabel = "FILE",
            description = "Benchmark scores of the same sizes (columns family, model, params and the two scores): each size's γ12.")
    Path scores;

    @Option(names = "--truth-col", paramLabel = "COLUMN", defaultValue = "truth",
            description = "Score column of truthfulness in --scores (γ12's numerator). Default: ${DEFAULT-VALUE}.")
    String truthCol;

    @Option(names = "--reasoning-col", paramLabel = "COLUMN", defaultValue = "reasoning",
            description = "Score column of reasoning in --scores (γ12's denominator). Default: ${DEFAULT-VALUE}.")
    String reasoningCol;

    @Option(names = "--truth-task", paramLabel = "FILE",
            description = "Held-out truth task (choices <true>/<false>, e.g. world-phase-truth.jsonl): with --reasoning-task, steer each model.")
    Path truthTask;

    @Option(names = "--reasoning-task", paramLabel = "FILE",
            description = "Held-out reasoning task (e.g. world-phase-reasoning.jsonl): with --truth-task, steer each model.")
    Path reasoningTask;

    @Option(names = "--alphas", paramLabel = "A,A,…", defaultValue = "0,0.5,1,2,4",
            description = "Steering doses in units of the hook's mean residual norm; must hold 0. Default: ${DEFAULT-VALUE}.")
    String alphas;

    /** Where each model is steered: the layer where its coupling is strongest, or every analysed layer. */
    enum SteerAt { strongest, all }

    @Option(names = "--steer-at", paramLabel = "WHERE", defaultValue = "strongest",
            description = "Layers steered: strongest (the layer where the model's coupling is strongest) or all (every analysed"
                    + " residual hook; the recommendation is then the best hook and dose; cost × layers). Default: ${DEFAULT-VALUE}.")
    SteerAt steerAt;

    @Option(names = "--controls", paramLabel = "K", defaultValue = "8",
            description = "Random directions of the same norm per dose, the control (at least 2 for the gain's interval). Default: ${DEFAULT-VALUE}.")
    int controls;

    @Option(names = "--resamples", paramLabel = "N", defaultValue = "1000",
            description = "Bootstrap replicates and label shuffles per size and layer. Default: ${DEFAULT-VALUE}.")
    int resamples;

    @Option(names = "--level", paramLabel = "P", defaultValue = "0.95", description = "Confidence of the intervals. Default: ${DEFAULT-VALUE}.")
    double level;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of every resample. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        CapabilityCoupling.Options co = new CapabilityCoupling.Options(resamples, resamples, level, 1.0, seed);
        output.check(lab);
        DiagnosisSteering steering = null;
        if ((truthTask == null) != (reasoningTask == null)) {
            throw new InputException((truthTask == null ? "--reasoning-task" : "--truth-task")
                    + ": steering measures each capability's gain and its cost on the other; give both --truth-task and --reasoning-task");
        }
        if (truthTask != null) {
            steering = new DiagnosisSteering(EvalTask.read(truthTask), EvalTask.read(reasoningTask), CliSupport.doubles("--alphas", alphas),
                    controls, resamples, level, seed);
        }
        List<Path> dirs = inputs();
        if (scores != null && dirs.size() < 2) {
            throw new InputException("--scores: benchmark γ12 is a step between consecutive sizes; give at least two model sizes (got one: "
                    + dirs.get(0) + ")");
        }
        List<Provenance.Input> provenanceInputs = new ArrayList<>();
        List<CapabilityCoupling.SizePoints> sizes = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        for (Path dir : dirs) {
            try (ActivationSet set = ActivationSet.open(dir)) {
                String key = set.model() + " (" + set.parameterCount() + " parameters)";
                Path earlier = seen.putIfAbsent(key, dir);
                if (earlier != null) {
                    throw new InputException(dir + ": holds the same model as " + earlier + ", " + key
                            + "; give one activation set per model size");
                }
                sizes.add(points(set));
                provenanceInputs.add(new Provenance.Input(dir.toString(), Provenance.sha256(dir.resolve(ActivationManifest.FILE)),
                        set.trajectories().size()));
            }
        }
        ScoreCoupling.Result scoreResult = null;
        if (scores != null) {
            ScoreTable.Columns c = new ScoreTable.Columns("family", "model", "params", reasoningCol, truthCol, null, null, null, List.of());
            ScoreTable table = ScoreTable.read(TextColumns.read(scores, c.all(), List.of()), c);
            scoreResult = ScoreCoupling.analyze(table, ScoreCoupling.Options.defaults());
            provenanceInputs.add(table.input());
        }
        CapabilityCoupling.Result coupling = CapabilityCoupling.analyze(new CapabilityCoupling.Input(sizes), co);
        PhaseDiagnosis.Result r = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input(TRUTH, REASONING, coupling, List.of(), scoreResult));
        if (steering != null) {
            List<PhaseDiagnosis.Intervention> measured = new ArrayList<>();
            for (PhaseDiagnosis.ModelDiagnosis m : r.models()) {
                CapabilityCoupling.SizePoints s = sizes.stream().filter(x -> x.model().equals(m.model())).findFirst().orElseThrow();
                if (steerAt == SteerAt.all) {
                    for (CapabilityCoupling.LayerPoints layer : s.layers()) {
                        measured.addAll(steering.measure(s, layer.hook()));
                    }
                } else {
                    measured.addAll(steering.measure(s, m.strongest().hook()));
                }
            }
            r = PhaseDiagnosis.analyze(new PhaseDiagnosis.Input(TRUTH, REASONING, coupling, measured, scoreResult));
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("resamples", resamples);
        recorded.put("level", level);
        recorded.put("truth", "labels.truth=true vs labels.truth=false");
        recorded.put("reasoning", "labels.valid=true vs labels.valid=false");
        if (steering != null) {
            recorded.put("alphas", alphas);
            recorded.put("controls", controls);
            recorded.put("steer_at", steerAt.name());
            recorded.put("truth_task", truthTask.toString());
            recorded.put("reasoning_task", reasoningTask.toString());
        }
        Provenance prov = Provenance.of("phase.diagnose", provenanceInputs, recorded, seed);
        CliSupport.emit(spec, lab, output, "phase.diagnose", r, prov, new PhaseDiagnoseRenderer());
        return 0;
    }

    /** The activation sets to diagnose: --set as given, or --model captured first into the lab. */
    private List<Path> inputs() {
        boolean haveSets = sets != null && !sets.isEmpty();
        boolean haveModels = models != null && !models.isEmpty();
        if (haveSets == haveModels) {
            throw new InputException(haveSets ? "give either --set or --model (with --truth and --reasoning), not both"
                    : "nothing to diagnose: give --set DIR (activation sets) or --model DIR with --truth FILE and --reasoning FILE");
        }
        if (haveSets) {
            if (truthPrompts != null || reasoningPrompts != null) {
                throw new InputException("--truth and --reasoning go with --model; an activation set (--set) already holds its prompts");
            }
            return sets;
        }
        if (truthPrompts == null || reasoningPrompts == null) {
            throw new InputException("--model needs both --truth FILE and --reasoning FILE (the two labelled prompt sets)");
        }
        List<Prompt> prompts = WorldCaptureCommand.readPrompts(List.of(truthPrompts, reasoningPrompts));
        requireLabel(prompts, truthPrompts, TRUTH);
        requireLabel(prompts, reasoningPrompts, "valid");
        List<Path> out = new ArrayList<>();
        Map<Path, Path> targets = new LinkedHashMap<>();
        for (Path m : models) {
            if (!Files.isRegularFile(m.resolve("config.json"))) {
                throw new InputException("--model " + m + ": no config.json; give a checkpoint folder");
            }
            Path target = lab.dir().resolve("activations").resolve("phase-" + setName(m));
            Path earlier = targets.putIfAbsent(target, m);
            if (earlier != null) {
                throw new InputException("--model " + m + ": would be captured into " + target + " like --model " + earlier
                        + "; give each model size once");
            }
        }
        targets.forEach((target, m) -> {
            WorldCapture.run(prompts, m, target, hooks, Positions.LAST);
            out.add(target);
        });
        return out;
    }

    /** A checkpoint's name for its activation set: its folder, or for a run's checkpoints/checkpoint-N folder the run's name too. */
    static String setName(Path checkpoint) {
        Path p = checkpoint.toAbsolutePath().normalize();
        String name = p.getFileName().toString();
        Path parent = p.getParent();
        if (name.startsWith("checkpoint") && parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("checkpoints") && parent.getParent() != null) {
            return parent.getParent().getFileName() + "-" + name;
        }
        return name;
    }

    private static void requireLabel(List<Prompt> prompts, Path file, String label) {
        for (Prompt p : prompts) {
            if (p.source() != null && p.source().startsWith(file + ":")) {
                String v = p.labels().path(label).asText(null);
                if (!"true".equals(v) && !"false".equals(v)) {
                    throw new InputException(p.source() + ": field \"labels." + label + "\": " + (v == null ? "missing" : "\"" + v + "\"")
                            + "; expected \"true\" or \"false\"");
                }
            }
        }
    }

    /** Both capabilities' points at every residual hook of a set, and the per-head writes where attn.hook_result was captured. */
    static CapabilityCoupling.SizePoints points(ActivationSet set) {
        requireCarriers(set, TRUTH, "the truth prompts");
        requireCarriers(set, "valid", "the reasoning prompts");
        boolean split = set.trajectories().stream().anyMatch(t -> t.label("split") != null);
        Predicate<ActivationManifest.Trajectory> train = split ? TrajectoryFilter.parse("labels.split=train") : t -> true;
        Predicate<ActivationManifest.Trajectory> truthPos = TrajectoryFilter.parse("labels.truth=true").and(train);
        Predicate<ActivationManifest.Trajectory> truthNeg = TrajectoryFilter.parse("labels.truth=false").and(train);
        Predicate<ActivationManifest.Trajectory> validPos = TrajectoryFilter.parse("labels.valid=true").and(train);
        Predicate<ActivationManifest.Trajectory> validNeg = TrajectoryFilter.parse("labels.valid=false").and(train);
        List<CapabilityCoupling.LayerPoints> layers = new ArrayList<>();
        List<CapabilityCoupling.HeadPoints> heads = new ArrayList<>();
        for (String hook : set.hooks()) {
            int layer = CapabilityCoupling.layerOf(hook);
            if (hook.endsWith(".hook_resid_post")) {
                layers.add(new CapabilityCoupling.LayerPoints(hook,
                        LabelledPoints.read(set, hook, truthPos, truthNeg, LabelledPoints.Pool.LAST),
                        LabelledPoints.read(set, hook, validPos, validNeg, LabelledPoints.Pool.LAST)));
            } else if (hook.endsWith(".attn.hook_result") && layer >= 0) {
                heads.add(new CapabilityCoupling.HeadPoints(layer, set.rowShape(hook)[0],
                        LabelledPoints.read(set, hook, truthPos, truthNeg, LabelledPoints.Pool.LAST),
                        LabelledPoints.read(set, hook, validPos, validNeg, LabelledPoints.Pool.LAST)));
            }
        }
        if (layers.isEmpty()) {
            throw new InputException(set.dir() + ": no blocks.N.hook_resid_post was captured (captured: " + set.hooks()
                    + "); capture with --hooks 'blocks.*.hook_resid_post,blocks.*.attn.hook_result'");
        }
        return new CapabilityCoupling.SizePoints(set.model(), set.parameterCount(), layers, heads);
    }

    private static void requireCarriers(ActivationSet set, String label, String what) {
        if (set.trajectories().stream().noneMatch(t -> t.label(label) != null)) {
            throw new InputException(set.dir() + ": no trajectory carries labels." + label + " (" + what + "); capture both prompt sets into"
                    + " each set, e.g. from scalelab world phase-prompts");
        }
    }
}
