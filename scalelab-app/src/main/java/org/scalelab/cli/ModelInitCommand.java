package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.Families;
import org.scalelab.model.Family;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInfo;
import org.scalelab.model.ModelInit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {"Write a random checkpoint in the Hugging Face layout.",
            "config.json + model.safetensors with the family's published initialisation, and a",
            "byte-level tokenizer.json when --vocab is at least 256. Same options and seed, same",
            "bytes. Used for tests, demos and as the starting point of training."},
        footer = {"", "Examples:", "  scalelab model init --family gpt2 --d-model 64 --layers 2 --heads 4 --vocab 256 --seed 1 --out lab/models/tiny-gpt2",
            "  scalelab model init --family gemma2 --d-model 64 --layers 2 --heads 4 --kv-heads 2 --head-dim 32 --sliding-window 8 --vocab 256 --out lab/models/tiny-gemma2",
            "", "Families:"})
final class ModelInitCommand implements Callable<Integer> {
    CommandSpec spec;

    /** Lists the families the runtime finds under the footer's "Families:", one per line with what sets it apart. */
    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        List<String> footer = new ArrayList<>(List.of(spec.usageMessage().footer()));
        for (Family f : Families.all()) {
            footer.add("  " + f.modelType() + ": " + f.summary());
        }
        spec.usageMessage().footer(footer.toArray(String[]::new));
    }

    @Option(names = "--family", required = true, paramLabel = "NAME", description = "Architecture: the model_type of one of the families listed below.")
    String family;

    @Option(names = "--d-model", required = true, paramLabel = "N", description = "Residual stream width.")
    int dModel;

    @Option(names = "--layers", required = true, paramLabel = "N", description = "Number of transformer blocks.")
    int layers;

    @Option(names = "--heads", required = true, paramLabel = "N", description = "Attention (query) heads; must divide --d-model unless --head-dim is given.")
    int heads;

    @Option(names = "--head-dim", paramLabel = "N", description = "Width of one head; default --d-model / --heads (Gemma's heads may be wider: 16 × 256 on 3072).")
    Integer headDim;

    @Option(names = "--sliding-window", paramLabel = "N", description = "Families with sliding-window attention: attend to the last N positions only"
            + " (itself included); on gemma2 the window of its local layers (default 4096).")
    Integer slidingWindow;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads of the rotary families (grouped-query attention); default: --heads.")
    Integer kvHeads;

    @Option(names = "--d-mlp", paramLabel = "N", description = "MLP hidden width; default: the family's (4·d_model for gpt2 and gpt_neox, 8/3·d_model rounded up to a multiple of 8 for the gated MLPs).")
    Integer dMlp;

    @Option(names = "--vocab", required = true, paramLabel = "N", description = "Vocabulary size.")
    int vocab;

    @Option(names = "--max-positions", paramLabel = "N", defaultValue = "1024", description = "Longest sequence (gpt2: rows of the position table). Default: ${DEFAULT-VALUE}.")
    int maxPositions;

    @Option(names = "--rope-theta", paramLabel = "X", description = "RoPE base of the rotary families. Default: the family's published one (1000000 for qwen2, else 10000).")
    Double ropeTheta;

    @Option(names = "--tie-embeddings", description = "Reuse the token embedding as the unembedding, for a family that does not already (gpt2, gemma, gemma2 and gpt_neox made here always do).")
    boolean tie;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder: new or empty (never one holding a checkpoint or other files).")
    Path out;

    @Option(names = "--json", description = "Print the written checkpoint's information as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Family f = Families.find(family);
        if (f == null) {
            throw new InputException("--family: \"" + family + "\" is not supported (supported: " + Families.supported() + ")");
        }
        if (heads <= 0 || (headDim == null && dModel % heads != 0)) {
            throw new InputException("--heads: " + heads + " must be positive and divide --d-model " + dModel + " (or give --head-dim)");
        }
        int kv = kvHeads == null ? heads : kvHeads;
        if (!f.groupedQueryAttention() && (kv != heads || headDim != null || (slidingWindow != null && !f.slidingWindow())
                || (ropeTheta != null && !f.rotary()))) {
            throw new InputException(f.rotary()
                    ? "--kv-heads, --head-dim, --sliding-window: " + f.modelType() + " has one kv head per head, head_dim = d_model / heads"
                            + " and no sliding window; omit them"
                    : "--kv-heads, --head-dim, --sliding-window, --rope-theta: " + f.modelType() + " has none of these; omit them");
        }
        if (slidingWindow != null && !f.slidingWindow()) {
            throw new InputException("--sliding-window: " + f.modelType() + " has no sliding-window attention ("
                    + Families.all().stream().filter(Family::slidingWindow).map(Family::modelType).collect(Collectors.joining(", ")) + " do)");
        }
        if (ropeTheta != null && !f.rotary()) {
            throw new InputException("--rope-theta: " + f.modelType() + " has no rotary positions; omit it");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new InputException("--sliding-window: " + slidingWindow + " must be positive");
        }
        int mlp = dMlp != null ? dMlp : f.defaultMlpWidth(dModel);
        ModelConfig defaults = f.defaults(vocab, dModel, layers, heads, kv, headDim != null ? headDim : dModel / heads, mlp, maxPositions);
        if (tie && defaults.tieWordEmbeddings()) {
            throw new InputException("--tie-embeddings: " + f.modelType() + " always ties its embeddings; omit it");
        }
        ModelConfig config = defaults;
        if (ropeTheta != null) {
            config = new ModelConfig(f, vocab, dModel, layers, heads, kv, config.headDim(), mlp, maxPositions, config.normEps(), ropeTheta,
                    null, config.tieWordEmbeddings(), config.activation(), config.options());
        }
        if (tie) {
            config = config.withTiedEmbeddings(true);
        }
        if (slidingWindow != null) {
            config = config.withOptions(config.options().withSlidingWindow(slidingWindow));
        }
        ModelInit.write(out, config, seed);
        ModelInfo info = ModelInfo.read(out);
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.pretty(info));
        } else {
            pw.printf("wrote %s: %s, %,d parameters (d_model %d, %d layers, %d heads of %d, %d kv heads), seed %d%n", out, f.modelType(),
                    info.parameterCount(), dModel, layers, heads, config.headDim(), kv, seed);
        }
        pw.flush();
        return 0;
    }
}
