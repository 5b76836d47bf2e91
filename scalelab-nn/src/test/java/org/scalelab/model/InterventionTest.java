package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.SafetensorsWriter;
import org.scalelab.PythonReference;

class InterventionTest {
    @TempDir Path dir;

    private static final ModelConfig GPT2 = ModelConfig.gpt2(260, 32, 2, 4, 64);
    private static final ModelConfig LLAMA = ModelConfig.llama(260, 32, 2, 4, 2, 64, 64, 10000.0, false);
    private static final int[] TOKENS = {5, 80, 17, 3, 99, 42};
    private static final String HOOK = "blocks.0.hook_resid_post";

    private Path model(ModelConfig c, ModelInit.Scheme scheme) {
        Path m = dir.resolve(c.family().modelType() + "-" + scheme);
        if (!Files.exists(m)) {
            ModelInit.write(m, c, 3, scheme);
        }
        return m;
    }

    private static float[] randomVector(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void addingThenSubtractingTheSameVectorReturnsTheOriginalActivations() {
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            try (Transformer m = Transformer.load(model(c, ModelInit.Scheme.ALL_RANDOM))) {
                float[] v = randomVector(32, 1);
                HookSet plain = HookSet.of("*");
                ForwardResult base = m.forward(TOKENS, plain);
                ForwardResult both = m.forward(TOKENS, plain.with(Intervention.add(HOOK, v, 4, 0), Intervention.add(HOOK, v, -4, 0)));
                for (String h : List.of(HOOK, "blocks.1.hook_resid_post", "ln_final.hook_normalized")) {
                    assertArrayEquals(base.activation(h).data(), both.activation(h).data(), 1e-5f, c.family() + " " + h);
                }
                assertArrayEquals(base.logits().data(), both.logits().data(), 1e-4f);
            }
        }
    }

    @Test
    void addingChangesTheHookByExactlyAlphaTimesVFromTheGivenPositionOn() {
        try (Transformer m = Transformer.load(model(LLAMA, ModelInit.Scheme.ALL_RANDOM))) {
            float[] v = randomVector(32, 2);
            Activation base = m.forward(TOKENS, HookSet.of(HOOK)).activation(HOOK);
            Activation steered = m.forward(TOKENS, HookSet.of(HOOK).with(Intervention.add(HOOK, v, 2.5, 3))).activation(HOOK);
            for (int t = 0; t < TOKENS.length; t++) {
                float[] a = base.at(0, t);
                float[] b = steered.at(0, t);
                for (int j = 0; j < 32; j++) {
                    assertEquals(a[j] + (t >= 3 ? 2.5f * v[j] : 0f), b[j], 1e-5f, "position " + t + " component " + j);
                }
            }
            // With a KV cache, positions keep counting from the prompt's first token.
            try (KvCache cache = m.newCache()) {
                HookSet hs = HookSet.of(HOOK).with(Intervention.add(HOOK, v, 2.5, 3));
                m.forward(new int[][] {{5, 80}}, hs, cache);
                Activation rest = m.forward(new int[][] {{17, 3, 99, 42}}, hs, cache).activation(HOOK);
                for (int t = 0; t < 4; t++) {
                    assertArrayEquals(steered.at(0, t + 2), rest.at(0, t), 1e-5f, "cached position " + (t + 2));
                }
            }
        }
    }

    @Test
    void projectingOutADirectionLeavesActivationsOrthogonalToIt() {
        try (Transformer m = Transformer.load(model(GPT2, ModelInit.Scheme.ALL_RANDOM))) {
            float[] v = randomVector(32, 3);
            Activation base = m.forward(TOKENS, HookSet.of(HOOK)).activation(HOOK);
            Activation ablated = m.forward(TOKENS, HookSet.of(HOOK).with(Intervention.projectOut(HOOK, v, 0))).activation(HOOK);
            double vn = Math.sqrt(dot(v, v));
            for (int t = 0; t < TOKENS.length; t++) {
                float[] a = base.at(0, t);
                float[] x = ablated.at(0, t);
                assertTrue(Math.abs(dot(a, v)) / vn > 1e-2, "the test needs activations with a component along v");
                assertEquals(0, dot(x, v) / vn, 1e-4 * Math.sqrt(dot(a, a)), "position " + t);
                // Only the component along v is removed: x = a − (a·v̂) v̂.
                for (int j = 0; j < 32; j++) {
                    assertEquals(a[j] - dot(a, v) / (vn * vn) * v[j], x[j], 1e-4);
                }
            }
        }
    }

    @Test
    void replacingSetsTheActivationAndLaterLayersReadTheReplacement() {
        try (Transformer m = Transformer.load(model(GPT2, ModelInit.Scheme.ALL_RANDOM))) {
            float[] zero = new float[32];
            ForwardResult r = m.forward(TOKENS, HookSet.of("*").with(Intervention.replace(HOOK, zero, 2)));
            ForwardResult base = m.forward(TOKENS, HookSet.of("*"));
            assertArrayEquals(base.activation(HOOK).at(0, 1), r.activation(HOOK).at(0, 1), 0f);
            assertArrayEquals(zero, r.activation(HOOK).at(0, 4), 0f);
            // Block 1 starts from the replaced stream.
            assertArrayEquals(r.activation(HOOK).data(), r.activation("blocks.1.hook_resid_pre").data(), 0f);
        }
    }

    @Test
    void steeringAlongATokensUnembeddingRowRaisesThatTokensProbabilityAndGenerationEmitsIt() {
        int target = 77;
        for (ModelConfig c : List.of(GPT2, LLAMA)) {
            Path dirM = model(c, ModelInit.Scheme.STANDARD);
            float[] row;
            try (SafetensorsFile f = SafetensorsFile.open(dirM.resolve(Weights.SINGLE_FILE))) {
                String name = f.tensors().keySet().stream()
                        .filter(n -> c.family().equals(new Gpt2Family()) ? n.endsWith("wte.weight") : n.equals("lm_head.weight")).findFirst().orElseThrow();
                float[] w = f.floats(name);
                row = java.util.Arrays.copyOfRange(w, target * 32, target * 32 + 32);
            }
            String last = HookNames.residPost(c.nLayers() - 1);
            try (Transformer m = Transformer.load(dirM)) {
                double before = softmax(m.forward(TOKENS, HookSet.none()).logits().at(0, TOKENS.length - 1))[target];
                HookSet steer = HookSet.none().with(Intervention.add(last, row, 200, 0));
                float[] steeredLogits = m.forward(TOKENS, steer).logits().at(0, TOKENS.length - 1);
                double after = softmax(steeredLogits)[target];
                // With the residual stream dominated by α·u_T, the final norm outputs ≈ u_T's direction
                // and the logits are ≈ u_T·u_i: largest for i = T. (Untrained embeddings are small, so
                // the distribution stays flat; the target must win, not reach a large probability.)
                assertEquals(target, Generation.argmax(steeredLogits), c.family() + ": steering must make the target the top next token");
                assertTrue(after > 2 * before, c.family() + ": the target's probability must rise (" + before + " → " + after + ")");
                int[] plain = Generation.greedy(m, TOKENS, 4);
                int[] steered = Generation.sample(m, TOKENS, 4, Sampler.GREEDY, 0, steer);
                assertArrayEquals(new int[] {target, target, target, target}, steered, "plain greedy gave " + java.util.Arrays.toString(plain));
            }
        }
    }

    @Test
    void activationsCapturedDuringSteeredGenerationEqualAFullForwardOfTheText() {
        try (Transformer m = Transformer.load(model(LLAMA, ModelInit.Scheme.ALL_RANDOM))) {
            HookSet hooks = HookSet.of(HOOK).with(Intervention.add(HOOK, randomVector(32, 4), 1.5, 2));
            java.util.List<float[]> rows = new java.util.ArrayList<>();
            int[] generated = Generation.sample(m, TOKENS, 5, Sampler.GREEDY, 0, hooks, step -> {
                Activation a = step.activation(HOOK);
                for (int t = 0; t < a.shape()[1]; t++) {
                    rows.add(a.at(0, t));
                }
            });
            int[] text = java.util.stream.IntStream.concat(java.util.Arrays.stream(TOKENS), java.util.Arrays.stream(generated)).toArray();
            Activation full = m.forward(text, hooks).activation(HOOK);
            assertEquals(text.length - 1, rows.size(), "every position but the last generated token was fed through the model");
            for (int t = 0; t < rows.size(); t++) {
                assertArrayEquals(full.at(0, t), rows.get(t), 1e-4f, "position " + t);
            }
        }
    }

    @Test
    void directionsReadFromNumpyNpyFilesAndSafetensors() throws IOException {
        float[] v = randomVector(8, 5);
        Path st = dir.resolve("dir.safetensors");
        SafetensorsWriter.write(st, List.of(SafetensorsWriter.Tensor.ofFloats("refusal", DType.F32, new long[] {8}, v)));
        assertArrayEquals(v, Directions.read(st, null), 0f);
        assertArrayEquals(v, Directions.read(st, "refusal"), 0f);
        SafetensorsWriter.write(dir.resolve("two.safetensors"), List.of(SafetensorsWriter.Tensor.ofFloats("a", DType.F32, new long[] {8}, v),
                SafetensorsWriter.Tensor.ofFloats("b", DType.F32, new long[] {8}, v)));
        assertTrue(assertThrows(InputException.class, () -> Directions.read(dir.resolve("two.safetensors"), null)).getMessage().contains("name the direction"));

        PythonReference.requireModules("numpy");
        for (String dtype : List.of("float32", "float64")) {
            Path npy = dir.resolve("dir-" + dtype + ".npy");
            PythonReference.runCode(
                    "import numpy as np; np.save('" + npy + "', np.array([0.5, -1.25, 3.0, 1e-3], dtype=np." + dtype + "))");
            assertArrayEquals(new float[] {0.5f, -1.25f, 3.0f, 1e-3f}, Directions.read(npy, null), 0f, dtype);
        }
        // Our writer's .npy, loaded by numpy itself.
        Path ours = dir.resolve("ours.npy");
        Directions.writeNpy(ours, v);
        String loaded = PythonReference.runCode(
                "import numpy as np; a = np.load('" + ours + "'); print(a.dtype, a.shape, ' '.join(repr(float(x)) for x in a))");
        String[] parts = loaded.trim().split(" ");
        assertEquals("float32", parts[0]);
        assertEquals("(8,)", parts[1]);
        for (int i = 0; i < 8; i++) {
            assertEquals(v[i], Float.parseFloat(parts[2 + i]), 0f);
        }
        assertArrayEquals(v, Directions.read(ours, null), 0f);
        Path matrix = dir.resolve("m.npy");
        PythonReference.runCode("import numpy as np; np.save('" + matrix + "', np.zeros((2, 3), dtype=np.float32))");
        assertTrue(assertThrows(InputException.class, () -> Directions.read(matrix, null)).getMessage().contains("not 1-D"));
    }

    @Test
    void anInterventionAtAMissingHookOrOfTheWrongWidthIsRefused() {
        try (Transformer m = Transformer.load(model(GPT2, ModelInit.Scheme.ALL_RANDOM))) {
            InputException noHook = assertThrows(InputException.class,
                    () -> m.forward(TOKENS, HookSet.none().with(Intervention.add("blocks.7.hook_resid_post", new float[32], 1, 0))));
            assertTrue(noHook.getMessage().contains("no such hook"), noHook.getMessage());
            InputException width = assertThrows(InputException.class,
                    () -> m.forward(TOKENS, HookSet.none().with(Intervention.add(HOOK, new float[5], 1, 0))));
            assertTrue(width.getMessage().contains("5 components"), width.getMessage());
        }
    }

    @Test
    void captureRecordsTheSteeredActivations() throws IOException {
        Path model = model(GPT2, ModelInit.Scheme.ALL_RANDOM);
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"id\":\"a\",\"text\":\"hello there\"}\n{\"id\":\"b\",\"text\":\"2+2=4\"}\n");
        float[] v = randomVector(32, 9);
        Intervention add = Intervention.add("blocks.0.hook_resid_post", v, 3, 0);
        try (Transformer m = Transformer.load(model); ModelTokenizer tok = ModelTokenizer.load(model)) {
            Capture.run(m, tok, Prompt.readJsonl(prompts), dir.resolve("acts"),
                    new Capture.Options(List.of("blocks.1.hook_resid_post"), Positions.ALL, 1 << 20, 2, List.of(add)));
            InputException other = assertThrows(InputException.class, () -> Capture.run(m, tok, Prompt.readJsonl(prompts), dir.resolve("acts"),
                    new Capture.Options(List.of("blocks.1.hook_resid_post"), Positions.ALL, 1 << 20, 2,
                            List.of(Intervention.add("blocks.0.hook_resid_post", randomVector(32, 10), 3, 0)))));
            assertTrue(other.getMessage().contains("other settings"), "another direction is another capture: " + other.getMessage());
            try (ActivationSet set = ActivationSet.open(dir.resolve("acts"))) {
                assertEquals(List.of(add.toString()), set.manifest().interventions());
                assertTrue(add.toString().contains("v=sha256:"), add.toString());
                int[] tokens = tok.encode("2+2=4");
                Activation want = m.forward(tokens, HookSet.of("blocks.1.hook_resid_post").with(add)).activation("blocks.1.hook_resid_post");
                float[][] rows = set.rows("blocks.1.hook_resid_post", set.trajectory("b"));
                for (int t = 0; t < tokens.length; t++) {
                    assertArrayEquals(want.at(0, t), rows[t], 1e-5f);
                }
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double z = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            z += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= z;
        }
        return p;
    }
}
