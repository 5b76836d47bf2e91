package org.scalelab.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.InputException;
import org.scalelab.io.DType;
import org.scalelab.io.OutputFolder;
import org.scalelab.io.SafetensorsWriter;

/**
 * Writes a randomly initialised checkpoint in the Hugging Face layout ({@code config.json} +
 * {@code model.safetensors}, parameter names and shapes exactly as {@code transformers} saves
 * them, plus a byte-level {@code tokenizer.json} when the vocabulary has at least 256 ids), so
 * tiny models for tests and demos are loaded by the same path as downloaded ones.
 * The same config and seed give the same bytes.
 */
public final class ModelInit {
    /** How parameters are drawn. */
    public enum Scheme {
        /**
         * The families' published initialisation: weights ~ N(0, 0.02²) (GPT-2 / Llama
         * initializer_range), GPT-2's residual projections scaled by 1/√(2·n_layers) (Radford et al.
         * 2019, §2.3), biases 0, norm scales 1 (Gemma: offsets 0, as it scales by 1 + w).
         */
        STANDARD,
        /**
         * Every tensor random, matrices ~ N(0, 0.1²), norms ~ 1 + N(0, 0.1²), biases ~ N(0, 0.1²):
         * for reference tests, where ones, zeros and tiny logits would hide a misused scale, bias
         * or rotation.
         */
        ALL_RANDOM
    }

    private static final double STD = 0.02;

    private ModelInit() {}

    /**
     * Parameter names → shapes, in the order {@code transformers} saves them. GPT-2 stores no
     * lm_head (tied to wte); Llama stores lm_head.weight unless tie_word_embeddings.
     */
    public static Map<String, long[]> parameterShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        switch (c.family()) {
            case GPT2 -> {
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
            }
            case GPT_NEOX -> {
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
            }
            default -> {
                // Llama and the families built on its layer (transformers' modeling_{family}.py names).
                long q = (long) c.nHeads() * c.headDim();
                long kv = (long) c.nKvHeads() * c.headDim();
                boolean fused = c.family() == Family.PHI3;
                s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), d});
                for (int i = 0; i < c.nLayers(); i++) {
                    String p = "model.layers." + i + ".";
                    s.put(p + "input_layernorm.weight", new long[] {d});
                    if (fused) {
                        s.put(p + "self_attn.qkv_proj.weight", new long[] {q + 2 * kv, d}); // rows [W_q; W_k; W_v]
                    } else {
                        s.put(p + "self_attn.q_proj.weight", new long[] {q, d}); // nn.Linear: [out, in]
                        s.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
                        s.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
                    }
                    if (c.options().qkvBias()) {
                        s.put(p + "self_attn.q_proj.bias", new long[] {q});
                        s.put(p + "self_attn.k_proj.bias", new long[] {kv});
                        s.put(p + "self_attn.v_proj.bias", new long[] {kv});
                    }
                    s.put(p + "self_attn.o_proj.weight", new long[] {d, q});
                    s.put(p + "post_attention_layernorm.weight", new long[] {d});
                    if (c.family() == Family.GEMMA2) {
                        s.put(p + "pre_feedforward_layernorm.weight", new long[] {d});
                        s.put(p + "post_feedforward_layernorm.weight", new long[] {d});
                    }
                    if (fused) {
                        s.put(p + "mlp.gate_up_proj.weight", new long[] {2L * c.dMlp(), d}); // rows [W_gate; W_up]
                    } else {
                        s.put(p + "mlp.gate_proj.weight", new long[] {c.dMlp(), d});
                        s.put(p + "mlp.up_proj.weight", new long[] {c.dMlp(), d});
                    }
                    s.put(p + "mlp.down_proj.weight", new long[] {d, c.dMlp()});
                }
                s.put("model.norm.weight", new long[] {d});
                if (!c.tieWordEmbeddings()) {
                    s.put("lm_head.weight", new long[] {c.vocabSize(), d});
                }
            }
        }
        return s;
    }

    /** Writes a {@link Scheme#STANDARD} checkpoint to {@code out}. */
    public static void write(Path out, ModelConfig config, long seed) {
        write(out, config, seed, Scheme.STANDARD);
    }

    /**
     * Writes config.json and model.safetensors into {@code out}, which must not already hold a
     * checkpoint. Both files are written into a hidden sibling folder that is renamed to
     * {@code out} only when complete, so an interrupted run never leaves a checkpoint that looks whole.
     */
    public static void write(Path out, ModelConfig config, long seed, Scheme scheme) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.isRegularFile(target.resolve(ModelConfig.FILE)) || Files.exists(target.resolve(Weights.SINGLE_FILE))
                || Files.exists(target.resolve(Weights.INDEX_FILE))) {
            throw new InputException(out + ": already holds a checkpoint; choose another output folder or delete it first");
        }
        OutputFolder.check("--out", out, null, null);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        SplittableRandom root = new SplittableRandom(seed);
        for (Map.Entry<String, long[]> e : parameterShapes(config).entrySet()) {
            // One independent stream per tensor (split in a fixed order), so adding a tensor to
            // the list does not change the values of the others.
            SplittableRandom rng = root.split();
            tensors.add(SafetensorsWriter.Tensor.ofFloats(e.getKey(), DType.F32, e.getValue(),
                    values(e.getKey(), e.getValue(), config, scheme, rng)));
        }
        OutputFolder.write("--out", target, null, null, staging -> {
            config.write(staging);
            SafetensorsWriter.write(staging.resolve(Weights.SINGLE_FILE), tensors, Map.of("format", "pt"));
            if (config.vocabSize() >= 256) {
                ModelTokenizer.writeByteLevel(staging, config.vocabSize());
            }
        });
    }

    private static float[] values(String name, long[] shape, ModelConfig c, Scheme scheme, SplittableRandom rng) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        boolean isNorm = name.contains("ln_") || name.contains("layernorm") || name.contains("layer_norm") || name.equals("model.norm.weight");
        boolean isBias = name.endsWith(".bias");
        // Gemma stores its norm scales as offsets from 1 (it multiplies by 1 + w): identity is w = 0.
        boolean offsetNorm = c.family() == Family.GEMMA || c.family() == Family.GEMMA2;
        if (scheme == Scheme.ALL_RANDOM && (isNorm || isBias)) {
            double offset = isNorm && name.endsWith(".weight") && !offsetNorm ? 1.0 : 0.0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (offset + 0.1 * rng.nextGaussian());
            }
            return v;
        }
        if (isNorm && name.endsWith(".weight")) {
            java.util.Arrays.fill(v, offsetNorm ? 0f : 1f);
            return v;
        }
        if (isBias) {
            return v;
        }
        double std = scheme == Scheme.ALL_RANDOM ? 0.1 : STD;
        if (scheme == Scheme.STANDARD && c.family() == Family.GPT2 && name.endsWith("c_proj.weight")) {
            std = STD / Math.sqrt(2.0 * c.nLayers());
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * rng.nextGaussian());
        }
        return v;
    }
}
