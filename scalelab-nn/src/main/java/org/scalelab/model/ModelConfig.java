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
            throw new InputException("config: model family is required (supported: " + Family.supported() + ")");
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
        if (family == Family.GPT2 && nHeads * headDim != dModel) {
            throw new InputException(where + "n_embd " + dModel + " is not divisible by n_head " + nHeads);
        }
        if (family == Family.GPT_NEOX && (nHeads * headDim != dModel || nKvHeads != nHeads)) {
            throw new InputException(where + "hidden_size " + dModel + " must be num_attention_heads (" + nHeads
                    + ") × head_dim (" + headDim + "), with one key/value head per query head");
        }
        if (options == null) {
            options = FamilyOptions.NONE;
        }
        checkOptions(where, family, options);
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
     * A Llama-like family's shape with the defaults of its published configs for the rest: norm ε
     * (Llama, Qwen2, Gemma 1e-6; Mistral, Phi-3 1e-5), RoPE base (Qwen2 10⁶, else 10⁴), tied
     * unembedding (Gemma), activation (Gemma: gelu_pytorch_tanh, else silu), q/k/v biases (Qwen2),
     * Gemma 2's soft-caps (attention 50, final 30), query scalar (head_dim) and alternating
     * 4,096-token window. No sliding window otherwise ({@link #withOptions} adds one).
     */
    public static ModelConfig of(Family family, int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim,
                                 int dMlp, int maxPositions) {
        return switch (family) {
            case GPT2 -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nHeads, headDim, dMlp, maxPositions, 1e-5, 0, true,
                    "gelu_new");
            case LLAMA -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-6, 10000.0,
                    false, "silu");
            case MISTRAL, PHI3 -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-5,
                    10000.0, false, "silu");
            case QWEN2 -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-6, 1e6,
                    null, false, "silu", new FamilyOptions(0, 0, false, true, 0, 0, 0));
            case GEMMA -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-6, 10000.0,
                    true, "gelu_pytorch_tanh");
            case GEMMA2 -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-6,
                    10000.0, null, true, "gelu_pytorch_tanh", new FamilyOptions(4096, 0, true, false, headDim, 50.0, 30.0));
            case GPT_NEOX -> new ModelConfig(family, vocabSize, dModel, nLayers, nHeads, nHeads, headDim, dMlp, maxPositions, 1e-5,
                    10000.0, null, true, "gelu", FamilyOptions.NONE);
        };
    }

    /**
     * The GPT-2-like pre-LN block with rotary positions (the controlled-world default): GPT-2's
     * LayerNorm (ε 1e-5), biases, 4× GELU MLP and tied unembedding, RoPE with base 10⁴ on every head
     * dimension instead of a learned position table. Saved as a GPT-NeoX config with
     * {@code use_parallel_residual: false, rotary_pct: 1}, which transformers' GPTNeoXForCausalLM loads.
     * The GELU is the exact one (GPT-NeoX's default {@code hidden_act}), not GPT-2's tanh
     * approximation: the two differ by less than 1e-3 but the exact one is a single fused kernel,
     * about 8× faster than the tanh formula's chain of element-wise operations (GeluProbe).
     */
    public static ModelConfig gptNeoX(int vocabSize, int dModel, int nLayers, int nHeads, int maxPositions) {
        return of(Family.GPT_NEOX, vocabSize, dModel, nLayers, nHeads, nHeads, dModel / Math.max(1, nHeads), 4 * dModel, maxPositions);
    }

    /** A GPT-2 shape with HF's defaults (4× MLP, ε = 1e-5, gelu_new, tied embeddings). */
    public static ModelConfig gpt2(int vocabSize, int dModel, int nLayers, int nHeads, int maxPositions) {
        return new ModelConfig(Family.GPT2, vocabSize, dModel, nLayers, nHeads, nHeads, dModel / Math.max(1, nHeads),
                4 * dModel, maxPositions, 1e-5, 0, true, "gelu_new");
    }

    /** A Llama shape with HF's defaults for the rest (ε = 1e-6 is Llama 2's rms_norm_eps). */
    public static ModelConfig llama(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int dMlp,
                                    int maxPositions, double ropeTheta, boolean tie) {
        return new ModelConfig(Family.LLAMA, vocabSize, dModel, nLayers, nHeads, nKvHeads, dModel / Math.max(1, nHeads),
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
        Fields f = new Fields(file, root);
        Family family = family(file, root);
        if (family == Family.GPT_NEOX) {
            return parseGptNeoX(file, root, f);
        }
        if (family == Family.GPT2) {
            int d = f.integer("n_embd", null);
            int heads = f.integer("n_head", null);
            String act = f.text("activation_function", "gelu_new");
            if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
                throw new InputException(file + ": activation_function \"" + act + "\" is not supported for gpt2 (supported: gelu_new)");
            }
            return new ModelConfig(Family.GPT2, f.integer("vocab_size", null), d, f.integer("n_layer", null), heads, heads,
                    heads > 0 ? d / heads : 1, root.hasNonNull("n_inner") ? f.integer("n_inner", null) : 4 * d,
                    root.hasNonNull("n_positions") ? f.integer("n_positions", null) : f.integer("n_ctx", 1024),
                    f.number("layer_norm_epsilon", 1e-5), 0, f.bool("tie_word_embeddings", true), act);
        }
        // The Llama-like families share Llama's config keys; the defaults are those of each family's
        // configuration class in transformers, used when a key is absent.
        boolean gemma = family == Family.GEMMA || family == Family.GEMMA2;
        int d = f.integer("hidden_size", null);
        int heads = f.integer("num_attention_heads", null);
        int layers = f.integer("num_hidden_layers", null);
        int headDim = f.integer("head_dim", gemma ? 256 : heads > 0 ? d / heads : 1);
        String act;
        if (gemma) {
            // Gemma's GeGLU uses the tanh approximation of GELU; early Gemma configs said "gelu" in
            // hidden_act, which transformers overrides with gelu_pytorch_tanh unless hidden_activation is set.
            act = f.text("hidden_activation", family == Family.GEMMA ? "gelu_pytorch_tanh" : f.text("hidden_act", "gelu_pytorch_tanh"));
            if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_new") && !act.equals("gelu")) {
                throw new InputException(file + ": hidden_activation \"" + act + "\" is not supported for " + family.modelType()
                        + " (supported: gelu_pytorch_tanh, gelu_new, gelu)");
            }
        } else {
            act = f.text("hidden_act", "silu");
            if (!act.equals("silu")) {
                throw new InputException(file + ": hidden_act \"" + act + "\" is not supported for " + family.modelType() + " (supported: silu)");
            }
        }
        if (family != Family.QWEN2) {
            f.requireAbsentOrFalse("attention_bias"); // Qwen2's q/k/v biases are part of its architecture, not a key
        }
        f.requireAbsentOrFalse("mlp_bias");
        if (root.hasNonNull("partial_rotary_factor") && f.number("partial_rotary_factor", 1) != 1) {
            throw new InputException(file + ": partial_rotary_factor " + f.number("partial_rotary_factor", 1)
                    + " (rotary embedding on part of each head) is not supported yet; only 1.0");
        }
        // transformers ≥ 5 writes RoPE settings as one "rope_parameters" object (rope_theta, rope_type
        // and the scaling fields) instead of the top-level rope_theta and rope_scaling.
        JsonNode ropeParameters = root.get("rope_parameters");
        double ropeTheta = f.number("rope_theta", family == Family.QWEN2 ? 1e6 : 10000.0);
        JsonNode scalingNode = root.get("rope_scaling");
        if (ropeParameters != null && !ropeParameters.isNull()) {
            if (!ropeParameters.isObject() || !(ropeParameters.has("rope_theta") || ropeParameters.has("rope_type"))) {
                throw new InputException(file + ": rope_parameters " + ropeParameters + " is not supported (expected one object with"
                        + " rope_theta and rope_type; per-layer-type RoPE settings are not supported)");
            }
            ropeTheta = new Fields(file, ropeParameters).number("rope_theta", ropeTheta);
            if (scalingNode == null || scalingNode.isNull()) {
                scalingNode = ropeParameters;
            }
        }
        RopeScaling scaling = parseRopeScaling(file, family, scalingNode);
        FamilyOptions options = switch (family) {
            case MISTRAL, PHI3 -> new FamilyOptions(f.integer("sliding_window", 0), 0, false, false, 0, 0, 0);
            case QWEN2 -> f.bool("use_sliding_window", false)
                    ? new FamilyOptions(f.integer("sliding_window", null), f.integer("max_window_layers", layers), false, true, 0, 0, 0)
                    : new FamilyOptions(0, 0, false, true, 0, 0, 0);
            case GEMMA2 -> {
                if (root.hasNonNull("use_bidirectional_attention") && f.bool("use_bidirectional_attention", false)) {
                    throw new InputException(file + ": use_bidirectional_attention: true is not supported (ScaleLab runs causal decoders)");
                }
                yield new FamilyOptions(f.integer("sliding_window", 4096), 0, true, false, f.number("query_pre_attn_scalar", 256),
                        f.number("attn_logit_softcapping", root.has("attn_logit_softcapping") ? 0 : 50.0),
                        f.number("final_logit_softcapping", root.has("final_logit_softcapping") ? 0 : 30.0));
            }
            default -> FamilyOptions.NONE;
        };
        checkLayerTypes(file, root.get("layer_types"), options, layers);
        return new ModelConfig(family, f.integer("vocab_size", null), d, layers, heads, f.integer("num_key_value_heads", heads), headDim,
                f.integer("intermediate_size", null), f.integer("max_position_embeddings", 2048), f.number("rms_norm_eps", 1e-6),
                ropeTheta, scaling, f.bool("tie_word_embeddings", gemma), act,
                options);
    }

    /**
     * GPT-NeoX keys as transformers' GPTNeoXConfig spells them. Only the sequential-residual,
     * full-rotary form with biases is run (the GPT-2-like block with RoPE); parallel residuals
     * (Pythia's default) and partial rotary are refused rather than computed wrongly.
     */
    private static ModelConfig parseGptNeoX(Path file, JsonNode root, Fields f) {
        if (f.bool("use_parallel_residual", true)) {
            throw new InputException(file + ": use_parallel_residual: true (attention and MLP read the same input, as in Pythia) is not"
                    + " supported; only the sequential pre-LN block (use_parallel_residual: false)");
        }
        if (f.number("rotary_pct", 0.25) != 1.0) {
            throw new InputException(file + ": rotary_pct " + f.number("rotary_pct", 0.25)
                    + " (rotary embedding on part of each head) is not supported; only 1.0");
        }
        if (!f.bool("attention_bias", true)) {
            throw new InputException(file + ": attention_bias: false is not supported for gpt_neox (its projections carry biases)");
        }
        String act = f.text("hidden_act", "gelu");
        if (!act.equals("gelu") && !act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new InputException(file + ": hidden_act \"" + act + "\" is not supported for gpt_neox (supported: gelu, gelu_new, gelu_pytorch_tanh)");
        }
        if (root.hasNonNull("rope_scaling")) {
            throw new InputException(file + ": rope_scaling is not supported for gpt_neox (supported: null)");
        }
        int d = f.integer("hidden_size", null);
        int heads = f.integer("num_attention_heads", null);
        // Older configs name the RoPE base rotary_emb_base, newer ones rope_theta.
        double theta = f.number("rope_theta", f.number("rotary_emb_base", 10000.0));
        return new ModelConfig(Family.GPT_NEOX, f.integer("vocab_size", null), d, f.integer("num_hidden_layers", null), heads, heads,
                heads > 0 ? d / heads : 1, f.integer("intermediate_size", null), f.integer("max_position_embeddings", 2048),
                f.number("layer_norm_eps", 1e-5), theta, null, f.bool("tie_word_embeddings", false), act, FamilyOptions.NONE);
    }

    /**
     * The family named by {@code model_type}, or, when that key is missing, by the causal-LM class
     * in {@code architectures} (e.g. "Qwen2ForCausalLM"), which older exports carry alone.
     */
    private static Family family(Path file, JsonNode root) {
        String modelType = root.path("model_type").asText(null);
        if (modelType != null) {
            Family family = Family.fromModelType(modelType);
            if (family == null) {
                String hint = switch (modelType) {
                    case "gemma3", "gemma3_text" -> " (gemma3 adds q/k norms and local RoPE bases; supported are gemma and gemma2)";
                    case "phi3small", "phi", "phimoe" -> " (only phi3, i.e. Phi-3-mini/medium and Phi-3.5-mini, is supported)";
                    case "qwen3", "qwen2_moe" -> " (only qwen2, i.e. Qwen2 and Qwen2.5 dense models, is supported)";
                    default -> "";
                };
                throw new InputException(file + ": model_type \"" + modelType + "\" is not supported" + hint + " (supported: "
                        + Family.supported() + ")");
            }
            return family;
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && arch.isArray()) {
            for (JsonNode a : arch) {
                Family family = Family.fromArchitecture(a.asText());
                if (family != null) {
                    return family;
                }
            }
            throw new InputException(file + ": no \"model_type\", and architectures " + arch + " names no supported class (supported: "
                    + Family.supported() + ")");
        }
        throw new InputException(file + ": missing \"model_type\" (supported: " + Family.supported() + ")");
    }

    /**
     * Newer configs list each layer's attention ("sliding_attention" / "full_attention") in
     * {@code layer_types}; it must agree with the window rule read from the other keys, or the
     * model would silently run with the wrong masks.
     */
    private static void checkLayerTypes(Path file, JsonNode types, FamilyOptions options, int layers) {
        if (types == null || types.isNull()) {
            return;
        }
        if (!types.isArray() || types.size() != layers) {
            throw new InputException(file + ": layer_types must list one entry per layer (" + layers + "), got " + types);
        }
        for (int l = 0; l < layers; l++) {
            String t = types.get(l).asText();
            boolean sliding = t.equals("sliding_attention");
            if (!sliding && !t.equals("full_attention")) {
                throw new InputException(file + ": layer_types[" + l + "] \"" + t + "\" is not supported (supported: sliding_attention, full_attention)");
            }
            if (sliding != (options.window(l) > 0)) {
                throw new InputException(file + ": layer_types[" + l + "] is \"" + t + "\", but sliding_window / max_window_layers imply "
                        + (options.window(l) > 0 ? "sliding_attention" : "full_attention") + "; this layout is not supported");
            }
        }
    }

    private static RopeScaling parseRopeScaling(Path file, Family family, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = node.path("rope_type").asText(node.path("type").asText(""));
        if (type.equals("default")) {
            return null;
        }
        if (type.equals("su") || type.equals("longrope")) {
            throw new InputException(file + ": rope_scaling type \"" + type + "\" (Phi-3's long-context LongRoPE, per-frequency"
                    + " short_factor/long_factor) is not supported yet; use a 4k-context checkpoint such as Phi-3-mini-4k-instruct");
        }
        if (!type.equals("llama3") || family != Family.LLAMA) {
            throw new InputException(file + ": rope_scaling type \"" + type + "\" is not supported"
                    + (family == Family.LLAMA ? " (supported: llama3)" : " for " + family.modelType() + " (supported: null; llama3 for llama)"));
        }
        Fields f = new Fields(file, node);
        for (String key : new String[] {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
            if (!node.hasNonNull(key)) {
                throw new InputException(file + ": rope_scaling is missing \"" + key + "\"");
            }
        }
        return new RopeScaling(f.number("factor", 0), f.number("low_freq_factor", 0), f.number("high_freq_factor", 0),
                f.integer("original_max_position_embeddings", null));
    }

    /** This config as a Hugging Face config.json object, readable by {@code transformers} and by {@link #read}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("model_type", family.modelType());
        switch (family) {
            case GPT2 -> {
                o.putArray("architectures").add("GPT2LMHeadModel");
                o.put("vocab_size", vocabSize);
                o.put("n_embd", dModel);
                o.put("n_layer", nLayers);
                o.put("n_head", nHeads);
                o.put("n_inner", dMlp);
                o.put("n_positions", maxPositions);
                o.put("n_ctx", maxPositions);
                o.put("layer_norm_epsilon", normEps);
                o.put("activation_function", activation);
                o.put("tie_word_embeddings", tieWordEmbeddings);
            }
            case GPT_NEOX -> {
                o.putArray("architectures").add(family.architecture());
                o.put("vocab_size", vocabSize);
                o.put("hidden_size", dModel);
                o.put("intermediate_size", dMlp);
                o.put("num_hidden_layers", nLayers);
                o.put("num_attention_heads", nHeads);
                o.put("max_position_embeddings", maxPositions);
                o.put("layer_norm_eps", normEps);
                o.put("hidden_act", activation);
                o.put("use_parallel_residual", false);
                o.put("rotary_pct", 1.0);
                o.put("rotary_emb_base", ropeTheta);
                o.put("rope_theta", ropeTheta);
                o.putNull("rope_scaling");
                o.put("attention_bias", true);
                o.put("tie_word_embeddings", tieWordEmbeddings);
            }
            default -> {
                // The keys of each family's config.json as transformers writes them.
                o.putArray("architectures").add(family.architecture());
                o.put("vocab_size", vocabSize);
                o.put("hidden_size", dModel);
                o.put("intermediate_size", dMlp);
                o.put("num_hidden_layers", nLayers);
                o.put("num_attention_heads", nHeads);
                o.put("num_key_value_heads", nKvHeads);
                o.put("head_dim", headDim);
                o.put("max_position_embeddings", maxPositions);
                o.put("rms_norm_eps", normEps);
                o.put("rope_theta", ropeTheta);
                if (ropeScaling != null) {
                    ObjectNode rs = o.putObject("rope_scaling");
                    rs.put("rope_type", "llama3");
                    rs.put("factor", ropeScaling.factor());
                    rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
                    rs.put("high_freq_factor", ropeScaling.highFreqFactor());
                    rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
                } else {
                    o.putNull("rope_scaling");
                }
                o.put("tie_word_embeddings", tieWordEmbeddings);
                o.put("hidden_act", activation);
                switch (family) {
                    case LLAMA -> {
                        o.put("attention_bias", false);
                        o.put("mlp_bias", false);
                    }
                    case MISTRAL, PHI3 -> {
                        if (options.slidingWindow() > 0) {
                            o.put("sliding_window", options.slidingWindow());
                        } else {
                            o.putNull("sliding_window");
                        }
                    }
                    case QWEN2 -> {
                        o.put("use_sliding_window", options.slidingWindow() > 0);
                        o.put("sliding_window", options.slidingWindow() > 0 ? options.slidingWindow() : maxPositions);
                        o.put("max_window_layers", options.slidingWindow() > 0 ? options.windowFromLayer() : nLayers);
                    }
                    case GEMMA -> {
                        o.put("hidden_activation", activation);
                        o.put("attention_bias", false);
                    }
                    case GEMMA2 -> {
                        o.put("hidden_activation", activation);
                        o.put("attention_bias", false);
                        o.put("sliding_window", options.slidingWindow());
                        o.put("query_pre_attn_scalar", options.queryPreAttnScalar());
                        putCap(o, "attn_logit_softcapping", options.attnLogitSoftcap());
                        putCap(o, "final_logit_softcapping", options.finalLogitSoftcap());
                    }
                    default -> throw new IllegalStateException("unhandled family " + family);
                }
            }
        }
        o.put("torch_dtype", "float32");
        return o;
    }

    private static void putCap(ObjectNode o, String key, double cap) {
        if (cap > 0) {
            o.put(key, cap);
        } else {
            o.putNull(key);
        }
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

    /** Each family's switches are the ones its architecture has; anything else would be silently ignored or misread. */
    private static void checkOptions(String where, Family family, FamilyOptions o) {
        String extra = switch (family) {
            case GPT2, LLAMA, GEMMA, GPT_NEOX -> o.equals(FamilyOptions.NONE) ? null : "sliding windows, q/k/v biases and soft-capping";
            case MISTRAL, PHI3 -> o.equals(FamilyOptions.NONE.withSlidingWindow(o.slidingWindow())) ? null
                    : "q/k/v biases, soft-capping and per-layer windows";
            case QWEN2 -> !o.qkvBias() ? "attention without q/k/v biases"
                    : o.windowEveryOther() || o.queryPreAttnScalar() != 0 || o.attnLogitSoftcap() != 0 || o.finalLogitSoftcap() != 0
                    ? "soft-capping and alternating windows" : null;
            case GEMMA2 -> o.qkvBias() || o.windowFromLayer() != 0 ? "q/k/v biases and max_window_layers" : null;
        };
        if (extra != null) {
            throw new InputException(where + extra + " are not part of the " + family.modelType() + " architecture");
        }
    }

    private static void requirePositive(String where, String name, int value) {
        if (value <= 0) {
            throw new InputException(where + name + " must be a positive integer, got " + value);
        }
    }

    /** Typed field access with one clear error per missing or mistyped field. */
    private record Fields(Path file, JsonNode root) {
        int integer(String name, Integer fallback) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                if (fallback == null) {
                    throw new InputException(file + ": missing field \"" + name + "\" (integer) required for model_type "
                            + root.path("model_type").asText());
                }
                return fallback;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new InputException(file + ": field \"" + name + "\" must be an integer, got " + n);
            }
            return n.asInt();
        }

        double number(String name, double fallback) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return fallback;
            }
            if (!n.isNumber()) {
                throw new InputException(file + ": field \"" + name + "\" must be a number, got " + n);
            }
            return n.asDouble();
        }

        boolean bool(String name, boolean fallback) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return fallback;
            }
            if (!n.isBoolean()) {
                throw new InputException(file + ": field \"" + name + "\" must be true or false, got " + n);
            }
            return n.asBoolean();
        }

        String text(String name, String fallback) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return fallback;
            }
            if (!n.isTextual()) {
                throw new InputException(file + ": field \"" + name + "\" must be a string, got " + n);
            }
            return n.asText();
        }

        void requireAbsentOrFalse(String name) {
            if (bool(name, false)) {
                throw new InputException(file + ": \"" + name + "\": true is not supported yet for model_type "
                        + root.path("model_type").asText());
            }
        }
    }
}
