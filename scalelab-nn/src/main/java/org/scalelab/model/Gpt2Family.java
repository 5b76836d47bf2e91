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
 * GPT-2 (Radford et al. 2019): LayerNorm, learned positions, GELU-tanh MLP, Conv1D weights
 * ({@link Gpt2Block}), the unembedding tied to the token embedding.
 */
public final class Gpt2Family extends Family {
    public Gpt2Family() {
        super("gpt2", "GPT2LMHeadModel", "learned positions, LayerNorm, GELU MLP");
    }

    @Override
    public boolean learnedPositions() {
        return true;
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
        return new ModelConfig(this, vocabSize, dModel, nLayers, nHeads, nHeads, headDim, dMlp, maxPositions, 1e-5, 0, true, "gelu_new");
    }

    @Override
    ModelConfig readConfig(ConfigKeys f) {
        int d = f.integer("n_embd", null);
        int heads = f.integer("n_head", null);
        String act = f.text("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new InputException(f.file() + ": activation_function \"" + act + "\" is not supported for gpt2 (supported: gelu_new)");
        }
        return new ModelConfig(this, f.integer("vocab_size", null), d, f.integer("n_layer", null), heads, heads,
                heads > 0 ? d / heads : 1, f.has("n_inner") ? f.integer("n_inner", null) : 4 * d,
                f.has("n_positions") ? f.integer("n_positions", null) : f.integer("n_ctx", 1024),
                f.number("layer_norm_epsilon", 1e-5), 0, f.bool("tie_word_embeddings", true), act);
    }

    @Override
    void writeConfig(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add(architecture());
        o.put("vocab_size", c.vocabSize());
        o.put("n_embd", c.dModel());
        o.put("n_layer", c.nLayers());
        o.put("n_head", c.nHeads());
        o.put("n_inner", c.dMlp());
        o.put("n_positions", c.maxPositions());
        o.put("n_ctx", c.maxPositions());
        o.put("layer_norm_epsilon", c.normEps());
        o.put("activation_function", c.activation());
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
    }

    @Override
    void checkShape(String where, int dModel, int nHeads, int nKvHeads, int headDim) {
        if (nHeads * headDim != dModel) {
            throw new InputException(where + "n_embd " + dModel + " is not divisible by n_head " + nHeads);
        }
    }

    /** GPT-2 stores no lm_head: it is tied to wte. */
    @Override
    public Map<String, long[]> parameterShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        s.put("transformer.wte.weight", new long[] {c.vocabSize(), d});
        s.put("transformer.wpe.weight", new long[] {c.maxPositions(), d});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "transformer.h." + i + ".";
            s.put(p + "ln_1.weight", new long[] {d});
            s.put(p + "ln_1.bias", new long[] {d});
            s.put(p + "attn.c_attn.weight", new long[] {d, 3 * d}); // Conv1D: [in, out]
            s.put(p + "attn.c_attn.bias", new long[] {3 * d});
            s.put(p + "attn.c_proj.weight", new long[] {d, d});
            s.put(p + "attn.c_proj.bias", new long[] {d});
            s.put(p + "ln_2.weight", new long[] {d});
            s.put(p + "ln_2.bias", new long[] {d});
            s.put(p + "mlp.c_fc.weight", new long[] {d, c.dMlp()});
            s.put(p + "mlp.c_fc.bias", new long[] {c.dMlp()});
            s.put(p + "mlp.c_proj.weight", new long[] {c.dMlp(), d});
            s.put(p + "mlp.c_proj.bias", new long[] {d});
        }
        s.put("transformer.ln_f.weight", new long[] {d});
        s.put("transformer.ln_f.bias", new long[] {d});
        return s;
    }

    /** The residual projections are scaled by 1/√(2·n_layers) (Radford et al. 2019, §2.3). */
    @Override
    double initStd(String name, ModelConfig c, double std) {
        return name.endsWith("c_proj.weight") ? std / Math.sqrt(2.0 * c.nLayers()) : std;
    }

    @Override
    Parts build(ParameterLoader p, ModelConfig c, Path dir) {
        int d = c.dModel();
        // HF's GPT2LMHeadModel prefixes "transformer."; OpenAI's original export does not.
        String root = p.contains("transformer.wte.weight") ? "transformer." : "";
        NDArray tokens = p.get(root + "wte.weight", c.vocabSize(), d);
        NDArray positions = p.get(root + "wpe.weight", c.maxPositions(), d);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.nLayers(); i++) {
            blocks.add(new Gpt2Block(p, root + "h." + i + ".", c));
        }
        Norm finalNorm = Norm.layerNorm(p.get(root + "ln_f.weight", d), p.get(root + "ln_f.bias", d), c.normEps());
        // GPT-2 ties the unembedding to wte (lm_head.weight, when saved, is a copy of it)
        // unless a fine-tuned checkpoint says otherwise and ships its own lm_head.
        NDArray unembedT = !c.tieWordEmbeddings() && p.contains("lm_head.weight")
                ? p.get("lm_head.weight", c.vocabSize(), d).transpose()
                : tokens.transpose();
        return new Parts(tokens, positions, 0, blocks, finalNorm, unembedT);
    }

    @Override
    public boolean gatedMlp() {
        return false;
    }
}
