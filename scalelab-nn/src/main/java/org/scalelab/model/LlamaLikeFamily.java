package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * What Llama (Touvron et al. 2023) and the families built on its layer share: Llama's config.json
 * keys, the parameter names of transformers' {@code modeling_llama.py} under {@code model.layers.{i}.}
 * (nn.Linear weights stored [out, in]), RMSNorm, rotary positions and grouped-query attention. A
 * subclass says where it differs: its published defaults, the switches it reads
 * ({@link #readOptions}), its block ({@link #block}) and the tensors its block adds or fuses.
 */
public abstract class LlamaLikeFamily extends Family {
    private final double publishedNormEps;
    private final double defaultRopeTheta;
    private final boolean tiedByDefault;
    private final String defaultActivation;

    /**
     * @param publishedNormEps  rms_norm_eps of the family's published configs (for {@link #defaults})
     * @param defaultRopeTheta  the RoPE base when config.json gives none
     * @param tiedByDefault     tie_word_embeddings when config.json gives none
     * @param defaultActivation the MLP's non-linearity, as config.json spells it
     */
    protected LlamaLikeFamily(String modelType, String architecture, String summary, double publishedNormEps, double defaultRopeTheta,
                              boolean tiedByDefault, String defaultActivation) {
        super(modelType, architecture, summary);
        this.publishedNormEps = publishedNormEps;
        this.defaultRopeTheta = defaultRopeTheta;
        this.tiedByDefault = tiedByDefault;
        this.defaultActivation = defaultActivation;
    }

    @Override
    public ModelConfig defaults(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp, int maxPositions) {
        return new ModelConfig(this, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, publishedNormEps,
                defaultRopeTheta, null, tiedByDefault, defaultActivation, defaultOptions(headDim));
    }

    /** The switches of the family's published configs (none for Llama). */
    FamilyOptions defaultOptions(int headDim) {
        return FamilyOptions.NONE;
    }

    // ---- config.json

    @Override
    ModelConfig readConfig(ConfigKeys f) {
        Path file = f.file();
        int d = f.integer("hidden_size", null);
        int heads = f.integer("num_attention_heads", null);
        int layers = f.integer("num_hidden_layers", null);
        int headDim = f.integer("head_dim", defaultHeadDim(d, heads));
        String act = readActivation(f);
        checkBiasKeys(f);
        if (f.has("partial_rotary_factor") && f.number("partial_rotary_factor", 1) != 1) {
            throw new InputException(file + ": partial_rotary_factor " + f.number("partial_rotary_factor", 1)
                    + " (rotary embedding on part of each head) is not supported yet; only 1.0");
        }
        // transformers ≥ 5 writes RoPE settings as one "rope_parameters" object (rope_theta, rope_type
        // and the scaling fields) instead of the top-level rope_theta and rope_scaling.
        JsonNode ropeParameters = f.node("rope_parameters");
        double ropeTheta = f.number("rope_theta", defaultRopeTheta);
        JsonNode scalingNode = f.node("rope_scaling");
        if (ropeParameters != null && !ropeParameters.isNull()) {
            if (!ropeParameters.isObject() || !(ropeParameters.has("rope_theta") || ropeParameters.has("rope_type"))) {
                throw new InputException(file + ": rope_parameters " + ropeParameters + " is not supported (expected one object with"
                        + " rope_theta and rope_type; per-layer-type RoPE settings are not supported)");
            }
            ropeTheta = f.nested(ropeParameters).number("rope_theta", ropeTheta);
            if (scalingNode == null || scalingNode.isNull()) {
                scalingNode = ropeParameters;
            }
        }
        RopeScaling scaling = readRopeScaling(f, scalingNode);
        FamilyOptions options = readOptions(f, layers);
        checkLayerTypes(file, f.node("layer_types"), options, layers);
        return new ModelConfig(this, f.integer("vocab_size", null), d, layers, heads, f.integer("num_key_value_heads", heads), headDim,
                f.integer("intermediate_size", null), f.integer("max_position_embeddings", 2048), f.number("rms_norm_eps", 1e-6),
                ropeTheta, scaling, f.bool("tie_word_embeddings", tiedByDefault), act, options);
    }

    /** head_dim when config.json gives none. */
    int defaultHeadDim(int dModel, int heads) {
        return heads > 0 ? dModel / heads : 1;
    }

    /** The MLP's non-linearity: SwiGLU's silu for Llama's layer. */
    String readActivation(ConfigKeys f) {
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new InputException(f.file() + ": hidden_act \"" + act + "\" is not supported for " + modelType() + " (supported: silu)");
        }
        return act;
    }

    /** Refuses biases the family's layer does not have. */
    void checkBiasKeys(ConfigKeys f) {
        f.requireAbsentOrFalse("attention_bias");
        f.requireAbsentOrFalse("mlp_bias");
    }

    /** The family's switches (sliding window, q/k/v biases, soft-capping); none for Llama. */
    FamilyOptions readOptions(ConfigKeys f, int layers) {
        return FamilyOptions.NONE;
    }

    /** RoPE frequency scaling: none but "default" unless the family overrides it. */
    RopeScaling readRopeScaling(ConfigKeys f, JsonNode node) {
        String type = ropeScalingType(f, node);
        if (type != null) {
            throw new InputException(f.file() + ": rope_scaling type \"" + type + "\" is not supported for " + modelType()
                    + " (supported: null; llama3 for llama)");
        }
        return null;
    }

    /** The rope_type of a rope_scaling object, null when there is no scaling; LongRoPE is refused with advice. */
    static String ropeScalingType(ConfigKeys f, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = node.path("rope_type").asText(node.path("type").asText(""));
        if (type.equals("default")) {
            return null;
        }
        if (type.equals("su") || type.equals("longrope")) {
            throw new InputException(f.file() + ": rope_scaling type \"" + type + "\" (Phi-3's long-context LongRoPE, per-frequency"
                    + " short_factor/long_factor) is not supported yet; use a 4k-context checkpoint such as Phi-3-mini-4k-instruct");
        }
        return type;
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

    /** The keys of each family's config.json as transformers writes them: Llama's, then the family's own ({@link #writeOwnKeys}). */
    @Override
    final void writeConfig(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add(architecture());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.dModel());
        o.put("intermediate_size", c.dMlp());
        o.put("num_hidden_layers", c.nLayers());
        o.put("num_attention_heads", c.nHeads());
        o.put("num_key_value_heads", c.nKvHeads());
        o.put("head_dim", c.headDim());
        o.put("max_position_embeddings", c.maxPositions());
        o.put("rms_norm_eps", c.normEps());
        o.put("rope_theta", c.ropeTheta());
        RopeScaling rs = c.ropeScaling();
        if (rs != null) {
            ObjectNode n = o.putObject("rope_scaling");
            n.put("rope_type", "llama3");
            n.put("factor", rs.factor());
            n.put("low_freq_factor", rs.lowFreqFactor());
            n.put("high_freq_factor", rs.highFreqFactor());
            n.put("original_max_position_embeddings", rs.originalMaxPositions());
        } else {
            o.putNull("rope_scaling");
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("hidden_act", c.activation());
        writeOwnKeys(c, o);
    }

    /** The keys only this family's config.json has. */
    abstract void writeOwnKeys(ModelConfig c, ObjectNode o);

    // ---- the sliding window of Mistral and Phi-3: one window on every layer

    static FamilyOptions readWindowOnEveryLayer(ConfigKeys f) {
        return new FamilyOptions(f.integer("sliding_window", 0), 0, false, false, 0, 0, 0);
    }

    static void writeWindowOnEveryLayer(ModelConfig c, ObjectNode o) {
        if (c.options().slidingWindow() > 0) {
            o.put("sliding_window", c.options().slidingWindow());
        } else {
            o.putNull("sliding_window");
        }
    }

    static String unsupportedBesidesWindow(FamilyOptions o) {
        return o.equals(FamilyOptions.NONE.withSlidingWindow(o.slidingWindow())) ? null : "q/k/v biases, soft-capping and per-layer windows";
    }

    // ---- parameters

    @Override
    public final Map<String, long[]> parameterShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {d});
            attentionShapes(s, p, c);
            s.put(p + "post_attention_layernorm.weight", new long[] {d});
            extraNormShapes(s, p, c);
            mlpShapes(s, p, c);
        }
        s.put("model.norm.weight", new long[] {d});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), d});
        }
        return s;
    }

    /** q, k, v (with their biases when {@link FamilyOptions#qkvBias()}) and o projections. */
    void attentionShapes(Map<String, long[]> s, String p, ModelConfig c) {
        long d = c.dModel();
        long q = (long) c.nHeads() * c.headDim();
        long kv = (long) c.nKvHeads() * c.headDim();
        s.put(p + "self_attn.q_proj.weight", new long[] {q, d}); // nn.Linear: [out, in]
        s.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
        s.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
        if (c.options().qkvBias()) {
            s.put(p + "self_attn.q_proj.bias", new long[] {q});
            s.put(p + "self_attn.k_proj.bias", new long[] {kv});
            s.put(p + "self_attn.v_proj.bias", new long[] {kv});
        }
        s.put(p + "self_attn.o_proj.weight", new long[] {d, q});
    }

    /** Norms beyond the two of Llama's layer (none here). */
    void extraNormShapes(Map<String, long[]> s, String p, ModelConfig c) {}

    /** gate, up and down projections. */
    void mlpShapes(Map<String, long[]> s, String p, ModelConfig c) {
        long d = c.dModel();
        s.put(p + "mlp.gate_proj.weight", new long[] {c.dMlp(), d});
        s.put(p + "mlp.up_proj.weight", new long[] {c.dMlp(), d});
        s.put(p + "mlp.down_proj.weight", new long[] {d, c.dMlp()});
    }

    // ---- wiring

    /** Layer {@code i}'s block, its weights under {@code prefix} = "model.layers.{i}.". */
    abstract Block block(ParameterLoader p, String prefix, ModelConfig c);

    /** The final norm: RMSNorm unless the family scales differently. */
    Norm finalNorm(NDArray weight, ModelConfig c) {
        return Norm.rmsNorm(weight, c.normEps());
    }

    /** The factor applied to the embeddings (0: none). */
    double embeddingScale(ModelConfig c) {
        return 0;
    }

    @Override
    final Parts build(ParameterLoader p, ModelConfig c, Path dir) {
        NDArray tokens = p.get("model.embed_tokens.weight", c.vocabSize(), c.dModel());
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            blocks.add(block(p, "model.layers." + i + ".", c));
        }
        Norm norm = finalNorm(p.get("model.norm.weight", c.dModel()), c);
        return new Parts(tokens, null, embeddingScale(c), blocks, norm, lmHeadOrTied(p, c, tokens, dir));
    }
}
