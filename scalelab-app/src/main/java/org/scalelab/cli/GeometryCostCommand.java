package org.scalelab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.StepPooling;
import org.scalelab.geometry.ThoughtCost;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.OutputFolder;
import org.scalelab.report.ThoughtCostRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab geometry cost}: does the cost of thought follow the geometry of a trajectory, or the difficulty of its problem? */
@Command(
        name = "cost",
        mixinStandardHelpOptions = true,
        description = {
            "Weigh the cost of thought against the geometry of each trajectory and the difficulty of its problem.",
            "Per trajectory: its length in tokens and steps and its forward FLOPs, beside its own geometry (mean",
            "tangling, step cosine, alignment to its domain's mean direction); per model and domain the",
            "Spearman correlation of cost with each measure and with labels.difficulty, and the partial correlation of",
            "cost with the geometry given difficulty, each with a bootstrap interval; and one sentence answering whether",
            "the cost follows the geometry rather than the difficulty (\"cannot say\" when the intervals include 0).",
            ""
        },
        footer = {
            "",
            "Example:",
            "  scalelab geometry cost --acts lab/activations/cot-small --acts lab/activations/cot-large --unit step --cost steps \\",
            "      --trajectories-out cost.csv --out cost-report"
        })
final class GeometryCostCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--acts", paramLabel = "DIR", required = true,
            description = "Activation set folder (manifest.json + shards); repeat for several models. Trajectories are grouped by model and domain.")
    List<Path> acts = new ArrayList<>();

    @Option(names = "--allow-incomplete", description = "Analyse an activation set whose capture was interrupted; the result records it under incomplete_inputs.")
    boolean allowIncomplete;

    @Option(names = "--hook", paramLabel = "NAME",
            description = "Hook whose rows are the points (e.g. blocks.3.hook_resid_post). Default: each set's last blocks.L.hook_resid_post.")
    String hook;

    @Option(names = "--unit", paramLabel = "U", defaultValue = "token",
            description = "What one point of a trajectory's geometry is: token or step (one state per reasoning step). Default: ${DEFAULT-VALUE}.")
    String unit;

    @Option(names = "--pool", paramLabel = "P", defaultValue = "mean",
            description = "With --unit step, a step's state: mean of its tokens' states, or last (its last token's). Default: ${DEFAULT-VALUE}.")
    String pool;

    @Option(names = "--cost", paramLabel = "C", defaultValue = "tokens",
            description = "What the cost is counted in: tokens (the sequence's token_count), steps (its step_boundaries) or flops "
                    + "(forward FLOPs, Kaplan et al. 2020: 2N + 2·n_layer·n_ctx·d_model per token). Default: ${DEFAULT-VALUE}.")
    String cost;

    @Option(names = "--difficulty", paramLabel = "KEY", defaultValue = ThoughtCost.DIFFICULTY_LABEL,
            description = "The prompts' label holding a numeric difficulty (e.g. hops for the world's trajectories). Default: ${DEFAULT-VALUE}.")
    String difficultyKey;

    @Option(names = "--trajectories-out", paramLabel = "FILE.csv",
            description = "Also write the per-trajectory rows (cost, difficulty, geometry) as CSV: a new file unless --force.")
    Path trajectoriesOut;

    @Option(names = "--force", description = "Replace the --trajectories-out file if it exists (never a folder or the lab store).")
    boolean force;

    @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "" + ThoughtCost.DEFAULT_BOOTSTRAP,
            description = "Bootstrap resamples of trajectories for the 95 %% intervals (0: none, and no claim). Default: ${DEFAULT-VALUE}.")
    int bootstrap;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the bootstrap. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tangling-max-times", paramLabel = "M", defaultValue = "50000",
            description = "Tangling compares a group's times pairwise (M² pairs); above M times it is null with a reason. Default: ${DEFAULT-VALUE}.")
    int tanglingMaxTimes;

    @Override
    public Integer call() {
        ThoughtCost.Cost what = ThoughtCost.Cost.parse(cost);
        if (difficultyKey.isBlank()) {
            throw new InputException("--difficulty: give the name of a label of the prompts (e.g. difficulty, hops)");
        }
        StepPooling.Unit pointUnit = StepPooling.Unit.parse(unit);
        StepPooling.Pool stepPool = StepPooling.Pool.parse(pool);
        if (trajectoriesOut != null) {
            OutputFolder.checkFile("--trajectories-out", trajectoriesOut, lab.dir(), force, "--force");
        }
        output.check(lab);
        ActivationInputs opened = ActivationInputs.open(acts, allowIncomplete);
        List<ActivationSet> sets = opened.sets();
        List<Provenance.Input> inputs = opened.inputs();
        List<String> incomplete = opened.incomplete();
        for (ActivationSet set : sets) {
            if (what == ThoughtCost.Cost.STEPS && set.trajectories().stream().allMatch(t -> t.stepBoundaries() == null || t.stepBoundaries().isEmpty())) {
                throw new InputException("--cost steps: " + set.dir() + " records no step_boundaries for any of its " + set.trajectories().size()
                        + " trajectories; capture or generate with --steps RULE, or count the cost in tokens or flops");
            }
            if (what == ThoughtCost.Cost.FLOPS) {
                requireSize(set);
            }
        }
        List<ActivationGroups.Input> groups = ActivationGroups.of(sets,
                new ActivationGroups.Options(hook, List.of(ActivationGroups.Key.DOMAIN), null, pointUnit, stepPool));
        ThoughtCost.Options options = new ThoughtCost.Options(what, bootstrap, seed, 0.95, null, tanglingMaxTimes,
                StepPooling.describe(pointUnit, stepPool), difficultyKey);
        ThoughtCost.Result analyzed = ThoughtCost.analyze(ThoughtCost.Input.of(sets, groups, inputs, difficultyKey), options);
        ThoughtCost.Result r = incomplete.isEmpty() ? analyzed
                : new ThoughtCost.Result(analyzed.cost(), analyzed.unit(), analyzed.trajectories(), analyzed.groups(), analyzed.answer(),
                        analyzed.provenance().withOption("incomplete_inputs", incomplete));
        if (trajectoriesOut != null) {
            try {
                AtomicFiles.writeString(trajectoriesOut, ThoughtCostRenderer.csv(r));
            } catch (IOException e) {
                throw new ScaleLabException("--trajectories-out " + trajectoriesOut + ": cannot write: " + e.getMessage(), e);
            }
        }
        opened.noteIncomplete(spec);
        CliSupport.emit(spec, lab, output, "thought_cost", r, r.provenance(), new ThoughtCostRenderer());
        return 0;
    }

    /** FLOPs need the model's size: a parameter count, its layers and its width. */
    private static void requireSize(ActivationSet set) {
        ActivationManifest m = set.manifest();
        if (m.parameterCount() <= 0 || m.nLayers() <= 0 || m.dModel() <= 0) {
            throw new InputException("--cost flops: " + set.dir() + " has parameter_count " + m.parameterCount() + ", n_layers " + m.nLayers()
                    + ", d_model " + m.dModel() + "; FLOPs need all three positive (count the cost in tokens or steps)");
        }
    }
}
