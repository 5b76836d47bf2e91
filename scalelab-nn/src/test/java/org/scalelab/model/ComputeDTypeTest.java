package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * Inference in a half-precision compute dtype: float16 logits stay within float16's rounding of
 * the float32 ones (and do differ: the model really computed in float16), track an independent
 * float16 computation of the same checkpoint (bench/reference_forward.py, SCALELAB_REFERENCE_DTYPE=float16)
 * much more closely than either tracks float32, generation runs,
 * bfloat16 (which the engine bridge cannot hold) and half-precision training are refused.
 */
class ComputeDTypeTest {
    private static final String SCRIPT = "bench/reference_forward.py";
    private static final int[][] PROMPTS = {
            {1, 2, 3, 4, 5, 6, 7, 8},
            {250, 0, 17, 99, 42, 42, 42, 3, 128, 64, 255, 1, 9},
    };
    // 4 query heads share 2 kv heads; untied lm_head; a non-default RoPE base (as ReferenceForwardTest).
    private static final ModelConfig LLAMA = new ModelConfig(new LlamaFamily(), 256, 64, 2, 4, 2, 16, 172, 128, 1e-5, 500000.0, false, "silu");

    @TempDir Path dir;

    @Test
    void float16LogitsStayWithinHalfPrecisionRoundingOfFloat32() throws IOException {
        Path model = dir.resolve("model");
        ModelInit.write(model, LLAMA, 11, ModelInit.Scheme.ALL_RANDOM);
        double gap = 0;
        double scale = 0;
        try (Transformer f32 = Transformer.load(model); Transformer f16 = Transformer.load(model, ComputeDType.FLOAT16)) {
            assertEquals(ComputeDType.FLOAT16, f16.computeDType());
            for (int[] prompt : PROMPTS) {
                float[] exact = f32.forward(prompt, HookSet.none()).logits().data();
                ForwardResult r = f16.forward(prompt, HookSet.of("blocks.*.hook_resid_post"));
                assertEquals(2, r.activations().size(), "hooks are delivered (as float32) in float16 too");
                gap = Math.max(gap, maxAbs(r.logits().data(), exact));
                for (float v : exact) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
        }
        System.out.printf("llama float16 vs float32 logits: max abs gap %.2e (max |logit| %.3f)%n", gap, scale);
        // float16 keeps 11 significant bits: unit roundoff u = 2^-11 ≈ 4.9e-4 per rounding. The
        // logits pass through ~12 roundings per layer whose errors add up at worst linearly
        // (Higham 2002, §3.1): 2 layers plus embedding, final norm and head ≈ 30 roundings, so
        // 30u relative to the logit scale.
        double bound = 30 * Math.scalb(1.0, -11) * scale;
        assertTrue(gap <= bound, "float16 vs float32 logits differ by " + gap + " > " + bound);
        assertTrue(gap > 0, "float16 logits equal float32 ones bit for bit: the model did not compute in float16");
    }

    @Test
    void float16LogitsTrackTorchsFloat16RoundingCloserThanEitherTracksFloat32() throws IOException {
        PythonReference.requireModules("torch", "numpy");
        Path model = dir.resolve("model");
        ModelInit.write(model, LLAMA, 11, ModelInit.Scheme.ALL_RANDOM);
        Path prompts = Files.writeString(dir.resolve("prompts.json"), Json.write(PROMPTS));
        Path out = dir.resolve("ref");
        // torch 1.13 has no float16 kernels on the CPU: the reference emulates them (float32 ops, every result rounded to float16).
        PythonReference.run(Map.of("SCALELAB_REFERENCE_DTYPE", "float16"), SCRIPT,
                model.toString(), prompts.toString(), out.toString());
        double oursVsTorch = 0;
        double oursVsF32 = 0;
        double torchVsF32 = 0;
        double[] sq = new double[3];
        long n = 0;
        try (Transformer f32 = Transformer.load(model); Transformer f16 = Transformer.load(model, ComputeDType.FLOAT16)) {
            for (int p = 0; p < PROMPTS.length; p++) {
                float[] exact = f32.forward(PROMPTS[p], HookSet.none()).logits().data();
                float[] ours = f16.forward(PROMPTS[p], HookSet.none()).logits().data();
                float[] torch = Npy.read(out.resolve("p" + p).resolve("logits.npy")).data();
                oursVsTorch = Math.max(oursVsTorch, maxAbs(ours, torch));
                oursVsF32 = Math.max(oursVsF32, maxAbs(ours, exact));
                torchVsF32 = Math.max(torchVsF32, maxAbs(torch, exact));
                for (int i = 0; i < ours.length; i++) {
                    sq[0] += (ours[i] - torch[i]) * (double) (ours[i] - torch[i]);
                    sq[1] += (ours[i] - exact[i]) * (double) (ours[i] - exact[i]);
                    sq[2] += (torch[i] - exact[i]) * (double) (torch[i] - exact[i]);
                }
                n += ours.length;
            }
        }
        System.out.printf("llama float16 logits, rms: ours vs torch float16 %.2e, ours vs our float32 %.2e, torch float16 vs our float32 %.2e%n",
                Math.sqrt(sq[0] / n), Math.sqrt(sq[1] / n), Math.sqrt(sq[2] / n));
        System.out.printf("llama float16 logits: ours vs torch float16 %.2e, ours vs our float32 %.2e, torch float16 vs our float32 %.2e%n",
                oursVsTorch, oursVsF32, torchVsF32);
        // Logits are float16 values, so single differences come in float16 ulps (2^-9 ≈ 2e-3 for
        // |logit| in [2, 4)): the max is coarse, the rms over all logits is the sharper test. Rounding
        // where torch rounds must leave us well inside the float16-vs-float32 gap, not merely near it.
        double rmsOursVsTorch = Math.sqrt(sq[0] / n);
        double rmsGap = Math.min(Math.sqrt(sq[1] / n), Math.sqrt(sq[2] / n));
        assertTrue(rmsOursVsTorch < rmsGap / 2, "rms ours vs torch float16 " + rmsOursVsTorch + " is not under half the float16-vs-float32 gap " + rmsGap);
        assertTrue(oursVsTorch < Math.min(oursVsF32, torchVsF32),
                "ours vs torch float16 " + oursVsTorch + " is not closer than the float16-vs-float32 gaps " + oursVsF32 + ", " + torchVsF32);
    }

    @Test
    void bfloat16IsRefusedAtLoadWithTheAlternatives() throws IOException {
        Path model = dir.resolve("model");
        ModelInit.write(model, LLAMA, 11, ModelInit.Scheme.ALL_RANDOM);
        InputException e = assertThrows(InputException.class, () -> Transformer.load(model, ComputeDType.BFLOAT16));
        assertTrue(e.getMessage().contains("--dtype float16"), e.getMessage());
    }

    @Test
    void greedyGenerationRunsInFloat16() throws IOException {
        Path model = dir.resolve("model");
        ModelInit.write(model, LLAMA, 11, ModelInit.Scheme.ALL_RANDOM);
        try (Transformer t = Transformer.load(model, ComputeDType.FLOAT16)) {
            int[] tokens = Generation.greedy(t, PROMPTS[1], 8);
            assertEquals(8, tokens.length, "float16 greedy tokens");
            float[] logits = t.forward(PROMPTS[1], HookSet.none()).logits().data();
            for (float v : logits) {
                assertTrue(Float.isFinite(v), "float16 logit " + v);
            }
        }
    }

    @Test
    void trainingRefusesHalfPrecisionWithAnActionableMessage() throws IOException {
        Path model = dir.resolve("model");
        ModelInit.write(model, LLAMA, 11, ModelInit.Scheme.ALL_RANDOM);
        InputException e = assertThrows(InputException.class, () -> Transformer.loadTrainable(model, ComputeDType.BFLOAT16));
        assertTrue(e.getMessage().contains("float32 only"), e.getMessage());
    }

    @Test
    void parsesCliNamesAndListsThemForUnknownOnes() {
        assertEquals(ComputeDType.BFLOAT16, ComputeDType.parse("bfloat16"));
        assertEquals(ComputeDType.FLOAT16, ComputeDType.parse("FLOAT16"));
        InputException e = assertThrows(InputException.class, () -> ComputeDType.parse("fp8"));
        assertTrue(e.getMessage().contains("float32, bfloat16, float16"), e.getMessage());
    }

    private static double maxAbs(float[] a, float[] b) {
        assertArrayEquals(new int[] {a.length}, new int[] {b.length});
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
