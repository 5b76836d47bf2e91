package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
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

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype); // before any file is read: a bad name is the first error
        StepRule rule = steps == null ? null : StepRule.parse(steps);
        if (!(shardMb > 0)) {
            throw new InputException("--shard-mb: " + shardMb + " must be positive");
        }
        Capture.Options options = new Capture.Options(hooks, Positions.parse(positions), Math.max(1, (long) (shardMb * (1 << 20))), batch,
                steering.interventions(), !noSpecialTokens, rule);
        List<Prompt> list = Prompt.readJsonl(prompts);
        Capture.Summary s;
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            s = Capture.run(t, tok, list, out, options);
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
}
