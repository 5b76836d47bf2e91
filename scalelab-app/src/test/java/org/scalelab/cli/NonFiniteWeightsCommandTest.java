package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/** A checkpoint whose weights hold a NaN or an infinity: generate and capture say so, naming the weight. */
class NonFiniteWeightsCommandTest {
    @TempDir
    Path dir;

    /** Overwrites value {@code index} of tensor {@code name} in the model's safetensors file with {@code value}. */
    static void poison(Path model, String name, int index, float value) throws IOException {
        Path file = model.resolve("model.safetensors");
        long at;
        try (SafetensorsFile f = SafetensorsFile.open(file); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            TensorInfo t = f.info(name);
            at = 8 + len.flip().getLong() + t.begin() + 4L * index;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value), at);
        }
    }

    @Test
    void generateAndCaptureWarnNamingTheFirstNonFiniteWeight() throws IOException {
        Path clean = CliRun.tinyModel("gpt2", dir.resolve("clean"));
        CliRun ok = new CliRun("generate", "--model", clean.toString(), "--prompt", "Hello", "--max-tokens", "2");
        assertEquals(0, ok.code, ok.err.toString());
        assertFalse(ok.err.toString().contains("NaN"), ok.err.toString());

        Path model = CliRun.tinyModel("gpt2", dir.resolve("nan"));
        poison(model, "transformer.h.1.mlp.c_fc.weight", 5, Float.NaN);
        poison(model, "transformer.h.1.mlp.c_proj.weight", 0, Float.POSITIVE_INFINITY);
        CliRun g = new CliRun("generate", "--model", model.toString(), "--prompt", "Hello", "--max-tokens", "2");
        assertEquals(0, g.code, g.err.toString());
        String warning = g.err.toString().strip();
        assertEquals(1, warning.lines().filter(l -> l.startsWith("warning:")).count(), warning);
        assertTrue(warning.contains("weight 'transformer.h.1.mlp.c_fc.weight' holds NaN or infinite values"), warning);

        Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"id\": \"a\", \"text\": \"Hello\"}\n");
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.0.hook_resid_post",
                "--out", dir.resolve("acts").toString());
        assertTrue(c.err.toString().contains("weight 'transformer.h.1.mlp.c_fc.weight' holds NaN"), c.err.toString());
    }

    @Test
    void everyKindOfNonFiniteValueIsFoundAndFiniteExtremesAreNot() throws IOException {
        String weight = "transformer.h.1.mlp.c_fc.weight";
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < bad.length; i++) {
            Path m = CliRun.tinyModel("gpt2", dir.resolve("bad" + i));
            poison(m, weight, 7, bad[i]);
            try (org.scalelab.model.Transformer t = org.scalelab.model.Transformer.load(m)) {
                assertEquals(java.util.Optional.of(weight), t.firstNonFiniteWeight(), "value " + bad[i]);
            }
        }
        Path big = CliRun.tinyModel("gpt2", dir.resolve("big"));
        poison(big, weight, 7, Float.MAX_VALUE);
        poison(big, weight, 8, -Float.MAX_VALUE);
        try (org.scalelab.model.Transformer t = org.scalelab.model.Transformer.load(big)) {
            assertEquals(java.util.Optional.empty(), t.firstNonFiniteWeight(), "the largest finite floats are finite");
        }
    }
}
