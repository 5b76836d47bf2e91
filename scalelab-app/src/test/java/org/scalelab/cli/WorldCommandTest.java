package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;

class WorldCommandTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesTheWorldFilesAndReportsSplitSizes() throws Exception {
        Path out = dir.resolve("w");
        JsonNode j = new CliRun("world", "generate", "--out", out.toString(), "--entities", "40", "--relations", "8", "--seed", "3",
                "--json").json();
        assertEquals(40, j.at("/config/entities").asInt());
        assertEquals(3, j.at("/config/seed").asInt());
        for (String f : List.of("world.json", "world.jsonl", "vocab.json", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        List<String> lines = Files.readAllLines(out.resolve("world.jsonl"));
        int total = 0;
        for (var it = j.at("/split_sizes/eval_sets").fields(); it.hasNext(); ) {
            total += it.next().getValue().asInt();
        }
        assertEquals(lines.size(), total, "every line counted in exactly one evaluation set");
        JsonNode first = Json.mapper().readTree(lines.get(0));
        for (String field : List.of("id", "text", "target", "split", "domain", "labels", "kind", "eval_set")) {
            assertTrue(first.has(field), field + " in " + first);
        }
        // 20 entities per category × 0.25 → 5 held-out analogies: a warning says it is too few to measure.
        assertEquals(5, j.at("/split_sizes/eval_sets/analogical_ood").asInt());
        assertTrue(j.at("/split_sizes/warnings").toString().contains("analogical_ood: only 5 examples"), j.toString());

        Path again = dir.resolve("w2");
        CliRun table = new CliRun("world", "generate", "--out", again.toString(), "--entities", "40", "--relations", "8", "--seed", "3");
        assertEquals(0, table.code, table.err.toString());
        assertTrue(table.out.toString().contains("compositional_far_ood"), table.out.toString());
        assertTrue(table.err.toString().contains("warning: analogical_ood"), table.err.toString());
        assertArrayEquals(Files.readAllBytes(out.resolve("world.jsonl")), Files.readAllBytes(again.resolve("world.jsonl")), "same seed, same bytes");
    }

    @Test
    void impossibleWorldsExitWith2AndOneLine() {
        CliRun zero = new CliRun("world", "generate", "--out", dir.resolve("z").toString(), "--entities", "0");
        assertEquals(2, zero.code);
        assertTrue(zero.err.toString().contains("--entities 0"), zero.err.toString());
        assertEquals(1, zero.err.toString().strip().lines().count(), zero.err.toString());
        CliRun all = new CliRun("world", "generate", "--out", dir.resolve("a").toString(), "--analogy-holdout", "1");
        assertEquals(2, all.code);
        assertTrue(all.err.toString().contains("--analogy-holdout"), all.err.toString());
        CliRun domain = new CliRun("world", "generate", "--out", dir.resolve("d").toString(), "--domains", "chain,weather");
        assertEquals(2, domain.code);
        assertTrue(domain.err.toString().contains("weather"), domain.err.toString());
        assertTrue(!Files.exists(dir.resolve("z")), "nothing written before the config is checked");
    }
}
