package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.SafetensorsWriter;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.Generation;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

/** {@code --dtype} on capture and generate: float16 runs end to end, bfloat16 and unknown names are one-line input errors. */
class ComputeDTypeCommandTest {
    @TempDir Path dir;

    private Path tinyModel() {
        return CliRun.tinyModel("gpt2", dir.resolve("tiny"));
    }

    @Test
    void captureInFloat16SavesTheFloat16ModelsActivationsAsFloat32() throws Exception {
        Path m = tinyModel();
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"id\": \"q1\", \"text\": \"The sky is blue.\"}\n");
        Path out = dir.resolve("acts");
        JsonNode s = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.1.hook_resid_post",
                "--out", out.toString(), "--dtype", "float16", "--json").json();
        assertEquals(1, s.get("trajectories").asInt());
        try (ActivationSet set = ActivationSet.open(out); Transformer f16 = Transformer.load(m, ComputeDType.FLOAT16);
                Transformer f32 = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            assertEquals("F32", set.manifest().dtype(), "the manifest's dtype is the storage dtype of the shards");
            ActivationManifest.Trajectory q1 = set.trajectory("q1");
            int[] tokens = tok.encode("The sky is blue.");
            float[][] rows = set.rows("blocks.1.hook_resid_post", q1);
            var half = f16.forward(tokens, HookSet.of("blocks.1.hook_resid_post")).activation("blocks.1.hook_resid_post");
            var full = f32.forward(tokens, HookSet.of("blocks.1.hook_resid_post")).activation("blocks.1.hook_resid_post");
            boolean differs = false;
            for (int i = 0; i < tokens.length; i++) {
                assertArrayEquals(half.at(0, i), rows[i], 0f, "position " + i + ": the float16 model's values");
                differs |= !Arrays.equals(full.at(0, i), rows[i]);
            }
            assertTrue(differs, "float16 capture equals float32 bit for bit: --dtype was ignored");
        }
    }

    @Test
    void generateInFloat16MatchesTheFloat16ModelAndSteers() throws Exception {
        Path m = tinyModel();
        CliRun plain = new CliRun("generate", "--model", m.toString(), "--prompt", "Hello", "--max-tokens", "6", "--dtype", "float16");
        assertEquals(0, plain.code, plain.err.toString());
        try (Transformer t = Transformer.load(m, ComputeDType.FLOAT16); ModelTokenizer tok = ModelTokenizer.load(m)) {
            int[] ids = Generation.greedy(t, tok.encode("Hello"), 6, tok.endOfText());
            if (ids.length > 0 && ids[ids.length - 1] == tok.endOfText()) {
                ids = Arrays.copyOf(ids, ids.length - 1);
            }
            assertEquals(tok.decode(ids) + System.lineSeparator(), plain.out.toString());
        }
        // Steering vectors are made in the compute dtype too: towards the unembedding row of 'A' (byte 65).
        float[] row;
        try (SafetensorsFile f = SafetensorsFile.open(m.resolve("model.safetensors"))) {
            String name = f.tensors().keySet().stream().filter(n -> n.endsWith("wte.weight")).findFirst().orElseThrow();
            row = Arrays.copyOfRange(f.floats(name), 65 * 32, 66 * 32);
        }
        Path v = dir.resolve("a.safetensors");
        SafetensorsWriter.write(v, List.of(SafetensorsWriter.Tensor.ofFloats("towards_A", DType.F32, new long[] {32}, row)));
        CliRun steered = new CliRun("generate", "--model", m.toString(), "--prompt", "Hello", "--max-tokens", "5", "--steer", v.toString(),
                "--alpha", "200", "--at", "blocks.1.hook_resid_post", "--dtype", "float16");
        assertEquals(0, steered.code, steered.err.toString());
        assertEquals("AAAAA" + System.lineSeparator(), steered.out.toString());
    }

    @Test
    void bfloat16AndUnknownDtypesAreOneLineInputErrors() {
        Path m = tinyModel();
        CliRun bf16 = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--dtype", "bfloat16");
        assertEquals(2, bf16.code, bf16.err.toString());
        assertTrue(bf16.err.toString().contains("--dtype float16"), bf16.err.toString());
        CliRun fp8 = new CliRun("capture", "--model", m.toString(), "--prompts", "p.jsonl", "--out", dir.resolve("o").toString(), "--dtype", "fp8");
        assertEquals(2, fp8.code, fp8.err.toString());
        assertTrue(fp8.err.toString().contains("float32, bfloat16, float16"), fp8.err.toString());
    }
}
