package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsWriter;

/**
 * Half-precision and sharded checkpoints run exactly like the float32 single file holding the
 * same (rounded) values: the loader widens F16/BF16 to F32 and follows the shard index.
 */
class CheckpointFormatsTest {
    @TempDir Path dir;

    private static final int[] TOKENS = {3, 14, 15, 92, 65, 35, 89, 79};

    @Test
    void bf16SingleFileRunsLikeItsFloat32Widening() throws IOException {
        check(DType.BF16, 1);
    }

    @Test
    void f16ShardedCheckpointRunsLikeItsFloat32Widening() throws IOException {
        check(DType.F16, 3);
    }

    private void check(DType dtype, int shards) throws IOException {
        ModelConfig c = ModelConfig.llama(128, 32, 2, 4, 2, 64, 64, 10000.0, false);
        Path original = dir.resolve("f32");
        ModelInit.write(original, c, 5, ModelInit.Scheme.ALL_RANDOM);
        Path half = dir.resolve("half");
        Path widened = dir.resolve("widened");
        c.write(half);
        c.write(widened);
        List<SafetensorsWriter.Tensor> halfTensors = new ArrayList<>();
        List<SafetensorsWriter.Tensor> wideTensors = new ArrayList<>();
        try (Weights w = Weights.open(original)) {
            for (String name : w.names()) {
                long[] shape = w.info(name).shape();
                SafetensorsWriter.Tensor t = SafetensorsWriter.Tensor.ofFloats(name, dtype, shape, w.floats(name));
                halfTensors.add(t);
                wideTensors.add(SafetensorsWriter.Tensor.ofFloats(name, DType.F32, shape, decode(t)));
            }
        }
        SafetensorsWriter.write(widened.resolve(Weights.SINGLE_FILE), wideTensors);
        if (shards == 1) {
            SafetensorsWriter.write(half.resolve(Weights.SINGLE_FILE), halfTensors);
        } else {
            StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
            int per = (halfTensors.size() + shards - 1) / shards;
            for (int s = 0; s < shards; s++) {
                String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
                List<SafetensorsWriter.Tensor> part = halfTensors.subList(s * per, Math.min(halfTensors.size(), (s + 1) * per));
                SafetensorsWriter.write(half.resolve(file), part);
                for (SafetensorsWriter.Tensor t : part) {
                    index.append(index.charAt(index.length() - 1) == '{' ? "" : ", ").append('"').append(t.name()).append("\": \"").append(file).append('"');
                }
            }
            Files.writeString(half.resolve(Weights.INDEX_FILE), index.append("}}").toString());
        }
        float[] expected;
        float[] unrounded;
        try (Transformer t = Transformer.load(widened)) {
            expected = t.forward(TOKENS, HookSet.none()).logits().data();
        }
        try (Transformer t = Transformer.load(original)) {
            unrounded = t.forward(TOKENS, HookSet.none()).logits().data();
        }
        try (Transformer t = Transformer.load(half)) {
            assertArrayEquals(expected, t.forward(TOKENS, HookSet.none()).logits().data(), 1e-6f);
        }
        assertFalse(java.util.Arrays.equals(expected, unrounded), "the rounding is visible, so the comparison is not vacuous");
    }

    private static float[] decode(SafetensorsWriter.Tensor t) {
        float[] out = new float[t.data().remaining() / t.dtype().bytes()];
        java.nio.ByteBuffer b = t.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i++) {
            short v = b.getShort(b.position() + 2 * i);
            out[i] = t.dtype() == DType.F16 ? DType.halfToFloat(v) : DType.bf16ToFloat(v);
        }
        return out;
    }
}
