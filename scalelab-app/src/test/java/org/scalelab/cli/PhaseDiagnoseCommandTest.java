package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * {@code scalelab phase diagnose} on planted activation sets: three sizes whose reasoning direction is
 * opposed to the truth direction in the two smaller and aligned with it in the largest (under a large
 * shared mean, so the uncentred cosine is near +1 throughout) are diagnosed antagonistic, antagonistic,
 * cooperative, with the flip between the second and third; bad input is one line and exit code 2.
 */
class PhaseDiagnoseCommandTest {
    private static final int D = 8;
    private static final int PAIRS = 60;

    @TempDir Path dir;

    /**
     * One planted set: truth separates along e0, reasoning along cos·e0 + sin·e1, each class ±1.5 around a
     * shared offset of 20 along e7, with unit Gaussian noise, at two residual hooks.
     */
    private Path plant(String name, long params, double cos, boolean withReasoning, long seed) {
        Path out = dir.resolve(name);
        List<String> hooks = List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post");
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt_neox",
                params, D, 2, hooks, "F32", "float32", false, "last", List.of(), false, List.of(), List.of(), Map.of());
        ActivationSetWriter w = ActivationSetWriter.open(out, header, 1 << 20);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] truthDir = new double[D];
        truthDir[0] = 1;
        double[] reasonDir = new double[D];
        reasonDir[0] = cos;
        reasonDir[1] = Math.sqrt(1 - cos * cos);
        for (String capability : withReasoning ? List.of("truth", "reasoning") : List.of("truth")) {
            double[] u = capability.equals("truth") ? truthDir : reasonDir;
            for (int p = 0; p < PAIRS; p++) {
                for (boolean positive : new boolean[] {true, false}) {
                    ObjectNode labels = Json.mapper().createObjectNode();
                    labels.put("capability", capability);
                    labels.put(capability.equals("truth") ? "truth" : "valid", Boolean.toString(positive));
                    labels.put("pair", capability + "-" + p);
                    labels.put("split", p % 4 == 0 ? "heldout" : "train");
                    List<float[]> rows = new ArrayList<>();
                    for (int h = 0; h < hooks.size(); h++) {
                        float[] row = new float[D];
                        for (int j = 0; j < D; j++) {
                            row[j] = (float) ((j == D - 1 ? 20 : 0) + (positive ? 1.5 : -1.5) * u[j] + rng.nextGaussian());
                        }
                        rows.add(row);
                    }
                    w.add(capability + "-" + p + (positive ? "-pos" : "-neg"), null, labels, List.of(), 5, new int[] {4}, new int[] {1}, rows);
                }
            }
        }
        w.finish();
        return out;
    }

    private CliRun diagnose(String... args) {
        List<String> a = new ArrayList<>(List.of("phase", "diagnose", "--lab", dir.resolve("lab").toString(), "--resamples", "200"));
        a.addAll(List.of(args));
        return new CliRun(a.toArray(String[]::new));
    }

    @Test
    void plantedSizesGetTheirVerdictsAndTheFlip() throws Exception {
        Path small = plant("small", 100_000, -0.8, true, 1);
        Path medium = plant("medium", 1_000_000, -0.8, true, 2);
        Path large = plant("large", 10_000_000, 0.8, true, 3);
        JsonNode r = diagnose("--set", large.toString(), "--set", small.toString(), "--set", medium.toString(), "--json").json();
        JsonNode models = r.get("models");
        assertEquals(3, models.size());
        assertEquals(List.of("antagonistic", "antagonistic", "cooperative"),
                List.of(models.get(0).get("verdict").asText().toLowerCase(), models.get(1).get("verdict").asText().toLowerCase(),
                        models.get(2).get("verdict").asText().toLowerCase()), r.toString());
        for (JsonNode m : models) {
            JsonNode s = m.get("strongest");
            double planted = m.get("parameter_count").asLong() == 10_000_000 ? 0.8 : -0.8;
            assertEquals(planted, s.get("centred_cosine").asDouble(), 0.2, s.toString());
            assertTrue(s.get("uncentred_cosine").asDouble() > 0.95, "the shared offset makes the uncentred cosine ≈ +1: " + s);
        }
        assertEquals("models/medium", r.at("/flip/from").asText());
        assertEquals("models/large", r.at("/flip/to").asText());
        // the sign change's interval brackets the planted flip between 10^6 and 10^7
        double at = r.at("/flip/sign_change/log10_parameters").asDouble();
        assertTrue(at > 6 && at < 7, r.at("/flip").toString());

        CliRun text = diagnose("--set", small.toString(), "--set", large.toString(), "--no-store");
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().contains("small: truth and reasoning are antagonistic"), text.out.toString());
        assertTrue(text.out.toString().contains("the verdict flips from antagonistic"), text.out.toString());
    }

    @Test
    void unrelatedCapabilitiesAreIndependent() throws Exception {
        Path set = plant("one", 100_000, 0.0, true, 4);
        JsonNode r = diagnose("--set", set.toString(), "--json", "--no-store").json();
        assertEquals("independent", r.at("/models/0/verdict").asText().toLowerCase(), r.toString());
        assertTrue(r.get("flip").isNull(), "one size: no flip");
    }

    @Test
    void benchmarkGammaIsTheStepEndingAtEachSize() throws Exception {
        Path small = plant("small", 100_000, -0.8, true, 1);
        Path medium = plant("medium", 1_000_000, -0.8, true, 2);
        Path large = plant("large", 10_000_000, 0.8, true, 3);
        Path scores = dir.resolve("scores.csv");
        // matched to the sets by parameter count (the table's model names are not checkpoint folders)
        Files.writeString(scores, "family,model,params,reasoning,truth\nworld,s,100000,0.40,0.30\nworld,m,1000000,0.60,0.25\n"
                + "world,l,10000000,0.70,0.35\n");
        JsonNode r = diagnose("--set", small.toString(), "--set", medium.toString(), "--set", large.toString(), "--scores", scores.toString(),
                "--json", "--no-store").json();
        assertTrue(r.at("/models/0/benchmark").isNull(), "the smallest size ends no step");
        // γ12 = Δtruth / Δreasoning: (0.25 − 0.30) / (0.60 − 0.40) into the medium size, (0.35 − 0.25) / (0.70 − 0.60) into the large
        assertEquals(-0.25, r.at("/models/1/benchmark/gamma").asDouble(), 1e-12, r.at("/models/1").toString());
        assertEquals("tax", r.at("/models/1/benchmark/phase").asText());
        assertEquals(1.0, r.at("/models/2/benchmark/gamma").asDouble(), 1e-12, r.at("/models/2").toString());
        assertEquals("bonus", r.at("/models/2/benchmark/phase").asText());
    }

    /**
     * The whole path on two untrained world models: phase prompts, capture through --model, coupling, and
     * steering on the held-out tasks; every non-zero dose of both capabilities is measured against its
     * controls, and each model gets a one-sentence recommendation.
     */
    @Test
    void endToEndFromWorldPromptsThroughCaptureAndSteering() throws Exception {
        Path world = dir.resolve("world");
        new CliRun("world", "generate", "--out", world.toString(), "--entities", "16", "--relations", "4", "--compositions", "40",
                "--truth-facts", "24", "--trajectories", "10", "--json").json();
        Path phase = dir.resolve("phase");
        JsonNode written = new CliRun("world", "phase-prompts", "--world", world.toString(), "--out", phase.toString(), "--json").json();
        assertTrue(written.at("/pairs/truth/heldout").asInt() > 0, written.toString());
        int vocab = Json.mapper().readTree(Files.readString(world.resolve("world.json"))).get("vocab_size").asInt();
        List<Path> models = new ArrayList<>();
        for (int width : new int[] {16, 32}) {
            Path m = dir.resolve("model-w" + width);
            new CliRun("model", "init", "--family", "gpt_neox", "--d-model", Integer.toString(width), "--layers", "2", "--heads", "2",
                    "--vocab", Integer.toString(vocab), "--max-positions", "16", "--seed", "3", "--out", m.toString(), "--json").json();
            Files.copy(world.resolve("tokenizer.json"), m.resolve("tokenizer.json"));
            models.add(m);
        }
        JsonNode r = diagnose("--model", models.get(0).toString(), "--model", models.get(1).toString(),
                "--truth", phase.resolve("truth-prompts.jsonl").toString(), "--reasoning", phase.resolve("reasoning-prompts.jsonl").toString(),
                "--truth-task", phase.resolve("world-phase-truth.jsonl").toString(),
                "--reasoning-task", phase.resolve("world-phase-reasoning.jsonl").toString(),
                "--alphas", "0,2", "--controls", "2", "--json", "--no-store").json();
        assertEquals(2, r.get("models").size());
        assertEquals(2 * 2, r.get("interventions").size(), "2 models × 2 capabilities × 1 non-zero dose");
        for (JsonNode m : r.get("models")) {
            String sentence = m.get("recommendation").asText();
            assertTrue(sentence.contains("steer ") || sentence.contains("nothing beats the control"), sentence);
            assertTrue(m.get("best_measured").isObject(), m.toString());
        }
        for (JsonNode i : r.get("interventions")) {
            assertEquals(i.at("/gain").asDouble() - i.at("/control").asDouble(), i.at("/excess").asDouble(), 1e-9, i.toString());
            // the truth direction's change on the held-out false statements is measured beside its gain on the true ones
            assertEquals(i.at("/steered").asText().equals("truth"), i.at("/opposite_ci").isArray(), i.toString());
        }
        assertTrue(Files.isRegularFile(dir.resolve("lab/activations/phase-model-w16/manifest.json")), "captured into the lab");

        // --steer-at all steers every analysed layer, and the recommendation is the best of all of them
        JsonNode all = diagnose("--set", dir.resolve("lab/activations/phase-model-w16").toString(),
                "--truth-task", phase.resolve("world-phase-truth.jsonl").toString(),
                "--reasoning-task", phase.resolve("world-phase-reasoning.jsonl").toString(),
                "--alphas", "0,2", "--controls", "2", "--steer-at", "all", "--json", "--no-store").json();
        java.util.Set<String> steered = new java.util.TreeSet<>();
        for (JsonNode i : all.get("interventions")) {
            steered.add(i.get("hook").asText());
        }
        assertEquals(java.util.Set.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), steered, all.get("interventions").toString());
        assertEquals(2 * 2, all.get("interventions").size(), "2 layers × 2 capabilities × 1 non-zero dose");
        JsonNode best = all.at("/models/0/best_measured");
        for (JsonNode i : all.get("interventions")) {
            assertTrue(!Double.isFinite(i.get("excess").asDouble()) || i.get("excess").asDouble() <= best.get("excess").asDouble() + 1e-12,
                    "the best measured is the best of every layer: " + i);
        }

        // the truth direction's gain is measured on the held-out true statements, where its positive class is the gold answer
        org.scalelab.eval.EvalTask truthTask = org.scalelab.eval.EvalTask.read(phase.resolve("world-phase-truth.jsonl"));
        org.scalelab.eval.EvalTask positives = DiagnosisSteering.trueStatements(truthTask);
        assertEquals(truthTask.examples().size() / 2, positives.examples().size(), "half the held-out statements are true");
        for (org.scalelab.eval.EvalExample e : positives.examples()) {
            assertEquals("<true>", e.choices().get(e.gold()[0]), e.id());
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path truthOnly = plant("truth-only", 100_000, 0.5, false, 5);
        Path small = plant("small", 100_000, -0.8, true, 1);
        Path scores = dir.resolve("scores.csv");
        Path task = dir.resolve("task.jsonl");
        Files.writeString(task, "{\"id\": \"a\", \"context\": \"x\", \"choices\": [\"<true>\", \"<false>\"], \"gold\": 0,"
                + " \"labels\": {\"truth\": \"true\"}}\n");
        Path falseOnly = dir.resolve("false-only.jsonl");
        Files.writeString(falseOnly, "{\"id\": \"b\", \"context\": \"x\", \"choices\": [\"<true>\", \"<false>\"], \"gold\": 1,"
                + " \"labels\": {\"truth\": \"false\"}}\n");
        Path unlabelled = dir.resolve("unlabelled.jsonl");
        Files.writeString(unlabelled, "{\"id\": \"u1\", \"text\": \"a b\", \"labels\": {\"truth\": \"maybe\"}}\n");
        Path chains = dir.resolve("chains.jsonl");
        Files.writeString(chains, "{\"id\": \"c1\", \"text\": \"a b\", \"labels\": {\"valid\": \"true\"}}\n");
        List<String[]> cases = List.of(
                new String[] {"--set", truthOnly.toString()},
                new String[] {"--set", small.toString(), "--set", small.toString()},
                new String[] {"--set", small.toString(), "--scores", scores.toString()},
                new String[] {"--set", small.toString(), "--model", dir.toString()},
                new String[] {"--model", dir.toString()},
                new String[] {},
                new String[] {"--set", small.toString(), "--truth-task", task.toString()},
                new String[] {"--set", small.toString(), "--truth-task", task.toString(), "--reasoning-task", task.toString(), "--alphas", "1,2"},
                new String[] {"--set", small.toString(), "--truth-task", task.toString(), "--reasoning-task", task.toString(), "--controls", "1"},
                new String[] {"--set", small.toString(), "--truth-task", task.toString(), "--reasoning-task", task.toString()},
                new String[] {"--model", dir.toString(), "--truth", unlabelled.toString(), "--reasoning", chains.toString()},
                new String[] {"--set", small.toString(), "--truth-task", falseOnly.toString(), "--reasoning-task", task.toString()});
        List<String> expect = List.of("labels.valid", "same model", "--scores", "not both", "--truth", "nothing to diagnose",
                "--reasoning-task", "must hold 0", "--controls 1", "not a checkpoint folder", "labels.truth",
                "false-only.jsonl: no example has labels.truth \"true\"");
        for (int i = 0; i < cases.size(); i++) {
            CliRun r = diagnose(cases.get(i));
            assertEquals(2, r.code, String.join(" ", cases.get(i)) + ": " + r.err);
            String err = r.err.toString().strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains(expect.get(i)), err);
        }
    }
}
