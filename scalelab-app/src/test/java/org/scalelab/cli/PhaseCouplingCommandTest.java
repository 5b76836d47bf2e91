package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: two tiny random models ({@code scalelab model init}), one capture each holding both
 * capabilities' labelled prompts ({@code labels.truth}, {@code labels.valid}), then {@code scalelab
 * phase coupling}; and its bad inputs, each one line with exit code 2.
 */
class PhaseCouplingCommandTest {
    @TempDir
    static Path dir;

    static Path small;
    static Path large;
    static Path smallResid;

    static Path model(String name, int dModel, int seed) {
        Path m = dir.resolve(name);
        CliRun init = new CliRun("model", "init", "--family", "gpt2", "--d-model", Integer.toString(dModel), "--layers", "2", "--heads", "4",
                "--vocab", "257", "--max-positions", "128", "--seed", Integer.toString(seed), "--out", m.toString());
        assertEquals(0, init.code, init.err.toString());
        return m;
    }

    static Path prompts() throws Exception {
        String[] truths = {"Paris is in France.", "Water is wet.", "Two is even.", "Ice is cold.", "The sun is hot.", "Cats are animals."};
        String[] lies = {"Paris is in Peru.", "Water is dry.", "Two is odd.", "Ice is hot.", "The sun is cold.", "Cats are rocks."};
        String[] valid = {"2+2=4 so 4+1=5", "3*3=9 so 9-1=8", "5-2=3 so 3+3=6", "6/2=3 so 3*2=6", "1+1=2 so 2*2=4", "7-4=3 so 3+1=4"};
        String[] corrupted = {"2+2=4 so 4+1=7", "3*3=9 so 9-1=5", "5-2=3 so 3+3=2", "6/2=3 so 3*2=9", "1+1=2 so 2*2=8", "7-4=3 so 3+1=1"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < truths.length; i++) {
            lines.add("{\"id\": \"t" + i + "\", \"text\": \"" + truths[i] + "\", \"labels\": {\"truth\": \"true\"}}");
            lines.add("{\"id\": \"f" + i + "\", \"text\": \"" + lies[i] + "\", \"labels\": {\"truth\": \"false\"}}");
            lines.add("{\"id\": \"v" + i + "\", \"text\": \"" + valid[i] + "\", \"labels\": {\"valid\": \"true\"}}");
            lines.add("{\"id\": \"c" + i + "\", \"text\": \"" + corrupted[i] + "\", \"labels\": {\"valid\": \"false\"}}");
        }
        return Files.write(dir.resolve("prompts.jsonl"), lines);
    }

    static Path capture(Path model, Path prompts, String name, String hooks) {
        Path out = dir.resolve(name);
        CliRun c = new CliRun("capture", "--model", model.toString(), "--prompts", prompts.toString(), "--hooks", hooks, "--out", out.toString());
        assertEquals(0, c.code, c.err.toString());
        return out;
    }

    /** The captures are shared by the tests (none writes into them). */
    @BeforeAll
    static void captures() throws Exception {
        Path prompts = prompts();
        Path m1 = model("small", 32, 5);
        small = capture(m1, prompts, "acts-small", "blocks.*.hook_resid_post,blocks.*.attn.hook_result");
        large = capture(model("large", 48, 6), prompts, "acts-large", "blocks.*.hook_resid_post,blocks.*.attn.hook_result");
        smallResid = capture(m1, prompts, "acts-small-resid", "blocks.*.hook_resid_post");
    }

    static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("phase", "coupling", "--a-positive", "labels.truth=true", "--a-negative", "labels.truth=false",
                "--b-positive", "labels.valid=true", "--b-negative", "labels.valid=false", "--resamples", "50", "--head-resamples", "40",
                "--no-store"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void twoSizesFromOneCaptureEachGiveLayersHeadsAndASignChangeVerdict() throws Exception {
        JsonNode r = new CliRun(args("--a-set", large.toString(), small.toString(), "--hook", "blocks.*.hook_resid_post", "--heads", "--json")).json();
        JsonNode sizes = r.get("sizes");
        assertEquals(2, sizes.size());
        assertTrue(sizes.get(0).get("parameter_count").asLong() < sizes.get(1).get("parameter_count").asLong(), "sizes ordered by parameters");
        for (JsonNode s : sizes) {
            assertEquals(2, s.get("layers").size());
            for (JsonNode l : s.get("layers")) {
                assertEquals(12, l.get("n_a").asInt());
                assertEquals(12, l.get("n_b").asInt());
                double cos = l.get("centred_cosine").asDouble();
                assertTrue(cos >= -1 && cos <= 1, l.toString());
                assertTrue(l.get("uncentred_cosine").isNumber() && l.get("ci").size() == 2 && l.get("verdict").isTextual(), l.toString());
            }
        }
        assertEquals(2 * 2 * 4, r.get("heads").size(), "2 sizes × 2 blocks × 4 heads");
        assertTrue(r.get("sign_change").get("note").isTextual());
    }

    @Test
    void textAndReportShowTheTrapBesideTheCoupling() {
        Path out = dir.resolve("report");
        CliRun run = new CliRun(args("--a-set", small.toString(), large.toString(), "--b-set", large.toString(), small.toString(), "--hook",
                "blocks.1.hook_resid_post", "--out", out.toString()));
        assertEquals(0, run.code, run.err.toString());
        String text = run.out.toString();
        assertTrue(text.contains("uncentred cos") && text.contains("near +1 for almost any two sets"), text);
        assertTrue(text.contains("sign change"), text);
        assertTrue(Files.isRegularFile(out.resolve("index.html")));
    }

    void refused(String expected, String... extra) {
        CliRun run = new CliRun(args(extra));
        assertEquals(2, run.code, run.out + "\n" + run.err);
        String err = run.err.toString().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(expected), err);
    }

    @Test
    void modelsThatDoNotMatchAreOneError() {
        refused("must come from the same models", "--a-set", small.toString(), "--b-set", large.toString(), "--hook", "blocks.*.hook_resid_post");
    }

    @Test
    void twoSetsOfOneModelInOneListAreOneError() {
        refused("two activation sets from model", "--a-set", small.toString(), smallResid.toString(), "--hook", "blocks.*.hook_resid_post");
    }

    @Test
    void headsWithoutHookResultSayHowToCaptureIt() {
        refused("--hook 'blocks.*.attn.hook_result'", "--a-set", smallResid.toString(), "--hook", "blocks.*.hook_resid_post", "--heads");
    }

    @Test
    void oneClassOnlyIsRefused() {
        CliRun run = new CliRun("phase", "coupling", "--a-set", small.toString(), "--a-positive", "labels.truth=true", "--a-negative",
                "labels.truth=maybe", "--b-positive", "labels.valid=true", "--b-negative", "labels.valid=false", "--hook", "blocks.1.hook_resid_post",
                "--resamples", "50", "--no-store");
        assertEquals(2, run.code, run.err.toString());
        assertTrue(run.err.toString().contains("labels.truth=maybe"), run.err.toString());
    }

    @Test
    void aMissingHookIsRefused() {
        refused("selects no d_model-wide hook", "--a-set", small.toString(), "--hook", "blocks.*.hook_mlp_out");
    }

    @Test
    void aStoreIsNotWrittenOnBadInput() {
        Path lab = dir.resolve("lab");
        CliRun run = new CliRun("phase", "coupling", "--lab", lab.toString(), "--a-set", small.toString(), "--b-set", large.toString(), "--a-positive",
                "labels.truth=true", "--a-negative", "labels.truth=false", "--b-positive", "labels.valid=true", "--b-negative", "labels.valid=false",
                "--hook", "blocks.1.hook_resid_post");
        assertEquals(2, run.code);
        assertFalse(Files.exists(lab.resolve("scalelab.duckdb")));
    }
}
