package org.scalelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.interp.PatchPair;
import org.scalelab.interp.Patching;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.report.PatchingRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "patch",
        mixinStandardHelpOptions = true,
        description = {
            "Activation patching and head ablation, scored by the normalised logit-difference recovery.",
            "Each pair's corrupted prompt is run with one activation taken from its clean prompt, cell by cell; the recovery is",
            "(LD_patched − LD_corrupted) / (LD_clean − LD_corrupted), 0 = corrupted, 1 = clean, as TransformerLens' patching utilities.",
            "With --ablate, remove each head in turn from the clean runs instead (zero or mean ablation), scored the same way."
        },
        footer = {"", "Pairs file (JSONL, one pair a line; clean and corrupted must tokenise to the same length, answers to one token):",
            "  {\"id\":\"p1\",\"clean\":\"When Mary and John went to the store, John gave a drink to\",",
            "   \"corrupted\":\"When Mary and John went to the store, Mary gave a drink to\",\"answer\":\" Mary\",\"wrong\":\" John\"}",
            "", "Examples:",
            "  scalelab patch --model lab/models/gpt2 --pairs ioi.jsonl --by layer-position            # resid_pre, layer × position",
            "  scalelab patch --model lab/models/gpt2 --pairs ioi.jsonl --by layer-head --out lab/reports/ioi-heads",
            "  scalelab patch --model lab/models/gpt2 --pairs ioi.jsonl --by hook --json               # resid_pre, attn_out, mlp_out × layer",
            "  scalelab patch --model lab/models/gpt2 --pairs ioi.jsonl --ablate mean                  # each head mean-ablated"})
final class PatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--pairs", required = true, paramLabel = "FILE", description = "JSONL pairs: id, clean, corrupted, answer, wrong.")
    Path pairs;

    @Option(names = "--by", paramLabel = "GRID", defaultValue = "layer-position",
            description = "layer-position (one hook kind at one position), layer-head (one head at every position) or hook"
                    + " (resid_pre, attn_out and mlp_out whole, per layer). Default: ${DEFAULT-VALUE}.")
    String by;

    @Option(names = "--hook", paramLabel = "KIND",
            description = "The hook kind patched in every block, e.g. resid_pre, resid_mid, attn_out, mlp_out (layer-position; default resid_pre),"
                    + " z, result, q, k, v, pattern (layer-head and --ablate; default z). With grouped-query attention k and v have one head per"
                    + " key/value group, shared by its query heads.")
    String hook;

    @Option(names = "--ablate", paramLabel = "zero|mean",
            description = "Instead of patching: remove each head of each layer from the clean runs, its activation set to zero or to its"
                    + " mean over every clean prompt and position.")
    String ablate;

    @Option(names = "--no-special-tokens", description = "Encode the prompts exactly as written, without the tokenizer's special tokens (e.g. a BOS).")
    boolean noSpecialTokens;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", description = "Compute dtype: float32 or float16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype);
        Patching.By grid = parseBy(by);
        Patching.Ablation ablation = ablate == null ? null : parseAblation(ablate);
        if (ablation != null && spec.commandLine().getParseResult().hasMatchedOption("--by") && grid != Patching.By.LAYER_HEAD) {
            throw new InputException("--ablate: heads are ablated one at a time, a layer × head grid; drop --by " + by + " (or give --by layer-head)");
        }
        List<PatchPair> read = PatchPair.read(pairs);
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            List<PatchPair.Tokens> tokens = new ArrayList<>();
            for (PatchPair p : read) {
                tokens.add(p.tokenize(tok, !noSpecialTokens));
            }
            Map<Integer, String> positionTokens = new LinkedHashMap<>();
            int[] first = tokens.get(0).clean();
            for (int i = 0; i < first.length; i++) {
                positionTokens.put(i, tok.decode(new int[] {first[i]}));
            }
            Patching.Input in = new Patching.Input(t, tokens, List.of(new Provenance.Input(pairs.toString(), Provenance.sha256(pairs), read.size())));
            Patching.Result r = ablation == null ? Patching.patch(in, grid, hook, positionTokens) : Patching.ablate(in, ablation, hook);
            CliSupport.emit(spec, lab, output, ablation == null ? "interp.patch" : "interp.ablate", r, r.provenance(), new PatchingRenderer());
        }
        return 0;
    }

    static Patching.By parseBy(String s) {
        for (Patching.By b : Patching.By.values()) {
            if (b.cliName().equals(s)) {
                return b;
            }
        }
        throw new InputException("--by: '" + InputException.quote(s) + "' is not one of layer-position, layer-head, hook");
    }

    static Patching.Ablation parseAblation(String s) {
        return switch (s) {
            case "zero" -> Patching.Ablation.ZERO;
            case "mean" -> Patching.Ablation.MEAN;
            default -> throw new InputException("--ablate: '" + InputException.quote(s) + "' is not zero or mean");
        };
    }
}
