package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scalelab.model.Generation;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Sampler;
import org.scalelab.model.Transformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Continue a prompt with a model and print the generated text.",
            "Greedy by default; --temperature samples (with --top-k, --top-p, --seed). Stops at the",
            "tokenizer's end-of-text token or after --max-tokens. --steer adds α·v at a hook on every step."},
        footer = {"", "Example:", "  scalelab generate --model lab/models/tiny --prompt \"Once upon a time\" --max-tokens 20 --steer v.npy --alpha 4 --at blocks.1.hook_resid_post"})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Text to continue.")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Most tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "Sampling temperature; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among the K likeliest tokens only; 0: all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Sample from the smallest set of tokens with probability ≥ P. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed for sampling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    SteerOptions steering;

    @Option(names = "--include-prompt", description = "Print the prompt before the generated text.")
    boolean includePrompt;

    @Override
    public Integer call() {
        Sampler sampler = new Sampler(temperature, topK, topP);
        HookSet hooks = HookSet.none().with(steering.interventions().toArray(Intervention[]::new));
        String text;
        try (Transformer t = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            int[] ids = tok.encode(prompt);
            int[] stops = tok.endOfText() < 0 ? new int[0] : new int[] {tok.endOfText()};
            int[] out = Generation.sample(t, ids, maxTokens, sampler, seed, hooks, stops);
            if (out.length > 0 && stops.length > 0 && out[out.length - 1] == stops[0]) {
                out = java.util.Arrays.copyOf(out, out.length - 1); // the end-of-text token is not text
            }
            text = tok.decode(out);
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.println(includePrompt ? prompt + text : text);
        pw.flush();
        return 0;
    }
}
