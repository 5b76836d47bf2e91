package org.scalelab.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Parameter names → shapes, in the order {@code transformers} saves them (the family's {@link Family#parameterShapes}). */
    public static Map<String, long[]> parameterShapes(ModelConfig c) {
        return c.family().parameterShapes(c);
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
        Family family = c.family();
        boolean isNormScale = family.isNormScale(name);
        boolean isBias = name.endsWith(".bias");
        if (scheme == Scheme.ALL_RANDOM && (isNormScale || isBias)) {
            double offset = isNormScale ? family.normIdentity() : 0.0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (offset + 0.1 * rng.nextGaussian());
            }
            return v;
        }
        if (isNormScale) {
            java.util.Arrays.fill(v, family.normIdentity());
            return v;
        }
        if (isBias) {
            return v;
        }
        double std = scheme == Scheme.ALL_RANDOM ? 0.1 : family.initStd(name, c, STD);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * rng.nextGaussian());
        }
        return v;
    }
}
