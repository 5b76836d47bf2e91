package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

class CaptureTest {
    private static final String READER = "scalelab-nn/src/test/python/read_activation_set.py";
    @TempDir Path dir;

    private static final ModelConfig GPT2 = ModelConfig.gpt2(260, 32, 2, 4, 64);
    private static final ModelConfig LLAMA = ModelConfig.llama(260, 32, 2, 4, 2, 64, 64, 10000.0, false);
    private static final List<String> TEXTS = List.of("The cat sat.", "2+2=4", "Hello, world! How are you?", "xy z",
            "Steps: first, then second.", "abc def ghi", "Q: why? A: because");

    @AfterEach
    void uninstallProgress() {
        Progress.install(null);
    }

    private Path model(ModelConfig c) {
        Path m = dir.resolve("model-" + c.family().modelType());
        if (!Files.exists(m)) {
            ModelInit.write(m, c, 11, ModelInit.Scheme.ALL_RANDOM);
        }
        return m;
    }

    private Path prompts() throws IOException {
        Path f = dir.resolve("prompts.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < TEXTS.size(); i++) {
            sb.append(Json.write(new TreeMap<>(java.util.Map.of("id", "p" + i, "text", TEXTS.get(i), "domain", i % 2 == 0 ? "even" : "odd",
                    "labels", java.util.Map.of("n", i))))).append('\n');
        }
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void capturedRowsEqualADirectForwardOfEachPromptAlone() throws IOException {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            Path out = dir.resolve("acts-" + c.family().modelType());
            List<Prompt> prompts = Prompt.readJsonl(prompts());
            try (Transformer model = Transformer.load(model(c)); ModelTokenizer tok = ModelTokenizer.load(model(c))) {
                Capture.Summary s = Capture.run(model, tok, prompts, out,
                        new Capture.Options(List.of("blocks.*.hook_resid_post", "hook_embed"), Positions.ALL, 3000, 3, List.of()));
                assertEquals(TEXTS.size(), s.trajectories());
                assertEquals(List.of("hook_embed", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), s.hooks());
                assertTrue(s.shards() > 1, "a 3000-byte shard limit must give several shards, got " + s.shards());
                try (ActivationSet set = ActivationSet.open(out)) {
                    assertTrue(set.manifest().complete());
                    assertEquals(32, set.manifest().dModel());
                    for (Prompt p : prompts) {
                        int[] tokens = tok.encode(p.text());
                        ActivationManifest.Trajectory t = set.trajectory(p.id());
                        assertEquals(tokens.length, t.tokenCount());
                        assertEquals(tokens.length, t.rows());
                        assertEquals(p.domain(), t.domain());
                        assertEquals(p.labels(), t.labels());
                        ForwardResult direct = model.forward(tokens, HookSet.of("*"));
                        for (String h : set.hooks()) {
                            float[][] rows = set.rows(h, t);
                            for (int i = 0; i < tokens.length; i++) {
                                assertArrayEquals(direct.activation(h).at(0, i), rows[i], 1e-5f, c.family() + " " + p.id() + " " + h + " row " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void pythonReadsAShardWithJsonStructAndNumpyOnly() throws IOException {
        PythonReference.requireModules("numpy");
        Path out = dir.resolve("acts");
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(model, tok, prompts, out, new Capture.Options(List.of("blocks.1.hook_resid_post"), Positions.parse("1:"), 2000, 2, List.of()));
            for (String id : List.of("p0", "p4", "p6")) {
                JsonNode py = Json.mapper().readTree(PythonReference.run(READER, out.toString(),
                        "blocks.1.hook_resid_post", id));
                assertTrue(py.get("index_ok").asBoolean(), "the index tensors and the manifest's row span must agree: " + py);
                int[] tokens = tok.encode(prompts.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow().text());
                Activation direct = model.forward(tokens, HookSet.of("blocks.1.hook_resid_post")).activation("blocks.1.hook_resid_post");
                assertEquals(tokens.length - 1, py.get("rows").size());
                for (int i = 0; i < tokens.length - 1; i++) {
                    assertEquals(i + 1, py.get("positions").get(i).asInt());
                    float[] want = direct.at(0, i + 1);
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(want[j], py.get("rows").get(i).get(j).floatValue(), 1e-5f, id + " row " + i + " column " + j);
                    }
                }
            }
        }
    }

    @Test
    void hooksOfOtherWidthsAreCapturedWithTheirRowShapesAndPatternsPaddedToTheLongestPrompt() throws IOException {
        PythonReference.requireModules("numpy");
        ModelConfig c = LLAMA; // 4 query heads, 2 kv heads, d_head 8, d_mlp 64
        Path out = dir.resolve("acts-wide");
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        List<String> hooks = List.of("blocks.1.ln1.hook_scale", "blocks.1.attn.hook_k", "blocks.1.attn.hook_attn_scores", "blocks.1.attn.hook_pattern",
                "blocks.1.attn.hook_z", "blocks.1.attn.hook_result", "blocks.1.mlp.hook_post", "blocks.1.hook_resid_post");
        try (Transformer model = Transformer.load(model(c)); ModelTokenizer tok = ModelTokenizer.load(model(c))) {
            int longest = prompts.stream().mapToInt(p -> tok.encode(p.text()).length).max().orElseThrow();
            Capture.Summary s = Capture.run(model, tok, prompts, out, new Capture.Options(hooks, Positions.ALL, 4000, 3, List.of()));
            assertEquals(hooks, s.hooks());
            try (ActivationSet set = ActivationSet.open(out)) {
                assertArrayEquals(new int[] {1}, set.rowShape("blocks.1.ln1.hook_scale"));
                assertArrayEquals(new int[] {2, 8}, set.rowShape("blocks.1.attn.hook_k"));
                assertArrayEquals(new int[] {4, longest}, set.rowShape("blocks.1.attn.hook_pattern"));
                assertArrayEquals(new int[] {4, 8}, set.rowShape("blocks.1.attn.hook_z"));
                assertArrayEquals(new int[] {4, 32}, set.rowShape("blocks.1.attn.hook_result"));
                assertArrayEquals(new int[] {64}, set.rowShape("blocks.1.mlp.hook_post"));
                assertArrayEquals(new int[] {32}, set.rowShape("blocks.1.hook_resid_post"));
                for (Prompt p : prompts) {
                    int[] tokens = tok.encode(p.text());
                    ActivationManifest.Trajectory t = set.trajectory(p.id());
                    ForwardResult direct = model.forward(tokens, HookSet.of(hooks.toArray(String[]::new)));
                    for (String h : hooks) {
                        float[][] rows = set.rows(h, t);
                        Activation a = direct.activation(h);
                        for (int i = 0; i < tokens.length; i++) {
                            float[] want = new float[set.width(h)];
                            if (h.endsWith("hook_pattern") || h.endsWith("hook_attn_scores")) {
                                // [1, heads, query, key] alone → [heads, longest]; keys after the prompt's end are masked
                                java.util.Arrays.fill(want, h.endsWith("hook_pattern") ? 0f : Float.NEGATIVE_INFINITY);
                                for (int head = 0; head < 4; head++) {
                                    System.arraycopy(a.data(), (head * tokens.length + i) * tokens.length, want, head * longest, tokens.length);
                                }
                            } else {
                                System.arraycopy(a.data(), i * want.length, want, 0, want.length);
                            }
                            assertArrayEquals(want, rows[i], 1e-5f, p.id() + " " + h + " row " + i);
                        }
                    }
                }
            }
            for (String h : hooks) {
                // Python's json writes the scores' masked −∞ as -Infinity
                JsonNode py = new com.fasterxml.jackson.databind.ObjectMapper()
                        .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
                        .readTree(PythonReference.run(READER, out.toString(), h, "p2"));
                assertTrue(py.get("index_ok").asBoolean() && py.get("shape_ok").asBoolean(), h + ": " + py);
            }
        }
        JsonNode manifest = Json.mapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals("[2,8]", manifest.get("hook_shapes").get("blocks.1.attn.hook_k").toString());
        assertFalse(manifest.get("hook_shapes").has("blocks.1.hook_resid_post"), "a d_model-wide hook keeps the default row shape");
    }

    @Test
    void aSetOfResidualHooksAloneIsWrittenWithoutHookShapesAsBefore() throws IOException {
        Path out = dir.resolve("acts-plain");
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(model, tok, Prompt.readJsonl(prompts()), out, Capture.Options.of("blocks.*.hook_resid_post"));
        }
        assertFalse(Files.readString(out.resolve("manifest.json")).contains("hook_shapes"));
    }

    @Test
    void aBadHookShapeInTheManifestNamesTheFieldAndHook() throws IOException {
        Path out = dir.resolve("acts-bad");
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(model, tok, Prompt.readJsonl(prompts()), out, Capture.Options.of("blocks.0.attn.hook_z"));
        }
        Path m = out.resolve("manifest.json");
        Files.writeString(m, Files.readString(m).replaceFirst("\\[ 4, 8 \\]|\\[4,8\\]|\\[ 4,\\s*8 \\]", "[ 4, -8 ]"));
        InputException e = assertThrows(InputException.class, () -> ActivationSet.open(out));
        assertTrue(e.getMessage().contains("\"hook_shapes\": 'blocks.0.attn.hook_z'"), e.getMessage());
    }

    @Test
    void differenceOfDomainMeansMatchesNumpyOverAllShards() throws IOException {
        PythonReference.requireModules("numpy");
        Path out = dir.resolve("acts");
        try (Transformer model = Transformer.load(model(LLAMA)); ModelTokenizer tok = ModelTokenizer.load(model(LLAMA))) {
            Capture.run(model, tok, Prompt.readJsonl(prompts()), out,
                    new Capture.Options(List.of("blocks.0.hook_resid_post"), Positions.ALL, 1000, 3, List.of()));
        }
        JsonNode py = Json.mapper().readTree(PythonReference.run(READER, "diff", out.toString(),
                "blocks.0.hook_resid_post", "even", "odd"));
        try (ActivationSet set = ActivationSet.open(out)) {
            assertTrue(set.manifest().shards().size() > 2);
            float[] d = set.differenceOfMeans("blocks.0.hook_resid_post", t -> "even".equals(t.domain()), t -> "odd".equals(t.domain()));
            assertEquals(32, py.size());
            for (int j = 0; j < d.length; j++) {
                assertEquals(py.get(j).asDouble(), d[j], 1e-5, "component " + j);
            }
            assertThrows(InputException.class, () -> set.meanRow("blocks.0.hook_resid_post", t -> false));
        }
    }

    @Test
    void anInterruptedCaptureResumesToTheSameBytesAsAnUninterruptedOne() throws IOException {
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        Capture.Options options = new Capture.Options(List.of("blocks.*.hook_resid_post"), Positions.ALL, 1500, 2, List.of());
        Path whole = dir.resolve("whole");
        Path resumed = dir.resolve("resumed");
        try (Transformer model = Transformer.load(model(LLAMA)); ModelTokenizer tok = ModelTokenizer.load(model(LLAMA))) {
            Capture.run(model, tok, prompts, whole, options);
            // The "kill": the progress listener throws once four prompts are done, after the
            // first shard is on disk and while the next one is still in memory.
            Progress.install(new Progress.Listener() {
                @Override
                public void start(String task, long total) {}

                @Override
                public void update(long done) {
                    if (done == 4) {
                        throw new IllegalStateException("killed");
                    }
                }

                @Override
                public void finish() {}
            });
            assertThrows(IllegalStateException.class, () -> Capture.run(model, tok, prompts, resumed, options));
            Progress.install(null);
            ActivationManifest partial = ActivationManifest.read(resumed);
            assertFalse(partial.complete());
            assertTrue(partial.shards().size() >= 1 && partial.trajectories().size() < prompts.size(),
                    "the interrupted run must have left some but not all trajectories: " + partial.trajectories().size());
            // A shard written just before the kill, never listed in the manifest, and a temporary file.
            Files.writeString(resumed.resolve(String.format("shard-%05d.safetensors", partial.shards().size())), "half-written");
            Files.writeString(resumed.resolve(".manifest.json.123-4.tmp"), "{");

            Capture.Summary s = Capture.run(model, tok, prompts, resumed, options);
            assertEquals(partial.trajectories().size(), s.resumed());
        }
        assertEquals(listing(whole), listing(resumed));
        for (String f : listing(whole)) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(f)), Files.readAllBytes(resumed.resolve(f)), f);
        }
    }

    @Test
    void lastPositionKeepsOneRowPerPromptAtItsLastToken() throws IOException {
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        Path out = dir.resolve("last");
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(model, tok, prompts, out, new Capture.Options(List.of("ln_final.hook_normalized"), Positions.LAST, 1 << 20, 4, List.of()));
            try (ActivationSet set = ActivationSet.open(out)) {
                assertEquals(1, set.manifest().shards().size());
                for (Prompt p : prompts) {
                    int[] tokens = tok.encode(p.text());
                    ActivationManifest.Trajectory t = set.trajectory(p.id());
                    assertEquals(1, t.rows());
                    assertEquals(tokens.length - 1, t.firstPosition());
                    float[] want = model.forward(tokens, HookSet.of("ln_final.hook_normalized")).activation("ln_final.hook_normalized")
                            .at(0, tokens.length - 1);
                    assertArrayEquals(want, set.rows("ln_final.hook_normalized", t)[0], 1e-5f);
                }
            }
        }
    }

    @Test
    void resumingIntoASetOfOtherSettingsIsRefused() throws IOException {
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        Path out = dir.resolve("acts");
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(model, tok, prompts, out, Capture.Options.of("blocks.0.hook_resid_post"));
            InputException e = assertThrows(InputException.class,
                    () -> Capture.run(model, tok, prompts, out, Capture.Options.of("blocks.1.hook_resid_post")));
            assertTrue(e.getMessage().contains("other settings"), e.getMessage());
            InputException none = assertThrows(InputException.class,
                    () -> Capture.run(model, tok, prompts, dir.resolve("x"), Capture.Options.of("blocks.9.*")));
            assertTrue(none.getMessage().contains("selects no"), none.getMessage());
        }
    }

    @Test
    void promptsGetTheTokenizersBosByDefaultAndTheTextAloneWithoutSpecialTokens() throws IOException {
        Path m = dir.resolve("model-bos");
        ModelInit.write(m, GPT2, 11, ModelInit.Scheme.ALL_RANDOM);
        ModelTokenizerTest.writeByteLevelWithBos(m);
        List<Prompt> prompts = Prompt.readJsonl(prompts()).subList(0, 2);
        try (Transformer model = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            Path out = dir.resolve("acts-bos");
            Capture.run(model, tok, prompts, out, Capture.Options.of("blocks.1.hook_resid_post"));
            Path plain = dir.resolve("acts-plain");
            Capture.run(model, tok, prompts, plain, Capture.Options.of("blocks.1.hook_resid_post").withSpecialTokens(false));
            try (ActivationSet bos = ActivationSet.open(out); ActivationSet raw = ActivationSet.open(plain)) {
                assertTrue(bos.manifest().specialTokens());
                assertFalse(raw.manifest().specialTokens());
                for (Prompt p : prompts) {
                    int[] text = tok.encode(p.text());
                    int[] withBos = new int[text.length + 1];
                    withBos[0] = 257;
                    System.arraycopy(text, 0, withBos, 1, text.length);
                    assertEquals(withBos.length, bos.trajectory(p.id()).tokenCount());
                    assertEquals(text.length, raw.trajectory(p.id()).tokenCount());
                    float[][] rows = bos.rows("blocks.1.hook_resid_post", bos.trajectory(p.id()));
                    ForwardResult direct = model.forward(withBos, HookSet.of("blocks.1.hook_resid_post"));
                    for (int i = 0; i < withBos.length; i++) {
                        assertArrayEquals(direct.activation("blocks.1.hook_resid_post").at(0, i), rows[i], 1e-5f, p.id() + " row " + i);
                    }
                }
            }
            InputException e = assertThrows(InputException.class, () -> Capture.run(model, tok, prompts, out,
                    Capture.Options.of("blocks.1.hook_resid_post").withSpecialTokens(false)));
            assertTrue(e.getMessage().contains("special tokens added vs not added"), e.getMessage());
        }
    }

    @Test
    void resumingInAnotherComputeDtypeIsRefusedAndTheDtypeIsRecorded() throws IOException {
        List<Prompt> prompts = Prompt.readJsonl(prompts());
        Path out = dir.resolve("acts16");
        try (Transformer f16 = Transformer.load(model(GPT2), ComputeDType.FLOAT16); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            Capture.run(f16, tok, prompts.subList(0, 1), out, Capture.Options.of("blocks.0.hook_resid_post"));
            try (ActivationSet set = ActivationSet.open(out)) {
                assertEquals("float16", set.manifest().computeDtype());
            }
            try (Transformer f32 = Transformer.load(model(GPT2))) {
                InputException e = assertThrows(InputException.class,
                        () -> Capture.run(f32, tok, prompts, out, Capture.Options.of("blocks.0.hook_resid_post")));
                assertTrue(e.getMessage().contains("compute dtype float16 vs float32"), e.getMessage());
            }
            // The same dtype resumes: the remaining prompts are added to the set.
            Capture.run(f16, tok, prompts, out, Capture.Options.of("blocks.0.hook_resid_post"));
            try (ActivationSet set = ActivationSet.open(out)) {
                assertEquals(prompts.size(), set.manifest().trajectories().size());
            }
        }
    }

    @Test
    void aBadPromptLineNamesFileLineAndField() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"id\":\"a\",\"text\":\"ok\"}\n\n{\"id\":\"b\",\"txt\":\"oops\"}\n");
        InputException e = assertThrows(InputException.class, () -> Prompt.readJsonl(f));
        assertTrue(e.getMessage().startsWith(f + ":3: field \"text\""), e.getMessage());
        Files.writeString(f, "{\"id\":\"a\",\"text\":\"ok\",\"labels\":[1]}\n");
        assertTrue(assertThrows(InputException.class, () -> Prompt.readJsonl(f)).getMessage().contains(":1: field \"labels\""));
        Files.writeString(f, "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"a\",\"text\":\"again\"}\n");
        assertTrue(assertThrows(InputException.class, () -> Prompt.readJsonl(f)).getMessage().contains(":2: field \"id\""));
        Files.writeString(f, "{not json\n");
        assertTrue(assertThrows(InputException.class, () -> Prompt.readJsonl(f)).getMessage().contains(":1: not valid JSON"));
    }

    @Test
    void aStepBoundaryBeyondThePromptNamesFileLineAndValue() throws IOException {
        Path f = dir.resolve("steps.jsonl");
        Files.writeString(f, "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"xy\",\"step_boundaries\":[0,40]}\n");
        List<Prompt> prompts = Prompt.readJsonl(f);
        try (Transformer model = Transformer.load(model(GPT2)); ModelTokenizer tok = ModelTokenizer.load(model(GPT2))) {
            InputException e = assertThrows(InputException.class,
                    () -> Capture.run(model, tok, prompts, dir.resolve("acts"), Capture.Options.of("blocks.0.hook_resid_post")));
            assertTrue(e.getMessage().startsWith(f + ":2: prompt \"b\": field \"step_boundaries\": 40 is beyond its 2 tokens"), e.getMessage());
        }
        Files.writeString(f, "{\"id\":\"a\",\"text\":\"ok\",\"step_boundaries\":[4294967296]}\n");
        InputException big = assertThrows(InputException.class, () -> Prompt.readJsonl(f));
        assertTrue(big.getMessage().contains(":1: field \"step_boundaries\": 4294967296 is not a token position"), big.getMessage());
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            List<String> names = new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
            return names;
        }
    }
}
