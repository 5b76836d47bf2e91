package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * GPT-NeoX (Black et al. 2022) with sequential residuals ({@code use_parallel_residual: false})
 * and full rotary embedding ({@code rotary_pct: 1}): GPT-2's pre-LN block (LayerNorm with bias,
 * biased linear layers, GELU MLP) with RoPE instead of learned positions ({@link GptNeoXBlock}), the
 * "GPT-2 with RoPE" of the controlled-world experiments (Minegishi et al. 2026). transformers'
 * GPTNeoXForCausalLM reads it.
 */
public final class GptNeoXFamily extends Family {
    public GptNeoXFamily() {
        super("gpt_neox", "GPTNeoXForCausalLM", "GPT-2-like pre-LN block with rotary positions: the controlled world's model");
    }

    @Override
    public boolean groupedQueryAttention() {
        return false;
    }

    @Override
    public int defaultMlpWidth(int dModel) {
        return 4 * dModel;
    }

    @Override
    public ModelConfig defaults(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp, int maxPositions) {
        return new ModelConfig(this, vocabSize, dModel, nLayers, nHeads, nHeads, headDim, dMlp, maxPositions, 1e-5, 10000.0, null, true,
                "gelu", FamilyOptions.NONE);
    }

    /**
     * GPT-NeoX keys as transformers' GPTNeoXConfig spells them. Only the sequential-residual,
     * full-rotary form with biases is run (the GPT-2-like block with RoPE); parallel residuals
     * (Pythia's default) and partial rotary are refused rather than computed wrongly.
     */
    @Override
    ModelConfig readConfig(ConfigKeys f) {
        Path file = f.file();
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
        if (f.has("rope_scaling")) {
            throw new InputException(file + ": rope_scaling is not supported for gpt_neox (supported: null)");
        }
        int d = f.integer("hidden_size", null);
        int heads = f.integer("num_attention_heads", null);
        // Older configs name the RoPE base rotary_emb_base, newer ones rope_theta.
        double theta = f.number("rope_theta", f.number("rotary_emb_base", 10000.0));
        return new ModelConfig(this, f.integer("vocab_size", null), d, f.integer("num_hidden_layers", null), heads, heads,
                heads > 0 ? d / heads : 1, f.integer("intermediate_size", null), f.integer("max_position_embeddings", 2048),
                f.number("layer_norm_eps", 1e-5), theta, null, f.bool("tie_word_embeddings", false), act, FamilyOptions.NONE);
    }

    @Override
    void writeConfig(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add(architecture());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.dModel());
        o.put("intermediate_size", c.dMlp());
        o.put("num_hidden_layers", c.nLayers());
        o.put("num_attention_heads", c.nHeads());
        o.put("max_position_embeddings", c.maxPositions());
        o.put("layer_norm_eps", c.normEps());
        o.put("hidden_act", c.activation());
        o.put("use_parallel_residual", false);
        o.put("rotary_pct", 1.0);
        o.put("rotary_emb_base", c.ropeTheta());
        o.put("rope_theta", c.ropeTheta());
        o.putNull("rope_scaling");
        o.put("attention_bias", true);
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
    }

    @Override
    void checkShape(String where, int dModel, int nHeads, int nKvHeads, int headDim) {
        if (nHeads * headDim != dModel || nKvHeads != nHeads) {
            throw new InputException(where + "hidden_size " + dModel + " must be num_attention_heads (" + nHeads
                    + ") × head_dim (" + headDim + "), with one key/value head per query head");
        }
    }

    @Override
    public Map<String, long[]> parameterShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        s.put("gpt_neox.embed_in.weight", new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "gpt_neox.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {d});
            s.put(p + "input_layernorm.bias", new long[] {d});
            s.put(p + "post_attention_layernorm.weight", new long[] {d});
            s.put(p + "post_attention_layernorm.bias", new long[] {d});
            s.put(p + "attention.query_key_value.weight", new long[] {3 * d, d}); // nn.Linear: [out, in], rows per head [q|k|v]
            s.put(p + "attention.query_key_value.bias", new long[] {3 * d});
            s.put(p + "attention.dense.weight", new long[] {d, d});
            s.put(p + "attention.dense.bias", new long[] {d});
            s.put(p + "mlp.dense_h_to_4h.weight", new long[] {c.dMlp(), d});
            s.put(p + "mlp.dense_h_to_4h.bias", new long[] {c.dMlp()});
            s.put(p + "mlp.dense_4h_to_h.weight", new long[] {d, c.dMlp()});
            s.put(p + "mlp.dense_4h_to_h.bias", new long[] {d});
        }
        s.put("gpt_neox.final_layer_norm.weight", new long[] {d});
        s.put("gpt_neox.final_layer_norm.bias", new long[] {d});
        if (!c.tieWordEmbeddings()) {
            s.put("embed_out.weight", new long[] {c.vocabSize(), d});
        }
        return s;
    }

    @Override
    Parts build(ParameterLoader p, ModelConfig c, Path dir) {
        int d = c.dModel();
        NDArray tokens = p.get("gpt_neox.embed_in.weight", c.vocabSize(), d);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            blocks.add(new GptNeoXBlock(p, "gpt_neox.layers." + i + ".", c));
        }
        Norm finalNorm = Norm.layerNorm(p.get("gpt_neox.final_layer_norm.weight", d), p.get("gpt_neox.final_layer_norm.bias", d),
                c.normEps());
        // GPTNeoXForCausalLM's unembedding is embed_out, tied to embed_in when tie_word_embeddings is set.
        NDArray unembedT = c.tieWordEmbeddings() ? tokens.transpose() : p.get("embed_out.weight", c.vocabSize(), d).transpose();
        return new Parts(tokens, null, 0, blocks, finalNorm, unembedT);
    }

    @Override
    public boolean gatedMlp() {
        return false;
    }
}
