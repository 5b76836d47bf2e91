package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;
import org.scalelab.store.LabBusyException;

class EvalPartialFileTest {
    @TempDir
    Path dir;

    private static ObjectNode header() {
        ObjectNode h = Json.mapper().createObjectNode();
        h.put("format", "scalelab-eval-partial/1");
        h.put("model", "m");
        return h;
    }

    private static EvalPartialFile.Scored scored(String id) {
        return new EvalPartialFile.Scored("tâche", id, new double[] {-1.5, -2.25}, new int[] {2, 3});
    }

    @Test
    void idsInAnyScriptResumeWithEveryLineKeptAndOnlyATornLastLineDropped() throws Exception {
        Path file = dir.resolve("e.jsonl.partial");
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            p.append(scored("über-1"));
            p.append(scored("例-2"));
        }
        Files.write(file, "{\"task\":\"tâche\",\"id\":\"torn".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            assertEquals(2, p.size());
            assertEquals(-2.25, p.get("tâche", "例-2").logprobs()[1]);
            p.append(scored("ελ-3"));
        }
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            assertEquals(3, p.size(), Files.readString(file));
        }
        assertEquals(4, Files.readAllLines(file).size(), "the header and three whole lines, the torn one gone");
    }

    @Test
    void aFileAnotherProcessIsWritingIsRefusedAsBusyAndLeftAsItWas() throws Exception {
        Path file = dir.resolve("e.jsonl.partial");
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            p.append(scored("a"));
        }
        byte[] before = Files.readAllBytes(file);
        // Another process holds a POSIX lock on the file, as a running `scalelab eval` does (fcntl, like the JDK's).
        Process holder = new ProcessBuilder(PythonReference.interpreter(), "-c",
                "import fcntl, sys, time\n"
                        + "f = open(sys.argv[1], 'r+')\n"
                        + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                        + "print('locked', flush=True)\n"
                        + "time.sleep(60)\n", file.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            EvalPartialFile.Busy e = assertThrows(EvalPartialFile.Busy.class, () -> EvalPartialFile.open(file, header()));
            assertEquals(LabBusyException.EXIT_CODE, e.exitCode());
            assertTrue(e.getMessage().startsWith(file + ": another evaluation is writing this partial file now"), e.getMessage());
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(file)), "the refused open changed nothing");
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            assertEquals(1, p.size(), "free again once the other process is gone");
        }
    }

    @Test
    void aSecondEvaluationInTheSameProcessIsRefusedToo() {
        Path file = dir.resolve("e.jsonl.partial");
        try (EvalPartialFile p = EvalPartialFile.open(file, header())) {
            assertThrows(EvalPartialFile.Busy.class, () -> EvalPartialFile.open(file, header()));
            p.append(scored("still-writable"));
        }
    }
}
