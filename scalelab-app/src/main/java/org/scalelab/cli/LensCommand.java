package org.scalelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.interp.Lens;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Prompt;
import org.scalelab.model.Transformer;
import org.scalelab.report.LensRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "lens",
        mixinStandardHelpOptions = true,
        description = {
            "Logit lens and direct logit attribution of a token at the prompt's last position.",
            "Logit lens: the residual stream entering layer 0 and leaving each layer read through the final norm (with that residual's",
            "own scale) and the unembedding: the target's logit, rank and probability, and the top tokens.",
            "With --attribution, direct logit attribution: each head's, MLP's and embedding's contribution to the target's logit (or to",
            "target − --vs), with the final norm's scale frozen from the last layer as TransformerLens does; the terms sum to the logit."
        },
        footer = {"", "Examples:",
            "  scalelab lens --model lab/models/gpt2 --prompt 'The Eiffel Tower is in the city of' --target ' Paris'",
            "  scalelab lens --model lab/models/gpt2 --prompt 'The Eiffel Tower is in the city of' --target ' Paris' --vs ' Rome' --attribution",
            "  scalelab lens --model lab/models/gpt2 --prompts prompts.jsonl --target ' Paris' --attribution --json"})
final class LensCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "One prompt (or use --prompts).")
    String prompt;

    @Option(names = "--prompts", paramLabel = "FILE", description = "JSONL prompts (id, text), each read at its last position.")
    Path prompts;

    @Option(names = "--target", required = true, paramLabel = "TOKEN", description = "The token read (one token; mind the leading space, e.g. ' Paris').")
    String target;

    @Option(names = "--vs", paramLabel = "TOKEN", description = "A second token: the logit difference target − vs is read and attributed.")
    String versus;

    @Option(names = "--attribution", description = "Also the direct logit attribution of every head, MLP and embedding.")
    boolean attribution;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Top tokens listed per layer. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--no-special-tokens", description = "Encode the prompts exactly as written, without the tokenizer's special tokens (e.g. a BOS).")
    boolean noSpecialTokens;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", description = "Compute dtype: float32 or float16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype);
        if ((prompt == null) == (prompts == null)) {
            throw new InputException("--prompt / --prompts: give exactly one (a text, or a JSONL file of prompts)");
        }
        if (top < 0) {
            throw new InputException("--top: " + top + " must be >= 0");
        }
        List<Prompt> list = prompts != null ? Prompt.readJsonl(prompts)
                : List.of(new Prompt("prompt", prompt, null, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of()));
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            int targetId = oneToken(tok, "--target", target);
            int versusId = versus == null ? -1 : oneToken(tok, "--vs", versus);
            List<Lens.Prompt> encoded = new ArrayList<>();
            for (Prompt p : list) {
                int[] ids = tok.encode(p.text(), !noSpecialTokens);
                if (ids.length == 0) {
                    throw new InputException(p.where() + ": the text encodes to no tokens");
                }
                encoded.add(new Lens.Prompt(p.id(), ids));
            }
            List<Provenance.Input> sources = prompts == null ? List.of()
                    : List.of(new Provenance.Input(prompts.toString(), Provenance.sha256(prompts), list.size()));
            Lens.Result r = Lens.analyze(new Lens.Input(t, encoded, id -> tok.decode(new int[] {id}), sources),
                    new Lens.Options(targetId, versusId, top, attribution));
            CliSupport.emit(spec, lab, output, "interp.lens", r, r.provenance(), new LensRenderer());
        }
        return 0;
    }

    private static int oneToken(ModelTokenizer tok, String option, String text) {
        int[] ids = tok.encode(text, false);
        if (ids.length != 1) {
            throw new InputException(option + ": '" + InputException.quote(text) + "' is " + ids.length
                    + " tokens; the lens reads one token's logit (mind the leading space)");
        }
        return ids[0];
    }
}
