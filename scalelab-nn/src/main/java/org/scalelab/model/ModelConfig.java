package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * The shape of a decoder-only transformer, read from (and written as) a Hugging Face
 * {@code config.json}. One record for every family; the family decides which components matter.
 *
 * @param family            architecture: which blocks, norms and weight names to use
 * @param vocabSize         rows of the token embedding and of the unembedding (logit count)
 * @param dModel            width of the residual stream; every hook activation is [.., dModel]
 * @param nLayers           number of transformer blocks (blocks.0 … blocks.{nLayers-1})
 * @param nHeads            query heads per attention layer
 * @param nKvHeads          key/value heads; fewer than nHeads = grouped-query attention (GPT-2: = nHeads)
 * @param headDim           width of one head (usually dModel / nHeads)
 * @param dMlp              hidden width of the MLP (GPT-2: 4·dModel unless n_inner; Llama: intermediate_size)
 * @param maxPositions      longest sequence: GPT-2's learned position table has this many rows
 * @param normEps           epsilon inside LayerNorm / RMSNorm; changes activations at the 1e-6 level
 * @param ropeTheta         RoPE base θ (Su et al. 2021, eq. 15: θ_i = base^(-2i/d)); 0 for GPT-2
 * @param ropeScaling       Llama 3.1-style frequency scaling for long contexts, or null for plain RoPE
 * @param tieWordEmbeddings true: the unembedding reuses the token embedding matrix (no lm_head.weight)
 * @param activation        MLP non-linearity as spelled in config.json (gelu_new, silu, gelu_pytorch_tanh)
 * @param options           the Llama-like families' switches (sliding window, q/k/v bias, soft-capping);
 *                          {@link FamilyOptions#NONE} for GPT-2 and Llama
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int dModel,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int headDim,
        int dMlp,
        int maxPositions,
        double normEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        String activation,
        FamilyOptions options) {

    public static final String FILE = "config.json";

    public ModelConfig {
        String where = "config (" + (family == null ? "?" : family.modelType()) + "): ";
        if (family == null) {
            throw new InputException("config: model family is required (supported: " + Families.supported() + ")");
        }
        requirePositive(where, "vocab_size", vocabSize);
        requirePositive(where, "d_model", dModel);
        requirePositive(where, "n_layers", nLayers);
        requirePositive(where, "n_heads", nHeads);
        requirePositive(where, "n_kv_heads", nKvHeads);
        requirePositive(where, "head_dim", headDim);
        requirePositive(where, "d_mlp", dMlp);
        requirePositive(where, "max_positions", maxPositions);
        if (nHeads % nKvHeads != 0) {
            throw new InputException(where + "num_attention_heads " + nHeads + " is not a multiple of num_key_value_heads " + nKvHeads);
        }
        family.checkShape(where, dModel, nHeads, nKvHeads, headDim);
        if (options == null) {
            options = FamilyOptions.NONE;
        }
        String extra = family.unsupportedOptions(options);
        if (extra != null) {
            throw new InputException(where + extra + " are not part of the " + family.modelType() + " architecture");
        }
        if (family.rotary() && headDim % 2 != 0) {
            throw new InputException(where + "head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(normEps > 0)) {
            throw new InputException(where + "norm epsilon must be > 0, got " + normEps);
        }
    }

    /** A config with {@link FamilyOptions#NONE} (GPT-2, Llama, or a Llama-like family without its extras). */
    public ModelConfig(Family family, int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp,
                       int maxPositions, double normEps, double ropeTheta, RopeScaling ropeScaling, boolean tieWordEmbeddings,
                       String activation) {
        this(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, normEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, activation, FamilyOptions.NONE);
    }

    /** A config without RoPE scaling. */
    public ModelConfig(Family family, int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp,
                       int maxPositions, double normEps, double ropeTheta, boolean tieWordEmbeddings, String activation) {
        this(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, normEps, ropeTheta, null,
                tieWordEmbeddings, activation);
    }

    /** This config with Llama 3.1-style RoPE scaling. */
    public ModelConfig withRopeScaling(RopeScaling scaling) {
        return new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, normEps,
                ropeTheta, scaling, tieWordEmbeddings, activation, options);
    }

    /** This config with other family switches. */
    public ModelConfig withOptions(FamilyOptions o) {
        return new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, normEps,
                ropeTheta, ropeScaling, tieWordEmbeddings, activation, o);
    }

    /** This config with another embedding tie. */
    public ModelConfig withTiedEmbeddings(boolean tie) {
        return new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, normEps,
                ropeTheta, ropeScaling, tie, activation, options);
    }

    /**
     * A shape of {@code family} with the defaults of its published configs for the rest (norm ε,
     * RoPE base, tied unembedding, activation, switches; see {@link Family#defaults}).
     */
    public static ModelConfig of(Family family, int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim,
                                 int dMlp, int maxPositions) {
        return family.defaults(vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions);
    }

    /**
     * The GPT-2-like pre-LN block with rotary positions (the controlled-world default): GPT-2's
     * LayerNorm (ε 1e-5), biases, 4× GELU MLP and tied unembedding, RoPE with base 10⁴ on every head
     * dimension instead of a learned position table. Saved as a GPT-NeoX config with
     * {@code use_parallel_residual: false, rotary_pct: 1}, which transformers' GPTNeoXForCausalLM loads.
     * The GELU is the exact one (GPT-NeoX's default {@code hidden_act}), not GPT-2's tanh
     * approximation: the two differ by less than 1e-3, and the exact one is a single fused libtorch
     * kernel where the tanh formula is a chain of element-wise operations, each a pass over the
     * activations (timings: docs/development.md, "Numbers behind the code").
     */
    public static ModelConfig gptNeoX(int vocabSize, int dModel, int nLayers, int nHeads, int maxPositions) {
        return of(new GptNeoXFamily(), vocabSize, dModel, nLayers, nHeads, nHeads, dModel / Math.max(1, nHeads), 4 * dModel, maxPositions);
    }

    /** A GPT-2 shape with HF's defaults (4× MLP, ε = 1e-5, gelu_new, tied embeddings). */
    public static ModelConfig gpt2(int vocabSize, int dModel, int nLayers, int nHeads, int maxPositions) {
        return of(new Gpt2Family(), vocabSize, dModel, nLayers, nHeads, nHeads, dModel / Math.max(1, nHeads), 4 * dModel, maxPositions);
    }

    /** A Llama shape with HF's defaults for the rest (ε = 1e-6 is Llama 2's rms_norm_eps). */
    public static ModelConfig llama(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int dMlp,
                                    int maxPositions, double ropeTheta, boolean tie) {
        return new ModelConfig(new LlamaFamily(), vocabSize, dModel, nLayers, nHeads, nKvHeads, dModel / Math.max(1, nHeads),
                dMlp, maxPositions, 1e-6, ropeTheta, tie, "silu");
    }

    /** Reads {@code dir/config.json}. */
    public static ModelConfig read(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve(FILE) : dir;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": config.json not found (a Hugging Face checkpoint folder needs one)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new InputException(file + ": not valid JSON: " + Json.problem(e));
        }
        if (root == null || !root.isObject()) {
            throw new InputException(file + ": must be a JSON object");
        }
        return fromJson(file, root);
    }

    static ModelConfig fromJson(Path file, JsonNode root) {
        try {
            return parse(file, root);
        } catch (InputException e) {
            // The record's own checks do not know the file: name it once.
            throw e.getMessage().startsWith(file.toString()) ? e : new InputException(file + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig parse(Path file, JsonNode root) {
        return Families.of(file, root).readConfig(new ConfigKeys(file, root));
    }

    /** This config as a Hugging Face config.json object, readable by {@code transformers} and by {@link #read}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("model_type", family.modelType());
        family.writeConfig(this, o);
        o.put("torch_dtype", "float32");
        return o;
    }

    /** Writes {@code dir/config.json} atomically. */
    public void write(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            AtomicFiles.writeString(file, Json.pretty(toJson()) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void requirePositive(String where, String name, int value) {
        if (value <= 0) {
            throw new InputException(where + name + " must be a positive integer, got " + value);
        }
    }
}
