package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.InputException;
import org.scalelab.io.DType;
import org.scalelab.io.Json;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.SafetensorsWriter;

/**
 * The runtime's side of safetensors: tensors as NDArrays ({@link SafetensorsArrays}), sharded
 * checkpoints ({@link Weights}), and files numpy writes or reads (the format itself is tested in
 * core, {@code io.SafetensorsTest}).
 */
class WeightsTest {
    @TempDir Path dir;

    private static final float[] VALUES = {0f, 1f, -1.5f, 0.1f, 3.14159f, -65504f, 1e-5f, 6e-8f, 70000f, 2.5e-3f, 1e30f, -0f};

    @Test
    void loadsEveryDtypeAsFloat32NDArray() {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(
                SafetensorsWriter.Tensor.ofFloats("h", DType.F16, new long[] {2, 6}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("b", DType.BF16, new long[] {12}, VALUES)));
        try (SafetensorsFile s = SafetensorsFile.open(f);
             NDManager m = NDManager.newBaseManager(TorchEngine.get().defaultDevice(), TorchEngine.get().getEngineName())) {
            NDArray h = SafetensorsArrays.load(m, s, "h");
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, h.getDataType());
            assertEquals(new ai.djl.ndarray.types.Shape(2, 6), h.getShape());
            // The engine's widening must agree with our own decoder bit for bit.
            assertArrayEquals(s.floats("h"), h.toFloatArray());
            assertArrayEquals(s.floats("b"), SafetensorsArrays.load(m, s, "b").toFloatArray());
        }
    }

    @Test
    void float32NDArrayAliasesTheFileInsteadOfCopyingIt() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofFloats("w", DType.F32, new long[] {4}, new float[] {1, 2, 3, 4})));
        try (SafetensorsFile s = SafetensorsFile.open(f);
             NDManager m = NDManager.newBaseManager(TorchEngine.get().defaultDevice(), TorchEngine.get().getEngineName())) {
            NDArray w = SafetensorsArrays.load(m, s, "w");
            // Overwrite the file's bytes behind the array: only a shared mapping can see the change.
            ByteBuffer seven = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).flip();
            long dataStart = 8 + ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(seven, dataStart + 4);
            }
            assertArrayEquals(new float[] {1, 7, 3, 4}, w.toFloatArray());
        }
    }

    @Test
    void readsShardedCheckpointThroughTheIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                List.of(SafetensorsWriter.Tensor.ofFloats("a", DType.F32, new long[] {2}, new float[] {1, 2})));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
                List.of(SafetensorsWriter.Tensor.ofFloats("b", DType.BF16, new long[] {1}, new float[] {3})));
        Files.writeString(dir.resolve(Weights.INDEX_FILE), "{\"metadata\":{\"total_size\":10},\"weight_map\":"
                + "{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (Weights w = Weights.open(dir)) {
            assertEquals(List.of("a", "b"), List.copyOf(w.names()));
            assertArrayEquals(new float[] {1, 2}, w.floats("a"));
            assertArrayEquals(new float[] {3}, w.floats("b"));
            assertEquals(3, w.parameterCount());
        }
    }

    @Test
    void rejectsIndexThatPointsAtTheWrongShard() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00001.safetensors"),
                List.of(SafetensorsWriter.Tensor.ofFloats("a", DType.F32, new long[] {1}, new float[] {1})));
        Files.writeString(dir.resolve(Weights.INDEX_FILE), "{\"weight_map\":{\"zz\":\"model-00001-of-00001.safetensors\"}}");
        InputException e = assertThrows(InputException.class, () -> Weights.open(dir));
        assertTrue(e.getMessage().contains("tensor 'zz'") && e.getMessage().contains(Weights.INDEX_FILE), e.getMessage());
        Files.writeString(dir.resolve(Weights.INDEX_FILE), "{\"weight_map\":{\"a\":\"missing.safetensors\"}}");
        e = assertThrows(InputException.class, () -> Weights.open(dir));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
    }

    @Test
    void rejectsFolderWithoutWeights() {
        InputException e = assertThrows(InputException.class, () -> Weights.open(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    // ---- cross-checks against an independent numpy implementation of the format

    @Test
    void readsFileWrittenByNumpy() throws IOException {
        PythonReference.requireModules("numpy");
        Path f = dir.resolve("numpy.safetensors");
        JsonNode expected = Json.mapper().readTree(PythonReference.run("scalelab-nn/src/test/python/safetensors_numpy.py", "write", f.toString()));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(DType.F16, s.info("layer.bias_f16").dtype());
            assertEquals(DType.BF16, s.info("embed_bf16").dtype());
            assertArrayEquals(new long[] {}, s.info("scalar").shape());
            for (String name : List.of("layer.weight", "layer.bias_f16", "embed_bf16", "scalar")) {
                float[] want = Json.mapper().convertValue(expected.get(name), float[].class);
                assertArrayEquals(want, s.floats(name), name);
            }
        }
    }

    @Test
    void writesFileNumpyReadsWithTheSameRounding() throws IOException {
        PythonReference.requireModules("numpy");
        Path f = dir.resolve("java.safetensors");
        SafetensorsWriter.write(f, List.of(
                SafetensorsWriter.Tensor.ofFloats("f32", DType.F32, new long[] {3, 4}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("f16", DType.F16, new long[] {12}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("bf16", DType.BF16, new long[] {4, 3}, VALUES)));
        Map<String, Map<String, Object>> read = Json.mapper().readValue(
                PythonReference.run("scalelab-nn/src/test/python/safetensors_numpy.py", "read", f.toString()), new TypeReference<>() {});
        assertEquals(List.of(4, 3), read.get("bf16").get("shape"));
        assertArrayEquals(VALUES, floats(read.get("f32")));
        // numpy's astype(float16) is the reference rounding for F16.
        int[] numpyHalfBits = Json.mapper().readValue(PythonReference.run("scalelab-nn/src/test/python/safetensors_numpy.py", "half",
                Json.write(VALUES)), int[].class);
        float[] javaHalf = floats(read.get("f16"));
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(numpyHalfBits[i], Float.floatToRawIntBits(javaHalf[i]), "f16 rounding of " + VALUES[i]);
        }
        float[] bf = floats(read.get("bf16"));
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(VALUES[i], bf[i], Math.abs(VALUES[i]) * 0x1p-8f);
        }
    }

    private static float[] floats(Map<String, Object> entry) {
        int[] bits = Json.mapper().convertValue(entry.get("bits"), int[].class);
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = Float.intBitsToFloat(bits[i]);
        }
        return out;
    }


}
