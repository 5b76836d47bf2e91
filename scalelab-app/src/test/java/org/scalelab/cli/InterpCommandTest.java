package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scalelab patch} and {@code scalelab lens} on a tiny byte-level model: results, plots, and bad input. */
class InterpCommandTest {
    @TempDir Path dir;

    private Path pairs(String... lines) throws Exception {
        Path f = dir.resolve("pairs.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void patchReportsRecoveryPerLayerAndPositionAndDrawsTheHeatmap() throws Exception {
        Path m = CliRun.tinyModel("llama", dir.resolve("tiny"), "--kv-heads", "2");
        // byte-level tokens: the prompts differ at position 4 only
        Path p = pairs("{\"id\":\"a\",\"clean\":\"the cat sat\",\"corrupted\":\"the dat sat\",\"answer\":\"c\",\"wrong\":\"d\"}");
        Path out = dir.resolve("report");
        JsonNode r = new CliRun("patch", "--model", m.toString(), "--pairs", p.toString(), "--by", "layer-position", "--no-store", "--json",
                "--out", out.toString()).json();
        assertEquals("layer-position", r.get("by").asText());
        assertEquals("hook_resid_pre", r.get("hook").asText());
        assertEquals(11, r.get("columns").size());
        assertEquals("4:c", r.get("columns").get(4).asText());
        for (int pos = 0; pos < 11; pos++) {
            assertEquals(pos == 4 ? 1.0 : 0.0, r.get("recovery").get(0).get(pos).asDouble(), 0.0, "layer 0 position " + pos);
        }
        assertTrue(Files.size(out.resolve("recovery.svg")) > 0);
        assertTrue(Files.size(out.resolve("recovery.png")) > 0);

        JsonNode heads = new CliRun("patch", "--model", m.toString(), "--pairs", p.toString(), "--by", "layer-head", "--no-store", "--json").json();
        assertEquals("attn.hook_z", heads.get("hook").asText());
        assertEquals(4, heads.get("columns").size());
        JsonNode ablated = new CliRun("patch", "--model", m.toString(), "--pairs", p.toString(), "--ablate", "zero", "--no-store", "--json").json();
        assertEquals("ablate-zero", ablated.get("method").asText());
        CliRun text = new CliRun("patch", "--model", m.toString(), "--pairs", p.toString(), "--by", "hook", "--no-store");
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().matches("(?s).*\\nresid_pre +1\\.000 +1\\.000\\n.*"), text.out.toString());
    }

    @Test
    void badPairsAreOneLineWithExitCodeTwoAndWriteNothing() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        Path out = dir.resolve("report");
        Path p = pairs("{\"id\":\"a\",\"clean\":\"the cat\",\"corrupted\":\"the dog\",\"answer\":\"c\",\"wrong\":\"d\"}",
                "{\"id\":\"b\",\"clean\":\"the cat\",\"corrupted\":\"a cat\",\"answer\":\"c\",\"wrong\":\"d\"}");
        CliRun r = new CliRun("patch", "--model", m.toString(), "--pairs", p.toString(), "--no-store", "--out", out.toString());
        assertEquals(2, r.code);
        assertEquals("scalelab: error: " + p + ":2: pair \"b\": \"clean\" is 7 tokens and \"corrupted\" 5; patching needs the same length so that positions correspond"
                + " (reword the corruption)", r.err.toString().strip());
        assertFalse(Files.exists(out));
        Path multi = pairs("{\"id\":\"a\",\"clean\":\"the cat\",\"corrupted\":\"the dog\",\"answer\":\"cat\",\"wrong\":\"d\"}");
        CliRun two = new CliRun("patch", "--model", m.toString(), "--pairs", multi.toString(), "--no-store");
        assertEquals(2, two.code);
        assertTrue(two.err.toString().contains(":1: pair \"a\": field \"answer\": \"cat\" is 3 tokens"), two.err.toString());
        CliRun grid = new CliRun("patch", "--model", m.toString(), "--pairs", multi.toString(), "--by", "hook", "--ablate", "mean", "--no-store");
        assertEquals(2, grid.code);
        assertTrue(grid.err.toString().startsWith("scalelab: error: --ablate: heads are ablated one at a time"), grid.err.toString());
        CliRun by = new CliRun("patch", "--model", m.toString(), "--pairs", multi.toString(), "--by", "diagonal", "--no-store");
        assertEquals(2, by.code);
    }

    @Test
    void lensReadsEveryLayerAndItsAttributionSumsToTheLogit() throws Exception {
        Path m = CliRun.tinyModel("gpt2", dir.resolve("tiny"));
        JsonNode r = new CliRun("lens", "--model", m.toString(), "--prompt", "Hello wor", "--target", "l", "--vs", "x", "--attribution",
                "--no-store", "--json").json();
        JsonNode p = r.get("prompts").get(0);
        assertEquals(3, p.get("layers").size(), "resid_pre of layer 0 and each layer's resid_post");
        assertEquals("blocks.1.hook_resid_post", p.get("layers").get(2).get("hook").asText());
        assertEquals(p.get("model_value").asDouble(), p.get("attributed_value").asDouble(), 1e-4);
        assertEquals(p.get("model_value").asDouble(), p.get("layers").get(2).get("logit_diff").asDouble(), 1e-5);
        assertEquals(2 + 2 * (4 + 2) + 1, p.get("contributions").size());
        CliRun text = new CliRun("lens", "--model", m.toString(), "--prompt", "Hello wor", "--target", "l", "--attribution", "--no-store");
        assertEquals(0, text.code, text.err.toString());
        assertTrue(text.out.toString().contains("direct logit attribution to logit('l')"), text.out.toString());
        CliRun bad = new CliRun("lens", "--model", m.toString(), "--prompt", "Hello", "--target", "lo", "--no-store");
        assertEquals(2, bad.code);
        assertEquals("scalelab: error: --target: 'lo' is 2 tokens; the lens reads one token's logit (mind the leading space)", bad.err.toString().strip());
    }
}
