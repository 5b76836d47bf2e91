package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.eval.EvalTask;

/** {@code world tasks}: three task files the reader accepts, refused over existing files unless --force, bad input exit 2. */
class WorldTasksCommandTest {
    @TempDir Path dir;

    @Test
    void writesTheThreeTaskFilesAndRefusesToOverwriteThem() throws Exception {
        Path world = dir.resolve("w");
        assertEquals(0, new CliRun("world", "generate", "--out", world.toString(), "--entities", "40", "--relations", "8", "--seed", "3").code);
        Path out = dir.resolve("tasks");
        CliRun r = new CliRun("world", "tasks", "--world", world.toString(), "--out", out.toString());
        assertEquals(0, r.code, r.err.toString());
        assertTrue(r.out.toString().contains("task world-composition"), r.out.toString());
        for (String name : new String[] {"world-true-false", "world-composition", "world-analogy"}) {
            assertTrue(EvalTask.read(out.resolve(name + ".jsonl")).examples().size() > 0, name);
        }
        String before = Files.readString(out.resolve("world-analogy.jsonl"));
        CliRun again = new CliRun("world", "tasks", "--world", world.toString(), "--out", out.toString());
        assertEquals(2, again.code);
        assertTrue(again.err.toString().contains("exists; choose another name, or add --force"), again.err.toString());
        assertEquals(before, Files.readString(out.resolve("world-analogy.jsonl")));
        assertEquals(0, new CliRun("world", "tasks", "--world", world.toString(), "--out", out.toString(), "--force").code);
        assertEquals(before, Files.readString(out.resolve("world-analogy.jsonl")));

        CliRun missing = new CliRun("world", "tasks", "--world", dir.resolve("nowhere").toString(), "--out", dir.resolve("t2").toString());
        assertEquals(2, missing.code, missing.err.toString());
        assertEquals(1, missing.err.toString().strip().lines().count(), missing.err.toString());
    }
}
