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
        footer = {"", "Example:", "  scalelab model init --family gpt2 --d-model 64 --layers 2 --heads 4 --vocab 256 --seed 1 --out lab/models/tiny-gpt2"})
final class ModelInitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--family", required = true, paramLabel = "NAME", description = "Architecture: gpt2 or llama.")
    String family;

    @Option(names = "--d-model", required = true, paramLabel = "N", description = "Residual stream width.")
    int dModel;

    @Option(names = "--layers", required = true, paramLabel = "N", description = "Number of transformer blocks.")
    int layers;

    @Option(names = "--heads", required = true, paramLabel = "N", description = "Attention (query) heads; must divide --d-model.")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "llama: key/value heads (grouped-query attention); default: --heads.")
    Integer kvHeads;

    @Option(names = "--d-mlp", paramLabel = "N", description = "MLP hidden width; default 4·d_model (gpt2) or 8/3·d_model rounded up to a multiple of 8 (llama).")
    Integer dMlp;

    @Option(names = "--vocab", required = true, paramLabel = "N", description = "Vocabulary size.")
    int vocab;

    @Option(names = "--max-positions", paramLabel = "N", defaultValue = "1024", description = "Longest sequence (gpt2: rows of the position table). Default: ${DEFAULT-VALUE}.")
    int maxPositions;

    @Option(names = "--rope-theta", paramLabel = "X", defaultValue = "10000", description = "llama: RoPE base. Default: ${DEFAULT-VALUE}.")
    double ropeTheta;

    @Option(names = "--tie-embeddings", description = "llama: reuse the token embedding as the unembedding (gpt2 always does).")
    boolean tie;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder (must not hold a checkpoint already).")
    Path out;

    @Option(names = "--json", description = "Print the written checkpoint's information as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Family f = Family.fromModelType(family);
        if (f == null) {
            throw new InputException("--family: \"" + family + "\" is not supported (supported: " + Family.supported() + ")");
        }
        if (heads <= 0 || dModel % heads != 0) {
            throw new InputException("--heads: " + heads + " must be positive and divide --d-model " + dModel);
        }
        ModelConfig config = switch (f) {
            case GPT2 -> {
                if (kvHeads != null && kvHeads != heads) {
                    throw new InputException("--kv-heads: gpt2 has no grouped-query attention; omit it");
                }
                ModelConfig base = ModelConfig.gpt2(vocab, dModel, layers, heads, maxPositions);
                yield dMlp == null ? base : new ModelConfig(f, vocab, dModel, layers, heads, heads, dModel / heads, dMlp,
                        maxPositions, base.normEps(), 0, true, base.activation());
            }
            // Llama's MLP keeps the parameter count of a 4·d GELU MLP with three matrices: 2/3 · 4d (Touvron et al. 2023, §2.2).
            case LLAMA -> ModelConfig.llama(vocab, dModel, layers, heads, kvHeads == null ? heads : kvHeads,
                    dMlp != null ? dMlp : (8 * dModel / 3 + 7) / 8 * 8, maxPositions, ropeTheta, tie);
        };
        ModelInit.write(out, config, seed);
        ModelInfo info = ModelInfo.read(out);
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.pretty(info));
        } else {
            pw.printf("wrote %s: %s, %,d parameters (d_model %d, %d layers, %d heads), seed %d%n", out, f.modelType(),
                    info.parameterCount(), dModel, layers, heads, seed);
        }
        pw.flush();
        return 0;
    }
}
