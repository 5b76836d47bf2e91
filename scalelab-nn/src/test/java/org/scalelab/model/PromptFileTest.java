package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

/** The prompts file is read as every JSON-lines input is: UTF-8 checked per line, a byte-order mark dropped, nothing after the object. */
class PromptFileTest {
    @TempDir Path dir;

    @Test
    void aByteThatIsNotUtf8IsReportedWithItsLine() throws Exception {
        Path f = dir.resolve("prompts.jsonl");
        byte[] first = "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", \"text\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] rest = "\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[first.length + 1 + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        all[first.length] = (byte) 0xC3; // a lead byte with no continuation
        System.arraycopy(rest, 0, all, first.length + 1, rest.length);
        Files.write(f, all);
        InputException e = assertThrows(InputException.class, () -> Prompt.readJsonl(f));
        assertEquals(f + ":2: not UTF-8 text (the prompts file must be UTF-8)", e.getMessage());
    }

    @Test
    void aByteOrderMarkAndWindowsLineEndsAreAccepted() throws Exception {
        Path f = dir.resolve("prompts.jsonl");
        Files.writeString(f, "\uFEFF{\"id\": \"a\", \"text\": \"one\"}\r\n\r\n{\"id\": 2, \"text\": \"two\"}\r\n");
        List<Prompt> p = Prompt.readJsonl(f);
        assertEquals(List.of("a", "2"), p.stream().map(Prompt::id).toList());
        assertEquals("two", p.get(1).text());
    }

    @Test
    void textAfterTheObjectIsRefusedNotCut() throws Exception {
        Path f = dir.resolve("prompts.jsonl");
        Files.writeString(f, "{\"id\": \"a\", \"text\": \"one\"} {\"id\": \"b\", \"text\": \"two\"}\n");
        InputException e = assertThrows(InputException.class, () -> Prompt.readJsonl(f));
        assertTrue(e.getMessage().startsWith(f + ":1: not valid JSON"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path f = dir.resolve("absent.jsonl");
        assertEquals(f + ": prompts file not found", assertThrows(InputException.class, () -> Prompt.readJsonl(f)).getMessage());
    }
}
