package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class ModelInitTest {
    @TempDir Path dir;

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        ModelConfig c = ModelConfig.gpt2(256, 32, 2, 4, 64);
        ModelInit.write(dir.resolve("a"), c, 1);
        ModelInit.write(dir.resolve("b"), c, 1);
        ModelInit.write(dir.resolve("c"), c, 2);
        byte[] a = Files.readAllBytes(dir.resolve("a/model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b/model.safetensors")));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("c/model.safetensors"))));
    }

    @Test
    void gpt2CheckpointHasHuggingFaceNamesAndTheClosedFormParameterCount() {
        int v = 256, d = 64, l = 2, p = 128;
        ModelInit.write(dir.resolve("m"), ModelConfig.gpt2(v, d, l, 4, p), 3);
        try (Weights w = Weights.open(dir.resolve("m"))) {
            assertTrue(w.contains("transformer.h.1.attn.c_attn.weight"));
            assertArrayEquals(new long[] {d, 3 * d}, w.info("transformer.h.0.attn.c_attn.weight").shape(), "Conv1D [in, out]");
            assertFalse(w.contains("lm_head.weight"), "tied to wte");
            // Per block: attention 4d² + 4d, MLP 8d² + 5d, two LayerNorms 4d → 12d² + 13d (GPT-2 §2.3 shapes).
            long expected = (long) v * d + (long) p * d + l * (12L * d * d + 13L * d) + 2L * d;
            assertEquals(expected, w.parameterCount());
        }
    }

    @Test
    void llamaCheckpointHasHuggingFaceNamesAndTheClosedFormParameterCount() {
        int v = 256, d = 64, l = 2, h = 4, kv = 2, mlp = 172;
        ModelInit.write(dir.resolve("m"), ModelConfig.llama(v, d, l, h, kv, mlp, 128, 10000.0, false), 3);
        try (Weights w = Weights.open(dir.resolve("m"))) {
            assertArrayEquals(new long[] {kv * (d / h), d}, w.info("model.layers.0.self_attn.k_proj.weight").shape(), "Linear [out, in]");
            assertTrue(w.contains("lm_head.weight"));
            long perLayer = 2L * d * d + 2L * d * (kv * (d / h)) + 3L * d * mlp + 2L * d;
            assertEquals(2L * v * d + l * perLayer + d, w.parameterCount());
        }
    }

    @Test
    void checkpointWithRoomForBytesGetsAByteLevelTokenizer() {
        ModelInit.write(dir.resolve("m"), ModelConfig.gpt2(300, 16, 1, 2, 16), 1);
        try (ModelTokenizer t = ModelTokenizer.load(dir.resolve("m"))) {
            assertArrayEquals(new int[] {'h', 'i', 256}, t.encode("hi" + ModelTokenizer.END_OF_TEXT));
        }
    }

    @Test
    void standardInitHasPublishedScales() {
        ModelInit.write(dir.resolve("m"), ModelConfig.gpt2(512, 64, 4, 4, 64), 5);
        try (Weights w = Weights.open(dir.resolve("m"))) {
            assertEquals(0.02, std(w.floats("transformer.wte.weight")), 0.001);
            assertEquals(0.02 / Math.sqrt(8), std(w.floats("transformer.h.0.mlp.c_proj.weight")), 0.0005);
            for (float x : w.floats("transformer.h.0.ln_1.weight")) {
                assertEquals(1f, x);
            }
        }
    }

    @Test
    void refusesToOverwriteACheckpointAndLeavesNoStagingFolder() throws IOException {
        ModelConfig c = ModelConfig.llama(64, 16, 1, 2, 2, 32, 32, 10000.0, true);
        ModelInit.write(dir.resolve("m"), c, 1);
        InputException e = assertThrows(InputException.class, () -> ModelInit.write(dir.resolve("m"), c, 2));
        assertTrue(e.getMessage().contains("already holds a checkpoint"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("m")), s.toList());
        }
        try (Stream<Path> s = Files.list(dir.resolve("m"))) {
            assertEquals(2, s.count(), "config.json and model.safetensors only");
        }
    }

    @Test
    void checkpointFilesGetTheUsualPermissionsNotTemporaryFileOnes() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path m = dir.resolve("m");
        ModelInit.write(m, ModelConfig.gpt2(256, 16, 1, 2, 16), 1);
        Path reference = Files.writeString(dir.resolve("plain.txt"), "x"); // created like any file: umask applies
        for (Path p : List.of(m.resolve("config.json"), m.resolve("model.safetensors"), m.resolve("tokenizer.json"))) {
            assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(p), p.toString());
        }
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double ss = 0;
        for (float v : x) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / x.length);
    }
}
