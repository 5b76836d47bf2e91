package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scalelab world phase-prompts}: its four files and counts; existing files are kept unless --force; a bad share is one line. */
class WorldPhasePromptsCommandTest {
    @TempDir Path dir;

    @Test
    void writesFourFilesAndKeepsExistingOnesWithoutForce() throws Exception {
        Path world = dir.resolve("world");
        new CliRun("world", "generate", "--out", world.toString(), "--entities", "16", "--relations", "4", "--compositions", "40",
                "--truth-facts", "20", "--trajectories", "10", "--json").json();
        Path out = dir.resolve("phase");
        JsonNode r = new CliRun("world", "phase-prompts", "--world", world.toString(), "--out", out.toString(), "--seed", "4", "--json").json();
        assertEquals(20, r.at("/pairs/truth/train").asInt() + r.at("/pairs/truth/heldout").asInt());
        assertEquals(5, r.at("/pairs/truth/heldout").asInt(), "a quarter of 20 pairs");
        long compositions = Files.readAllLines(world.resolve("world.jsonl")).stream().filter(l -> l.contains("\"kind\":\"compositional\"")).count();
        assertTrue(compositions > 0);
        assertEquals(compositions, r.at("/pairs/reasoning/train").asInt()
                + r.at("/pairs/reasoning/heldout").asInt(), "one pair per composition of both categories");
        for (String f : new String[] {"truth-prompts.jsonl", "reasoning-prompts.jsonl", "world-phase-truth.jsonl", "world-phase-reasoning.jsonl"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }

        Files.writeString(out.resolve("world-phase-truth.jsonl"), "mine\n");
        CliRun again = new CliRun("world", "phase-prompts", "--world", world.toString(), "--out", out.toString());
        assertEquals(2, again.code, again.err.toString());
        assertEquals(1, again.err.toString().strip().lines().count(), again.err.toString());
        assertTrue(again.err.toString().contains("--force"), again.err.toString());
        assertEquals("mine\n", Files.readString(out.resolve("world-phase-truth.jsonl")), "nothing replaced without --force");
        assertEquals(0, new CliRun("world", "phase-prompts", "--world", world.toString(), "--out", out.toString(), "--force").code);
        assertTrue(Files.readString(out.resolve("world-phase-truth.jsonl")).startsWith("{"));

        CliRun share = new CliRun("world", "phase-prompts", "--world", world.toString(), "--out", dir.resolve("other").toString(), "--heldout", "1");
        assertEquals(2, share.code);
        assertTrue(share.err.toString().strip().startsWith("scalelab: error: --heldout 1.0"), share.err.toString());
        assertTrue(!Files.exists(dir.resolve("other")), "nothing written");
    }
}
