package org.scalelab.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.Generation;
import org.scalelab.model.GenerationCapture;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Prompt;
import org.scalelab.model.Sampler;
import org.scalelab.model.StepRule;
import org.scalelab.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Continue a prompt (or every prompt of a JSONL file) with a model and print the generated text.",
            "Greedy by default; --temperature samples (with --top-k, --top-p, --seed). Stops at the",
            "tokenizer's end-of-text token or after --max-tokens. --steer adds α·v, --ablate projects v out,",
            "--replace sets the activation to v at a hook on every step. --capture-out saves the activations",
            "computed while generating (prompt and generated tokens) as an activation set, as `capture` does."},
        footer = {"", "Examples:", "  scalelab generate --model lab/models/tiny --prompt \"Once upon a time\" --max-tokens 20 --steer v.npy --alpha 4 --at blocks.1.hook_resid_post",
            "  scalelab generate --model lab/models/tiny --prompts prompts.jsonl --max-tokens 32 --capture-hooks 'blocks.*.hook_resid_post' --capture-out lab/activations/gen",
            "  scalelab generate --model lab/models/tiny --prompt \"Once upon a time\" --dtype float16",
            "  scalelab generate --model lab/models/tiny --prompts cot.jsonl --max-tokens 256 --steps newline --capture-hooks 'blocks.*.hook_resid_post' --capture-out lab/activations/cot",
            "      # a step at each non-blank line of every generated chain of thought",
            "", "With --prompts, prints one JSON line per prompt: {\"id\": …, \"completion\": …}."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Text to continue (or use --prompts).")
    String prompt;

    @Option(names = "--prompts", paramLabel = "FILE", description = "JSONL prompts (id, text, optional domain, labels) to continue one after the other.")
    Path prompts;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Most tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "Sampling temperature; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among the K likeliest tokens only; 0: all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Sample from the smallest set of tokens with probability ≥ P. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed for sampling (the same for every prompt). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-special-tokens",
            description = "Encode each prompt exactly as written. By default prompts get the special tokens the tokenizer's"
                    + " post-processor adds, as transformers' tokenizer(text) does (Llama's, Mistral's and Gemma's leading BOS;"
                    + " GPT-2's and ScaleLab's byte-level tokenizers add none). Positions and step boundaries count those tokens.")
    boolean noSpecialTokens;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32",
            description = "Compute dtype: float32 or float16 (weights converted once at load, half the memory; activations still saved as float32)."
                    + " bfloat16 is refused: the engine bridge cannot hold it. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Mixin
    SteerOptions steering;

    @Option(names = "--include-prompt", description = "Print the prompt before the generated text.")
    boolean includePrompt;

    @Option(names = "--capture-hooks", paramLabel = "GLOBS", split = ",",
            description = "Hooks whose activations are saved while generating (with --capture-out), e.g. 'blocks.*.hook_resid_post'.")
    List<String> captureHooks;

    @Option(names = "--capture-out", paramLabel = "DIR", description = "Activation set folder for the activations of every fed position (new, empty,"
            + " or an unfinished run to resume). One trajectory per prompt; the first generated position is added to its step_boundaries.")
    Path captureOut;

    @Option(names = "--shard-mb", paramLabel = "MB", defaultValue = "64", description = "With --capture-out: shard size in MB. Default: ${DEFAULT-VALUE}.")
    double shardMb;

    @Option(names = "--steps", paramLabel = "RULE",
            description = {"With --capture-out: cut each generated continuation into reasoning steps and add where each starts to"
                    + " the trajectory's step_boundaries (the prompt keeps its own, and where generation starts stays one): newline"
                    + " (each non-blank line), sentence (after . ! ? and whitespace), marker:TEXT (each occurrence opens a step, e.g."
                    + " 'marker:Step ') or regex:PATTERN (each match's start, e.g. 'regex:<e_\\d+>' for the controlled world's"
                    + " entities). No step starts at the last generated token (it is never fed, so it has no activations). A"
                    + " continuation in which the rule finds no step gets a warning. The manifest records the rule as step_rule."})
    String steps;

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype); // before any file is read: a bad name is the first error
        StepRule rule = steps == null ? null : StepRule.parse(steps);
        if ((prompt == null) == (prompts == null)) {
            throw new InputException("--prompt / --prompts: give exactly one (a text to continue, or a JSONL file of prompts)");
        }
        if ((captureHooks != null) != (captureOut != null)) {
            throw new InputException(captureOut == null ? "--capture-hooks: needs --capture-out DIR to write the activations to"
                    : "--capture-out: needs --capture-hooks, e.g. --capture-hooks 'blocks.*.hook_resid_post'");
        }
        if (rule != null && captureOut == null) {
            throw new InputException("--steps: needs --capture-out DIR (the steps are recorded in the activation set's step_boundaries)");
        }
        if (!(shardMb > 0)) {
            throw new InputException("--shard-mb: " + shardMb + " must be positive");
        }
        Sampler sampler = new Sampler(temperature, topK, topP);
        List<Intervention> interventions = steering.interventions();
        List<Prompt> list = prompts != null ? Prompt.readJsonl(prompts)
                : List.of(new Prompt("prompt", prompt, null, JsonNodeFactory.instance.objectNode(), List.of()));
        PrintWriter pw = spec.commandLine().getOut();
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            int[] stops = tok.endOfText() < 0 ? new int[0] : new int[] {tok.endOfText()};
            if (captureOut != null) {
                GenerationCapture.Options o = new GenerationCapture.Options(captureHooks, maxTokens, sampler, seed, stops,
                        Math.max(1, (long) (shardMb * (1 << 20))), interventions, !noSpecialTokens, rule);
                Capture.Summary s = GenerationCapture.run(t, tok, list, captureOut, o,
                        done -> print(pw, done.prompt(), tok, done.generated(), stops));
                PrintWriter err = spec.commandLine().getErr();
                err.printf("captured %d generations (%d resumed from an earlier run), %,d new rows of %d hooks, %d shards → %s%n",
                        s.trajectories(), s.resumed(), s.rows(), s.hooks().size(), s.shards(), s.out());
                s.unsegmentedWarning(rule, "the prompt's step_boundaries and where generation starts").ifPresent(err::println);
                err.flush();
            } else {
                HookSet hooks = HookSet.none().with(interventions.toArray(Intervention[]::new));
                for (Prompt p : list) {
                    print(pw, p, tok, Generation.sample(t, tok.encode(p.text(), !noSpecialTokens), maxTokens, sampler, seed, hooks, stops), stops);
                }
            }
        }
        return 0;
    }

    private void print(PrintWriter pw, Prompt p, ModelTokenizer tok, int[] generated, int[] stops) {
        int[] out = generated;
        if (out.length > 0 && stops.length > 0 && out[out.length - 1] == stops[0]) {
            out = Arrays.copyOf(out, out.length - 1); // the end-of-text token is not text
        }
        String text = tok.decode(out);
        String shown = includePrompt ? p.text() + text : text;
        if (prompts == null) {
            pw.println(shown);
        } else {
            ObjectNode line = Json.mapper().createObjectNode();
            line.put("id", p.id());
            line.put("completion", shown);
            pw.println(line.toString());
        }
        pw.flush();
    }
}
