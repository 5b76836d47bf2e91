package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.NpyFile;

/**
 * {@code scalelab phase steer} and {@code scalelab eval --steer} on a tiny random model: the JSON
 * result's shape and its α = 0 row (no effect, the controls' band at zero), 0 added to a grid
 * without it, and bad input (a direction of the wrong width, an unknown hook, an empty task, too
 * few controls) refused with exit code 2 and one line, before anything is stored.
 */
class PhaseSteerCommandTest {
    @TempDir Path dir;

    @Test
    void aSweepReportsEveryDoseAgainstTheUnsteeredModelAndItsControls() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path v = vector(dir.resolve("v.npy"), 32);
        Path task = task(dir.resolve("target.jsonl"));
        Path other = task(dir.resolve("other.jsonl"));
        CliRun r = new CliRun("phase", "steer", "--model", m.toString(), "--direction", v.toString(), "--at", "blocks.0.hook_resid_post",
                "--task", task.toString(), "--other-task", other.toString(), "--alphas", "2", "--controls", "2", "--ablate",
                "--bootstrap", "200", "--json", "--lab", dir.resolve("lab").toString());
        JsonNode j = r.json();
        assertTrue(r.err.toString().contains("0 added to the grid"), r.err.toString());
        JsonNode resp = j.get("response");
        assertEquals(2, resp.get("alphas").size());
        assertEquals(0.0, resp.get("alphas").get(0).asDouble(), 0.0);
        JsonNode zero = resp.get("target").get("logit_diff").get("points").get(0).get("effect");
        assertEquals(0.0, zero.get("mean").asDouble(), 0.0, "α = 0 is the unsteered model");
        assertEquals(0.0, zero.get("control_band").get(1).asDouble(), 0.0);
        assertEquals(2, zero.get("controls").size());
        assertTrue(j.get("residual_norm").asDouble() > 0);
        assertTrue(resp.get("other").get("ablation").get("accuracy").has("gain_ci"));
        assertEquals(2, resp.get("perplexity").size());

        CliRun text = new CliRun("phase", "steer", "--model", m.toString(), "--direction", v.toString(), "--at", "blocks.0.hook_resid_post",
                "--task", task.toString(), "--alphas", "0,1", "--controls", "2", "--bootstrap", "200", "--no-store", "--out", dir.resolve("report").toString());
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().contains("ED50 (accuracy)") && text.out.toString().contains("mean residual norm"), text.out.toString());
        assertTrue(Files.exists(dir.resolve("report").resolve("index.html")));
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path task = task(dir.resolve("target.jsonl"));
        Path v = vector(dir.resolve("v.npy"), 32);
        String[] base = {"phase", "steer", "--model", m.toString(), "--task", task.toString(), "--bootstrap", "200", "--lab", dir.resolve("lab").toString()};
        assertBad(concat(base, "--direction", vector(dir.resolve("w.npy"), 31).toString(), "--at", "blocks.0.hook_resid_post"), "31 components");
        assertBad(concat(base, "--direction", v.toString(), "--at", "blocks.7.hook_resid_post"), "no such hook");
        assertBad(concat(base, "--direction", v.toString(), "--at", "blocks.0.hook_resid_post", "--controls", "1"), "at least 2");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n");
        assertBad(new String[] {"phase", "steer", "--model", m.toString(), "--task", empty.toString(), "--direction", v.toString(), "--at",
                "blocks.0.hook_resid_post"}, "no examples");
        assertBad(concat(base, "--direction", v.toString(), "--at", "blocks.0.hook_resid_post", "--alphas", "0,1,1"), "given twice");
        assertTrue(!Files.exists(dir.resolve("lab").resolve("scalelab.duckdb")), "nothing stored");
    }

    @Test
    void evalScoresUnderAnInterventionUnderItsOwnName() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path task = task(dir.resolve("target.jsonl"));
        Path v = vector(dir.resolve("v.npy"), 32);
        JsonNode plain = new CliRun("eval", "--model", m.toString(), "--task", task.toString(), "--no-store", "--json").json();
        JsonNode zero = new CliRun("eval", "--model", m.toString(), "--task", task.toString(), "--steer", v.toString(), "--at",
                "blocks.0.hook_resid_post", "--alpha", "0", "--no-store", "--json").json();
        JsonNode steered = new CliRun("eval", "--model", m.toString(), "--task", task.toString(), "--steer", v.toString(), "--at",
                "blocks.0.hook_resid_post", "--alpha", "20", "--no-store", "--json").json();
        assertEquals(plain.get("tasks"), zero.get("tasks"), "α = 0 scores as the plain model");
        assertTrue(steered.get("model").asText().contains("+add@blocks.0.hook_resid_post"), steered.get("model").asText());
        assertEquals("tiny", plain.get("model").asText());
    }

    private static void assertBad(String[] args, String expected) {
        CliRun r = new CliRun(args);
        assertEquals(2, r.code, r.out + "\n" + r.err);
        String err = r.err.toString().strip();
        assertTrue(err.contains(expected) && !err.contains("\n"), err);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Path vector(Path file, int d) {
        SplittableRandom r = new SplittableRandom(d);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        NpyFile.writeVector(file, v);
        return file;
    }

    private static Path task(Path file) throws Exception {
        StringBuilder sb = new StringBuilder();
        SplittableRandom r = new SplittableRandom(file.getFileName().toString().length());
        for (int i = 0; i < 12; i++) {
            sb.append("{\"id\":\"q").append(i).append("\",\"context\":\"Q").append((char) ('a' + r.nextInt(20))).append((char) ('a' + r.nextInt(20)))
                    .append(":\",\"choices\":[\"yes\",\"no\"],\"gold\":").append(r.nextInt(2)).append("}\n");
        }
        return Files.writeString(file, sb.toString());
    }
}
