package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.scalelab.model.Directions;
import org.scalelab.model.Generation;
import org.scalelab.model.HookSet;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;

class CaptureGenerateCommandTest {
    @TempDir Path dir;

    private Path tinyModel() {
        return CliRun.tinyModel("gpt2", dir.resolve("tiny"));
    }

    @Test
    void captureWritesAnActivationSetWhoseRowsMatchTheModel() throws Exception {
        Path m = tinyModel();
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, """
                {"id": "q1", "text": "2+2=4", "domain": "math", "labels": {"correct": true}}
                {"id": "q2", "text": "The sky is blue.", "domain": "facts"}
                {"id": "q3", "text": "Why?"}
                """);
        Path out = dir.resolve("acts");
        JsonNode s = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.*.hook_resid_post,hook_embed",
                "--positions", "all", "--out", out.toString(), "--shard-mb", "0.002", "--batch", "2", "--json").json();
        assertEquals(3, s.get("trajectories").asInt());
        assertEquals(0, s.get("resumed").asInt());
        assertTrue(s.get("shards").asInt() >= 2, s.toString());
        try (ActivationSet set = ActivationSet.open(out); Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            ActivationManifest.Trajectory q2 = set.trajectory("q2");
            assertEquals("facts", q2.domain());
            int[] tokens = tok.encode("The sky is blue.");
            float[][] rows = set.rows("blocks.1.hook_resid_post", q2);
            var direct = t.forward(tokens, HookSet.of("blocks.1.hook_resid_post")).activation("blocks.1.hook_resid_post");
            for (int i = 0; i < tokens.length; i++) {
                assertArrayEquals(direct.at(0, i), rows[i], 1e-5f);
            }
        }
        // A difference-of-means direction, saved as .npy, read back as a steering direction.
        Path npy = dir.resolve("math-vs-facts.npy");
        CliRun dirRun = new CliRun("direction", "--set", out.toString(), "--hook", "blocks.1.hook_resid_post", "--positive", "domain=math",
                "--negative", "labels.correct=missing", "--out", npy.toString());
        assertEquals(2, dirRun.code, "a filter matching nothing is an input error");
        assertTrue(dirRun.err.toString().contains("matched nothing"), dirRun.err.toString());
        dirRun = new CliRun("direction", "--set", out.toString(), "--hook", "blocks.1.hook_resid_post", "--positive", "labels.correct=true",
                "--negative", "domain=facts", "--out", npy.toString());
        assertEquals(0, dirRun.code, dirRun.err.toString());
        try (ActivationSet set = ActivationSet.open(out)) {
            float[] want = set.differenceOfMeans("blocks.1.hook_resid_post", t -> t.id().equals("q1"), t -> t.id().equals("q2"));
            assertArrayEquals(want, Directions.read(npy, null), 0f);
        }
        // Running it again finds the set complete and changes nothing.
        JsonNode again = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--hooks", "blocks.*.hook_resid_post,hook_embed",
                "--out", out.toString(), "--shard-mb", "0.002", "--batch", "2", "--json").json();
        assertEquals(3, again.get("resumed").asInt());
    }

    @Test
    void aBadPromptLineIsOneErrorLineNamingFileLineAndField() throws Exception {
        Path m = tinyModel();
        Path prompts = dir.resolve("bad.jsonl");
        Files.writeString(prompts, "{\"id\": \"q1\", \"text\": \"fine\"}\n{\"id\": \"q2\"}\n");
        CliRun r = new CliRun("capture", "--model", m.toString(), "--prompts", prompts.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.toString().contains(prompts + ":2: field \"text\""), r.err.toString());
        assertFalse(Files.exists(dir.resolve("o").resolve("manifest.json")));
    }

    @Test
    void generatePrintsTheGreedyContinuationAndSteeringTowardsATokenEmitsIt() throws Exception {
        Path m = tinyModel();
        CliRun plain = new CliRun("generate", "--model", m.toString(), "--prompt", "Hello", "--max-tokens", "6");
        assertEquals(0, plain.code, plain.err.toString());
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            int[] ids = Generation.greedy(t, tok.encode("Hello"), 6, tok.endOfText());
            if (ids.length > 0 && ids[ids.length - 1] == tok.endOfText()) {
                ids = Arrays.copyOf(ids, ids.length - 1);
            }
            assertEquals(tok.decode(ids) + System.lineSeparator(), plain.out.toString());
            assertEquals(256, tok.endOfText());
        }
        // The direction: the unembedding (tied to wte) row of byte 'A' (id 65 in the byte-level vocabulary).
        float[] row;
        try (SafetensorsFile f = SafetensorsFile.open(m.resolve("model.safetensors"))) {
            String name = f.tensors().keySet().stream().filter(n -> n.endsWith("wte.weight")).findFirst().orElseThrow();
            row = Arrays.copyOfRange(f.floats(name), 65 * 32, 66 * 32);
        }
        Path v = dir.resolve("a.safetensors");
        SafetensorsWriter.write(v, List.of(SafetensorsWriter.Tensor.ofFloats("towards_A", DType.F32, new long[] {32}, row)));
        CliRun steered = new CliRun("generate", "--model", m.toString(), "--prompt", "Hello", "--max-tokens", "5", "--steer", v.toString(),
                "--alpha", "200", "--at", "blocks.1.hook_resid_post");
        assertEquals(0, steered.code, steered.err.toString());
        assertEquals("AAAAA" + System.lineSeparator(), steered.out.toString());

        CliRun a = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--temperature", "1", "--top-k", "20", "--seed", "3");
        CliRun b = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--temperature", "1", "--top-k", "20", "--seed", "3");
        assertEquals(0, a.code, a.err.toString());
        assertEquals(a.out.toString(), b.out.toString(), "the same seed must give the same text");

        CliRun noHook = new CliRun("generate", "--model", m.toString(), "--prompt", "Hi", "--steer", v.toString());
        assertEquals(2, noHook.code);
        assertTrue(noHook.err.toString().contains("--at"), noHook.err.toString());
    }
}
