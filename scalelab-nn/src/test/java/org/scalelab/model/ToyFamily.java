package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny family defined only in the tests, to show that a family is one class: Llama's layer
 * ({@link LlamaBlock}: RMSNorm, rotary positions, grouped-query attention, SwiGLU) under its own
 * config.json keys and parameter names ({@code toy.embed.weight}, {@code toy.layers.{i}.…},
 * {@code toy.norm.weight}, {@code toy.unembed.weight}). docs/models.md walks through it.
 */
public final class ToyFamily extends Family {
    public ToyFamily() {
        super("toy", "ToyForCausalLM", "Llama's layer under its own names (a test fixture)");
    }

    // config.json

    @Override
    public ModelConfig defaults(int vocabSize, int dModel, int nLayers, int nHeads, int nKvHeads, int headDim, int dMlp, int maxPositions) {
        return new ModelConfig(this, vocabSize, dModel, nLayers, nHeads, nKvHeads, headDim, dMlp, maxPositions, 1e-6, 10000.0, false,
                "silu");
    }

    @Override
    ModelConfig readConfig(ConfigKeys keys) {
        int heads = keys.integer("heads", null);
        return new ModelConfig(this, keys.integer("vocab", null), keys.integer("width", null), keys.integer("depth", null), heads,
                keys.integer("kv_heads", heads), keys.integer("head_width", null), keys.integer("mlp_width", null),
                keys.integer("context", 2048), keys.number("norm_eps", 1e-6), keys.number("rope_base", 10000.0), null,
                keys.bool("tied", false), "silu");
    }

    @Override
    void writeConfig(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add(architecture());
        o.put("vocab", c.vocabSize());
        o.put("width", c.dModel());
        o.put("depth", c.nLayers());
        o.put("heads", c.nHeads());
        o.put("kv_heads", c.nKvHeads());
        o.put("head_width", c.headDim());
        o.put("mlp_width", c.dMlp());
        o.put("context", c.maxPositions());
        o.put("norm_eps", c.normEps());
        o.put("rope_base", c.ropeTheta());
        o.put("tied", c.tieWordEmbeddings());
    }

    // parameters: Llama's, in Llama's order, under other names

    @Override
    public Map<String, long[]> parameterShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        long q = (long) c.nHeads() * c.headDim();
        long kv = (long) c.nKvHeads() * c.headDim();
        s.put("toy.embed.weight", new long[] {c.vocabSize(), d});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "toy.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {d});
            s.put(p + "self_attn.q_proj.weight", new long[] {q, d}); // nn.Linear: [out, in]
            s.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            s.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            s.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            s.put(p + "post_attention_layernorm.weight", new long[] {d});
            s.put(p + "mlp.gate_proj.weight", new long[] {c.dMlp(), d});
            s.put(p + "mlp.up_proj.weight", new long[] {c.dMlp(), d});
            s.put(p + "mlp.down_proj.weight", new long[] {d, c.dMlp()});
        }
        s.put("toy.norm.weight", new long[] {d});
        if (!c.tieWordEmbeddings()) {
            s.put("toy.unembed.weight", new long[] {c.vocabSize(), d});
        }
        return s;
    }

    /** The final norm's name says "norm", not "layernorm". */
    @Override
    boolean isNormScale(String name) {
        return name.equals("toy.norm.weight") || super.isNormScale(name);
    }

    // wiring

    @Override
    Parts build(ParameterLoader p, ModelConfig c, Path dir) {
        NDArray tokens = p.get("toy.embed.weight", c.vocabSize(), c.dModel());
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            blocks.add(new LlamaBlock(p, "toy.layers." + i + ".", c, false));
        }
        Norm finalNorm = Norm.rmsNorm(p.get("toy.norm.weight", c.dModel()), c.normEps());
        NDArray unembedT = c.tieWordEmbeddings() ? tokens.transpose() : p.get("toy.unembed.weight", c.vocabSize(), c.dModel()).transpose();
        return new Parts(tokens, null, 0, blocks, finalNorm, unembedT);
    }

    // hooks: the default list (gated MLP, rotary, no post-norms) fits Llama's layer.
}
