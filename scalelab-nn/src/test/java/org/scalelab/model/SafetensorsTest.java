package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

class SafetensorsTest {
    private static final String SAFETENSORS_NUMPY = "scalelab-nn/src/test/python/safetensors_numpy.py";
    @TempDir Path dir;

    private static final float[] VALUES = {0f, 1f, -1.5f, 0.1f, 3.14159f, -65504f, 1e-5f, 6e-8f, 70000f, 2.5e-3f, 1e30f, -0f};

    @Test
    void roundTripsEveryDtypeThroughWriterAndMappedReader() {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(
                SafetensorsWriter.Tensor.ofFloats("a.f32", DType.F32, new long[] {3, 4}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("b.f16", DType.F16, new long[] {12}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("c.bf16", DType.BF16, new long[] {2, 2, 3}, VALUES)),
                Map.of("format", "pt"));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("a.f32", "b.f16", "c.bf16"), List.copyOf(s.tensors().keySet()));
            assertEquals("pt", s.metadata().get("format"));
            assertArrayEquals(new long[] {3, 4}, s.info("a.f32").shape());
            assertArrayEquals(VALUES, s.floats("a.f32"));
            float[] half = s.floats("b.f16");
            float[] bf = s.floats("c.bf16");
            for (int i = 0; i < VALUES.length; i++) {
                float v = VALUES[i];
                // F16 keeps 11 significant bits, BF16 8: relative error ≤ 2^-11 and 2^-8 in range.
                if (Math.abs(v) <= 65504f && (Math.abs(v) >= 6.2e-5f || v == 0)) {
                    assertEquals(v, half[i], Math.abs(v) * 0x1p-11f, "f16 of " + v);
                }
                assertEquals(v, bf[i], Math.abs(v) * 0x1p-8f, "bf16 of " + v);
            }
            assertEquals(Float.POSITIVE_INFINITY, half[8], "70000 overflows binary16");
        }
    }

    @Test
    void headerIsPaddedSoTensorsStartEightByteAligned() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofFloats("x", DType.F32, new long[] {1}, new float[] {1})));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getLong(0) % 8);
    }

    @Test
    void loadsEveryDtypeAsFloat32NDArray() {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(
                SafetensorsWriter.Tensor.ofFloats("h", DType.F16, new long[] {2, 6}, VALUES),
                SafetensorsWriter.Tensor.ofFloats("b", DType.BF16, new long[] {12}, VALUES)));
        try (SafetensorsFile s = SafetensorsFile.open(f);
             NDManager m = NDManager.newBaseManager(TorchEngine.get().defaultDevice(), TorchEngine.get().getEngineName())) {
            NDArray h = s.toNDArray(m, "h");
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, h.getDataType());
            assertEquals(new ai.djl.ndarray.types.Shape(2, 6), h.getShape());
            // The engine's widening must agree with our own decoder bit for bit.
            assertArrayEquals(s.floats("h"), h.toFloatArray());
            assertArrayEquals(s.floats("b"), s.toNDArray(m, "b").toFloatArray());
        }
    }

    @Test
    void float32NDArrayAliasesTheFileInsteadOfCopyingIt() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofFloats("w", DType.F32, new long[] {4}, new float[] {1, 2, 3, 4})));
        try (SafetensorsFile s = SafetensorsFile.open(f);
             NDManager m = NDManager.newBaseManager(TorchEngine.get().defaultDevice(), TorchEngine.get().getEngineName())) {
            NDArray w = s.toNDArray(m, "w");
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
    void writeLeavesNoTemporaryFileBehind() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofFloats("x", DType.F32, new long[] {2}, new float[] {1, 2})));
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofFloats("y", DType.F32, new long[] {1}, new float[] {3})));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of("y"), List.copyOf(s.tensors().keySet()), "the second write replaced the first");
        }
    }

    // ---- corruption: each defect is one InputException naming the file and, where there is one, the tensor

    @Test
    void rejectsFileShorterThanTheHeaderLength() throws IOException {
        Path f = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        assertRejected(f, "short.safetensors", "shorter than the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, 1000);
        assertRejected(f, "bad.safetensors", "runs beyond the end");
    }

    @Test
    void rejectsHeaderThatIsNotJson() throws IOException {
        assertRejected(raw("{not json", 0, -1), "bad.safetensors", "not valid JSON");
    }

    @Test
    void rejectsOffsetsOutsideTheDataRegion() throws IOException {
        Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, -1);
        assertRejected(f, "tensor 'x'", "point outside the 8-byte data region");
    }

    @Test
    void rejectsCraftedSizesNamingTheTensorFieldAndValue() throws IOException {
        assertRejected(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,18446744073709551632]}}", 16, -1),
                "tensor 'x'", "\"data_offsets\" is [0,18446744073709551632]");
        assertRejected(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-60,8],\"data_offsets\":[0,16]}}", 16, -1), "tensor 'x'", "shape [-60,8]");
        assertRejected(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,8],\"data_offsets\":[0,16]}}", 16, -1),
                "tensor 'x'", "is too large");
        assertRejected(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16, 1L << 62), "header length 4611686018427387904", "is not between");
        String longName = "n".repeat(20_000);
        assertRejected(raw("{\"" + longName + "\":{\"dtype\":\"Q9\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16, -1), "nnn…'", "dtype Q9");
    }

    @Test
    void rejectsTruncatedFile() throws IOException {
        Path full = dir.resolve("full.safetensors");
        SafetensorsWriter.write(full, List.of(SafetensorsWriter.Tensor.ofFloats("w", DType.F32, new long[] {4, 4}, new float[16])));
        byte[] bytes = Files.readAllBytes(full);
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertRejected(cut, "tensor 'w'", "truncated");
    }

    @Test
    void rejectsOverlappingOffsets() throws IOException {
        Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, -1);
        assertRejected(f, "tensor 'b'", "overlap tensor 'a'");
    }

    @Test
    void rejectsGapsBetweenTensors() throws IOException {
        Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, -1);
        assertRejected(f, "tensor 'b'", "without gaps");
    }

    @Test
    void rejectsTrailingBytesAfterTheLastTensor() throws IOException {
        Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12, -1);
        assertRejected(f, "bad.safetensors", "trailing bytes");
    }

    @Test
    void rejectsShapeThatDoesNotMatchTheByteSpan() throws IOException {
        Path f = raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, -1);
        assertRejected(f, "tensor 'a'", "shape [3] × F16 (2 bytes) needs 6 bytes but data_offsets span 8");
    }

    @Test
    void rejectsUnknownDtypeListingTheSupportedOnes() throws IOException {
        Path f = raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, -1);
        assertRejected(f, "tensor 'ids'", "dtype I64 is not supported (supported: F32, F16, BF16, I32)");
    }

    @Test
    void int32IndexTensorsRoundTripButAreNeverReadAsFloats() {
        Path f = dir.resolve("ints.safetensors");
        SafetensorsWriter.write(f, List.of(SafetensorsWriter.Tensor.ofInts("rows", new long[] {3}, new int[] {7, -1, 1 << 30})));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new int[] {7, -1, 1 << 30}, st.ints("rows"));
            InputException e = assertThrows(InputException.class, () -> st.floats("rows"));
            assertTrue(e.getMessage().contains("expected a float tensor"), e.getMessage());
        }
    }

    @Test
    void rejectsMissingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "absent.safetensors", "not found");
    }

    // ---- sharded checkpoints

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
        JsonNode expected = Json.mapper().readTree(PythonReference.run(SAFETENSORS_NUMPY, "write", f.toString()));
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
                PythonReference.run(SAFETENSORS_NUMPY, "read", f.toString()), new TypeReference<>() {});
        assertEquals(List.of(4, 3), read.get("bf16").get("shape"));
        assertArrayEquals(VALUES, floats(read.get("f32")));
        // numpy's astype(float16) is the reference rounding for F16.
        int[] numpyHalfBits = Json.mapper().readValue(PythonReference.run(SAFETENSORS_NUMPY, "half",
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

    @Test
    void halfRoundingMatchesIeeeOnTiesAndSubnormals() {
        // 1 + 2^-11 lies exactly between 1 and 1 + 2^-10: ties go to the even mantissa (1.0).
        assertEquals(1f, DType.halfToFloat(DType.floatToHalf(1f + 0x1p-11f)));
        // 1 + 3·2^-11 lies between 1 + 2^-10 (odd) and 1 + 2^-9 (even): rounds up.
        assertEquals(1f + 0x1p-9f, DType.halfToFloat(DType.floatToHalf(1f + 3 * 0x1p-11f)));
        // Smallest subnormal half is 2^-24; half of it ties to zero.
        assertEquals(0x1p-24f, DType.halfToFloat(DType.floatToHalf(0x1p-24f)));
        assertEquals(0f, DType.halfToFloat(DType.floatToHalf(0x1p-25f)));
        assertEquals(65504f, DType.halfToFloat(DType.floatToHalf(65504f)));
        assertTrue(Float.isNaN(DType.halfToFloat(DType.floatToHalf(Float.NaN))));
        assertFalse(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(1e38f))));
    }

    private static float[] floats(Map<String, Object> entry) {
        int[] bits = Json.mapper().convertValue(entry.get("bits"), int[].class);
        float[] out = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = Float.intBitsToFloat(bits[i]);
        }
        return out;
    }

    /** A file with the given header text, {@code dataBytes} zero bytes, and optionally a lying length. */
    private Path raw(String header, int dataBytes, long claimedHeaderLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedHeaderLength >= 0 ? claimedHeaderLength : h.length).put(h);
        return Files.write(dir.resolve("bad.safetensors"), b.array());
    }

    private static void assertRejected(Path f, String where, String what) {
        InputException e = assertThrows(InputException.class, () -> SafetensorsFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(where), "names " + where + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "says " + what + ": " + e.getMessage());
        assertTrue(e.getMessage().length() < 1000, "a short message whatever the header holds: " + e.getMessage().length());
    }
}
