package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.eval.DistributedRuns;
import org.scalelab.io.Json;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.StepRule;
import org.scalelab.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "capture",
        mixinStandardHelpOptions = true,
        description = {"Run prompts through a model and save activations as an activation set.",
            "Writes OUT/manifest.json and OUT/shard-00000.safetensors …: per hook a float32 [rows, d_model]",
            "tensor named by the hook, plus trajectory_index, token_position and token_id. Memory stays",
            "bounded by one shard; run the same command again to resume an interrupted capture."},
        footer = {"", "Example:", "  scalelab capture --model lab/models/tiny --prompts prompts.jsonl --hooks 'blocks.*.hook_resid_post' --positions all --out lab/activations/tiny",
            "  scalelab capture --model lab/models/tiny --prompts prompts.jsonl --dtype float16 --out lab/activations/tiny-f16   # half-precision compute",
            "  scalelab capture --model lab/models/tiny --prompts cot.jsonl --steps 'marker:Step ' --out lab/activations/cot   # a step per \"Step \"",
            "  scalelab capture --spark spark://head:7077 --partitions 64 --model /shared/models/m --prompts /shared/p.jsonl --out /shared/acts/m",
            "", "prompts.jsonl, one object per line:", "  {\"id\": \"q1\", \"text\": \"2+2=\", \"domain\": \"math\", \"labels\": {\"correct\": true}}"})
final class CaptureCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL prompts: id, text, optional domain, labels, step_boundaries.")
    Path prompts;

    @Option(names = "--hooks", paramLabel = "GLOBS", split = ",", defaultValue = "blocks.*.hook_resid_post",
            description = "TransformerLens hook names or globs, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<String> hooks;

    @Option(names = "--positions", paramLabel = "SEL", defaultValue = "all", description = "Positions kept per prompt: all, last, 5, or 2:10. Default: ${DEFAULT-VALUE}.")
    String positions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Activation set folder (new, empty, or an unfinished capture to resume).")
    Path out;

    @Option(names = "--shard-mb", paramLabel = "MB", defaultValue = "64", description = "Shard size in MB. Default: ${DEFAULT-VALUE}.")
    double shardMb;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Prompts per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32",
            description = "Compute dtype: float32 or float16 (weights converted once at load, half the memory; activations still saved as float32)."
                    + " bfloat16 is refused: the engine bridge cannot hold it. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--no-special-tokens",
            description = "Encode each prompt exactly as written. By default prompts get the special tokens the tokenizer's"
                    + " post-processor adds, as transformers' tokenizer(text) does (Llama's, Mistral's and Gemma's leading BOS;"
                    + " GPT-2's and ScaleLab's byte-level tokenizers add none). Positions and step boundaries count those tokens.")
    boolean noSpecialTokens;

    @Option(names = "--steps", paramLabel = "RULE",
            description = {"Cut each text into reasoning steps and record where each starts as its step_boundaries (token positions,"
                    + " special tokens counted), instead of the prompts' own: newline (each non-blank line), sentence (after . ! ?"
                    + " and whitespace), marker:TEXT (each occurrence of TEXT opens a step, e.g. 'marker:Step ') or regex:PATTERN"
                    + " (each match's start, e.g. 'regex:(?m)^\\d+\\.'). A text in which the rule finds no step keeps its own"
                    + " boundaries, and a warning says how many did. The manifest records the rule as step_rule."})
    String steps;

    @Mixin
    SteerOptions steering;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Capture on Apache Spark: local[N], spark://host:port or yarn. The prompts are split into partitions, each executor"
                    + " loads the model once and writes its own shards, merged into one activation set equal to this command's without"
                    + " --spark. The model, prompts and --out must be at the same path on every executor (a shared file system)."
                    + " Writes a new --out (no resume) and takes no --steer/--ablate/--replace; needs the Spark module (docs/scale-out.md).")
    String spark;

    @Option(names = "--partitions", paramLabel = "N",
            description = "With --spark: split the prompts into at most N Spark tasks (whole batches each). Default: the cluster's default parallelism.")
    Integer partitions;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    /** How to put the Spark module on the class path, when it is not there. */
    static final String NO_SPARK = "--spark needs ScaleLab's Spark module on the class path: build it (mvn -DskipTests package builds "
            + "scalelab-spark/target/scalelab-spark.jar and its lib/, which bin/scalelab then adds), or run the shaded jar with spark-submit "
            + "(docs/scale-out.md, \"Spark: capture and eval\")";

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype); // before any file is read: a bad name is the first error
        StepRule rule = steps == null ? null : StepRule.parse(steps);
        if (!(shardMb > 0)) {
            throw new InputException("--shard-mb: " + shardMb + " must be positive");
        }
        Capture.Options options = new Capture.Options(hooks, Positions.parse(positions), Math.max(1, (long) (shardMb * (1 << 20))), batch,
                steering.interventions(), !noSpecialTokens, rule);
        int parts = checkSpark(options);
        Capture.Summary s;
        if (spark != null) {
            s = DistributedRuns.find(NO_SPARK).capture(spark, model, compute, prompts, out, options, parts);
        } else {
            s = onThisMachine(compute, options);
        }
        s.unsegmentedWarning(rule, "the prompts file's step_boundaries (if any)").ifPresent(w -> {
            spec.commandLine().getErr().println(w);
            spec.commandLine().getErr().flush();
        });
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.pretty(s));
        } else {
            pw.printf("captured %d prompts (%d resumed from an earlier run), %,d new rows of %d hooks, %d shards → %s%n",
                    s.trajectories(), s.resumed(), s.rows(), s.hooks().size(), s.shards(), s.out());
        }
        pw.flush();
        return 0;
    }

    /** The capture in this process: the model loaded here, an unfinished capture in --out resumed. */
    private Capture.Summary onThisMachine(ComputeDType compute, Capture.Options options) {
        List<Prompt> list = Prompt.readJsonl(prompts);
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            return Capture.run(t, tok, list, out, options);
        }
    }

    /**
     * --spark's and --partitions' refusals, before the Spark module is looked for: what a capture on Spark does not do
     * (interventions, resuming into an existing folder) is one line whether or not that module is there.
     * Returns the partitions asked for (0: the cluster's default).
     */
    private int checkSpark(Capture.Options options) {
        if (spark == null) {
            if (partitions != null) {
                throw new InputException("--partitions " + partitions + ": splits a capture on Spark; give --spark MASTER too");
            }
            return 0;
        }
        if (spark.isBlank()) {
            throw new InputException("--spark: give a master (local[2], spark://host:7077 or yarn)");
        }
        if (partitions != null && partitions < 1) {
            throw new InputException("--partitions " + partitions + ": must be at least 1");
        }
        if (!options.interventions().isEmpty()) {
            throw new InputException("--spark: captures the unmodified model; run --steer/--ablate/--replace without --spark");
        }
        if (Files.exists(out)) {
            throw new InputException("--out " + out + ": exists; a capture on Spark writes a new folder (to resume an interrupted"
                    + " single-machine capture, run capture without --spark)");
        }
        return partitions == null ? 0 : partitions;
    }
}
