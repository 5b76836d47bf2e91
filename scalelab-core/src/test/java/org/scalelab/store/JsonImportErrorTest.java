package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

/** A malformed JSON/JSONL import names the line that is wrong (not the next one), with no "REDACTED" text. */
class JsonImportErrorTest {
    private static final String GOOD = "{\"params\": 1e6, \"tokens\": 2e7, \"loss\": 4.5}";

    @TempDir
    Path dir;

    private String error(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            InputException e = assertThrows(InputException.class, () -> store.importRuns(f, ImportOptions.defaults()));
            assertEquals(0, store.runCount());
            assertFalse(e.getMessage().contains("REDACTED") || e.getMessage().contains("Source:"), e.getMessage());
            assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            return e.getMessage().substring(f.toString().length() + 2);
        }
    }

    @Test
    void anObjectLeftOpenOnLine2IsReportedOnLine2() throws Exception {
        String m = error("runs.jsonl", GOOD + "\n{\"params\": 1e7, \"tokens\": 2e8, \"loss\": 3.5\n" + GOOD + "\n" + GOOD + "\n");
        assertTrue(m.startsWith("line 2, column "), m);
        assertTrue(m.contains("not valid JSON (Unexpected end-of-input: expected close marker for Object (start marker at column 1))"), m);
    }

    @Test
    void aBadTokenIsReportedOnItsLineAndColumn() throws Exception {
        assertTrue(error("runs.jsonl", GOOD + "\nnot json\n" + GOOD + "\n").startsWith("line 2, column 4: not valid JSON (Unrecognized token 'not'"));
        assertTrue(error("a.jsonl", "{\"params\": 1e8 \"tokens\": 2e9}\n" + GOOD + "\n").startsWith("line 1, column 16: not valid JSON"));
        assertTrue(error("b.ndjson", GOOD + "\n\n" + GOOD + "\n{\"params\": 1,\n").startsWith("line 4, column "));
    }

    @Test
    void aJsonDocumentIsReportedAtItsLineAndColumn() throws Exception {
        String m = error("runs.json", "[" + GOOD + ",\n" + GOOD + "\n" + GOOD + "]\n");
        assertTrue(m.startsWith("not valid JSON at line 3, column 1: Unexpected character ('{'"), m);
    }
}
