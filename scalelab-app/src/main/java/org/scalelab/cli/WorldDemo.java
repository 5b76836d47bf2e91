package org.scalelab.cli;

import java.nio.file.Path;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.world.WorldTasks;

/**
 * The controlled-world part of {@code scalelab demo}: a small sweep (widths 32 and 64, depths 1 and
 * 2, one seed, 1,500 steps on the small 64-entity world with its 8 held-out analogies: four runs, two
 * at a time, a few minutes on 2 cores) and its report. So small a sweep shows the pipeline, not a
 * finding: its held-out sets are too small for most effects to clear the detectors' binomial null. Each method returns the argument list of a real command, for
 * {@link Main#execute}, so the demo shows command lines a user can copy.
 */
public final class WorldDemo {
    /** The experiment name the demo's runs are stored under. */
    public static final String EXPERIMENT = "demo-world";

    private WorldDemo() {}

    /** {@code scalelab world sweep …} for the demo (resumable; finished runs are skipped on a second demo). */
    public static String[] sweepArgs(Path lab) {
        return new String[] {"world", "sweep", "--lab", lab.toString(), "--experiment", EXPERIMENT, "--widths", "32,64", "--depths", "1,2",
            "--seeds", "1", "--entities", "64", "--steps", "1500", "--lr", "3e-3", "--weight-decay", "0.1", "--batch", "64", "--eval-per-decade", "6",
            "--parallel", "2"};
    }

    /** {@code scalelab world report …} writing the demo's world report to {@code out}. */
    public static String[] reportArgs(Path lab, Path out) {
        return new String[] {"world", "report", "--lab", lab.toString(), "--experiment", EXPERIMENT, "--out", out.toString()};
    }

    /** Examples scored per task and model size: a sample drawn with a fixed seed, the same examples for every size. */
    static final int EVAL_LIMIT = 100;

    /** {@code scalelab world tasks …} writing the demo world's task files into {@code out}. */
    public static String[] tasksArgs(Path lab, Path out) {
        return new String[] {"world", "tasks", "--world", WorldLab.worldDir(lab, EXPERIMENT).toString(), "--out", out.toString(), "--force"};
    }

    /**
     * {@code scalelab eval …} of one model size on the three world tasks, named after its size (every
     * run's final checkpoint folder has the same name), with per-example records for the paired comparison
 * (in the demo's own data folder, replaced by a re-run).
     */
    public static String[] evalArgs(Path checkpoint, String size, Path tasks, Path examplesOut, Path out) {
        return new String[] {"eval", "--model", checkpoint.toString(), "--name", modelName(size),
            "--task", tasks.resolve(WorldTasks.TRUE_FALSE).toString(), "--task", tasks.resolve(WorldTasks.COMPOSITION).toString(),
            "--task", tasks.resolve(WorldTasks.ANALOGY).toString(), "--limit", Integer.toString(EVAL_LIMIT), "--seed", "1",
            "--examples-out", examplesOut.toString(), "--force", "--out", out.toString(), "--json"};
    }

    /** How the lab and the demo's report name the demo's model of one size (e.g. w64-d2). */
    public static String modelName(String size) {
        return EXPERIMENT + "-" + size;
    }

    /** The analogy the lens reads: the first one the models were trained on, whose answer they should know. */
    public static EvalExample lensExample(Path tasks) {
        EvalTask analogies = EvalTask.read(tasks.resolve(WorldTasks.ANALOGY));
        return analogies.examples().stream().filter(e -> "train".equals(e.labels().get("split"))).findFirst()
                .orElse(analogies.examples().get(0));
    }

    /** {@code scalelab world phase-prompts …}: the demo world's truth and reasoning prompt sets and held-out tasks, into {@code out}. */
    public static String[] phasePromptsArgs(Path lab, Path out) {
        return new String[] {"world", "phase-prompts", "--world", WorldLab.worldDir(lab, EXPERIMENT).toString(), "--out", out.toString(),
            "--force", "--json"};
    }

    /** {@code scalelab world capture …} of both phase prompt sets at each model's last position: the residual stream and every head's write. */
    public static String[] phaseCaptureArgs(Path lab, Path prompts) {
        return new String[] {"world", "capture", "--lab", lab.toString(), "--experiment", EXPERIMENT, "--name", "phase", "--positions", "last",
            "--prompts", prompts.resolve("truth-prompts.jsonl").toString(), "--prompts", prompts.resolve("reasoning-prompts.jsonl").toString(),
            "--hooks", "blocks.*.hook_resid_post,blocks.*.attn.hook_result", "--json"};
    }

    /** Trained trajectories (all hop counts, the four domains in turn) whose chains each model size generates: plenty to show the pipeline. */
    static final int COT_LIMIT = 80;

    /**
     * The step rule of the world's chains: every entity token starts a step, so a generated chain of k
     * entities has k steps (the first one also where generation starts).
     */
    public static final String STEP_RULE = "regex:<e_\\d+>";

    /** {@code scalelab world cot-prompts …}: the first trained trajectories of every hop count, as questions for generate, into {@code out}. */
    public static String[] cotPromptsArgs(Path lab, Path out) {
        return new String[] {"world", "cot-prompts", "--world", WorldLab.worldDir(lab, EXPERIMENT).toString(), "--out", out.toString(),
            "--split", "train", "--limit", Integer.toString(COT_LIMIT), "--force", "--json"};
    }

    /**
     * {@code scalelab generate …} of one model size's chains, every layer's residual stream captured
     * while generating, the chain cut into steps at each entity. The world's models are trained to end a
     * chain with ⟨eos⟩, where generation stops, so a chain is as long as the model makes it; the room
     * of {@link #cotMaxTokens} tokens only cuts a chain that would not end.
     */
    public static String[] cotGenerateArgs(Path checkpoint, Path prompts, int maxHops, Path out) {
        return new String[] {"generate", "--model", checkpoint.toString(), "--prompts", prompts.toString(), "--max-tokens",
            Integer.toString(cotMaxTokens(maxHops)), "--steps", STEP_RULE, "--capture-hooks", "blocks.*.hook_resid_post", "--capture-out", out.toString()};
    }

    /**
     * Tokens a chain may take: the longest question's chain, one entity more, and its ⟨eos⟩. A chain cut
     * there has maxHops + 1 steps (its last token is never read back, so it starts none).
     */
    public static int cotMaxTokens(int maxHops) {
        return maxHops + 2;
    }

    /** Where the chains of one model size are captured. */
    public static Path cotSetDir(Path lab, String size) {
        return lab.resolve("activations").resolve("world-" + EXPERIMENT + "-cot-" + size);
    }
}
