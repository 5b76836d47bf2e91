package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
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
            "", "Families: gpt2, llama, mistral (sliding window), qwen2 (q/k/v biases), gemma (√d embedding scale, (1+w) RMSNorm, GeGLU),",
            "gemma2 (+ sandwich norms, soft-capping, alternating window), phi3 (fused qkv_proj and gate_up_proj),",
            "gpt_neox (GPT-2-like pre-LN block with rotary positions: the controlled world's model)."})
final class ModelInitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--family", required = true, paramLabel = "NAME", description = "Architecture: gpt2, llama, mistral, qwen2, gemma, gemma2, phi3, or gpt_neox (GPT-2-like pre-LN block with RoPE).")
    String family;

    @Option(names = "--d-model", required = true, paramLabel = "N", description = "Residual stream width.")
    int dModel;

    @Option(names = "--layers", required = true, paramLabel = "N", description = "Number of transformer blocks.")
    int layers;

    @Option(names = "--heads", required = true, paramLabel = "N", description = "Attention (query) heads; must divide --d-model unless --head-dim is given.")
    int heads;

    @Option(names = "--head-dim", paramLabel = "N", description = "Width of one head; default --d-model / --heads (Gemma's heads may be wider: 16 × 256 on 3072).")
    Integer headDim;

    @Option(names = "--sliding-window", paramLabel = "N", description = "mistral, phi3, qwen2: attend to the last N positions only (itself included);"
            + " gemma2: the window of its local layers (default 4096).")
    Integer slidingWindow;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads of the rotary families (grouped-query attention); default: --heads.")
    Integer kvHeads;

    @Option(names = "--d-mlp", paramLabel = "N", description = "MLP hidden width; default 4·d_model (gpt2) or 8/3·d_model rounded up to a multiple of 8 (the others).")
    Integer dMlp;

    @Option(names = "--vocab", required = true, paramLabel = "N", description = "Vocabulary size.")
    int vocab;

    @Option(names = "--max-positions", paramLabel = "N", defaultValue = "1024", description = "Longest sequence (gpt2: rows of the position table). Default: ${DEFAULT-VALUE}.")
    int maxPositions;

    @Option(names = "--rope-theta", paramLabel = "X", description = "RoPE base of the rotary families. Default: 1000000 for qwen2, else 10000.")
    Double ropeTheta;

    @Option(names = "--tie-embeddings", description = "llama, mistral, qwen2, phi3: reuse the token embedding as the unembedding (gpt2, gemma and gpt_neox made here always do).")
    boolean tie;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder: new or empty (never one holding a checkpoint or other files).")
    Path out;

    @Option(names = "--json", description = "Print the written checkpoint's information as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Family f = Family.fromModelType(family);
        if (f == null) {
            throw new InputException("--family: \"" + family + "\" is not supported (supported: " + Family.supported() + ")");
        }
        if (heads <= 0 || (headDim == null && dModel % heads != 0)) {
            throw new InputException("--heads: " + heads + " must be positive and divide --d-model " + dModel + " (or give --head-dim)");
        }
        int kv = kvHeads == null ? heads : kvHeads;
        if (f == Family.GPT2 && (kv != heads || headDim != null || slidingWindow != null || ropeTheta != null)) {
            throw new InputException("--kv-heads, --head-dim, --sliding-window, --rope-theta: gpt2 has none of these; omit them");
        }
        if (f == Family.GPT_NEOX && (kv != heads || headDim != null || slidingWindow != null)) {
            throw new InputException("--kv-heads, --head-dim, --sliding-window: gpt_neox has one kv head per head, head_dim = d_model / heads"
                    + " and no sliding window; omit them");
        }
        if (slidingWindow != null && (f == Family.LLAMA || f == Family.GEMMA)) {
            throw new InputException("--sliding-window: " + f.modelType() + " has no sliding-window attention (mistral, qwen2, gemma2 and phi3 do)");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new InputException("--sliding-window: " + slidingWindow + " must be positive");
        }
        if (tie && (f == Family.GPT2 || f == Family.GEMMA || f == Family.GEMMA2 || f == Family.GPT_NEOX)) {
            throw new InputException("--tie-embeddings: " + f.modelType() + " always ties its embeddings; omit it");
        }
        // The rotary families' MLP keeps the parameter count of a 4·d GELU MLP with three matrices: 2/3 · 4d (Touvron et al. 2023, §2.2).
        int mlp = dMlp != null ? dMlp : f == Family.GPT2 || f == Family.GPT_NEOX ? 4 * dModel : (8 * dModel / 3 + 7) / 8 * 8;
        ModelConfig config = ModelConfig.of(f, vocab, dModel, layers, heads, kv, headDim != null ? headDim : dModel / heads, mlp, maxPositions);
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
