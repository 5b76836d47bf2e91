package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

/** The task-file reader: what a valid file gives, and one clear line naming FILE:LINE, field and value for every kind of bad line. */
class EvalTaskTest {
    @TempDir Path dir;

    private static final String GOOD = "{\"id\": \"q1\", \"context\": \"Question: 2+2?\\nAnswer:\", \"choices\": [\"4\", \"5\"], \"gold\": 0}";

    private Path write(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** The message of reading a file whose second line is {@code bad}; asserts it names FILE:2 and is one line. */
    private String errorOnLine2(String bad) throws IOException {
        Path f = write("t.jsonl", GOOD, bad);
        InputException e = assertThrows(InputException.class, () -> EvalTask.read(f));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsExamplesInFileOrderWithOptionalFields() throws IOException {
        Path f = write("arc-easy.jsonl",
                "\uFEFF" + GOOD,
                "",
                "{\"id\": 7, \"context\": \"\", \"choices\": [\"a\", \"b\", \"c\"], \"gold\": [2, 0], \"domain\": \"math\","
                        + " \"labels\": {\"truth\": true, \"hops\": 2, \"source\": \"x\"}, \"extra\": [1]}");
        EvalTask t = EvalTask.read(f);
        assertEquals("arc-easy", t.name());
        assertEquals(2, t.examples().size());
        EvalExample a = t.examples().get(0);
        assertEquals("q1", a.id());
        assertEquals("Question: 2+2?\nAnswer:", a.context());
        assertEquals(List.of("4", "5"), a.choices());
        assertArrayEquals(new int[] {0}, a.gold());
        assertNull(a.domain());
        assertEquals(Map.of(), a.labels());
        assertEquals(f + ":1", a.where());
        EvalExample b = t.examples().get(1);
        assertEquals("7", b.id());
        assertArrayEquals(new int[] {2, 0}, b.gold());
        assertEquals("math", b.domain());
        assertEquals(List.of("truth", "hops", "source"), List.copyOf(b.labels().keySet()));
        assertEquals("true", b.labels().get("truth"));
        assertEquals(f + ":3", b.where());
    }

    @Test
    void malformedJsonNamesTheLineAndColumn() throws IOException {
        String m = errorOnLine2("{\"id\": \"q2\", \"context\": ");
        assertTrue(m.contains("not valid JSON"), m);
        assertTrue(errorOnLine2("[1, 2]").contains("expected a JSON object, got [1,2]"));
        // Jackson stops after the first value by default: a line with more after its object is refused, not cut
        String trailing = errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0} {\"id\": \"q3\"}");
        assertTrue(trailing.contains("not valid JSON"), trailing);
    }

    @Test
    void missingFieldsAreNamed() throws IOException {
        assertTrue(errorOnLine2("{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0}").contains("field \"id\" is missing"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"choices\": [\"a\", \"b\"], \"gold\": 0}").contains("field \"context\" is missing"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"gold\": 0}").contains("field \"choices\" is missing"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"]}").contains("field \"gold\" is missing"));
    }

    @Test
    void mistypedFieldsAreNamedWithTheirValue() throws IOException {
        assertTrue(errorOnLine2("{\"id\": 1.5, \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0}")
                .contains("field \"id\": 1.5 is not a non-empty string or integer"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": 3, \"choices\": [\"a\", \"b\"], \"gold\": 0}")
                .contains("field \"context\": 3 is not a string"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": \"a\", \"gold\": 0}")
                .contains("field \"choices\": \"a\" is not an array"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", 2], \"gold\": 0}")
                .contains("field \"choices\"[1]: 2 is not a string"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": \"a\"}")
                .contains("field \"gold\": \"a\" is not a choice index"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0.5}")
                .contains("field \"gold\": 0.5 is not a choice index"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0, \"domain\": 4}")
                .contains("field \"domain\": 4 is not a string"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0, \"labels\": [1]}")
                .contains("field \"labels\": [1] is not an object"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": 0, \"labels\": {\"k\": {\"n\": 1}}}")
                .contains("field \"labels\".\"k\": {\"n\":1} is not a string, number or boolean"));
    }

    @Test
    void goldOutOfRangeOrRepeatedIsRefused() throws IOException {
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\", \"c\"], \"gold\": 3}")
                .contains("field \"gold\": 3 is out of range for 3 choices (0..2)"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": -1}")
                .contains("field \"gold\": -1 is out of range"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": [0, 5]}")
                .contains("field \"gold\"[1]: 5 is out of range for 2 choices"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": []}")
                .contains("field \"gold\": [] names no correct choice"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": [1, 1]}")
                .contains("repeats index 1"));
    }

    @Test
    void fewerThanTwoChoicesOrAnEmptyChoiceIsRefused() throws IOException {
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\"], \"gold\": 0}")
                .contains("field \"choices\": [\"a\"] has 1 choice; a multiple-choice example needs at least 2"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [], \"gold\": 0}")
                .contains("has 0 choices"));
        assertTrue(errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"\"], \"gold\": 0}")
                .contains("field \"choices\"[1] is an empty string"));
    }

    @Test
    void duplicateIdsNameBothLines() throws IOException {
        String m = errorOnLine2(GOOD);
        assertTrue(m.contains("field \"id\": \"q1\" repeats line 1"), m);
    }

    @Test
    void anEmptyOrMissingFileIsRefused() throws IOException {
        Path empty = write("empty.jsonl", "", "  ");
        InputException e = assertThrows(InputException.class, () -> EvalTask.read(empty));
        assertTrue(e.getMessage().startsWith(empty + ": no examples"), e.getMessage());
        Path missing = dir.resolve("missing.jsonl");
        assertTrue(assertThrows(InputException.class, () -> EvalTask.read(missing)).getMessage().contains("task file not found"));
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirLine() throws IOException {
        Path f = dir.resolve("latin1.jsonl");
        Files.write(f, (GOOD + "\n" + GOOD.replace("q1", "q\u00e9")).getBytes(StandardCharsets.ISO_8859_1));
        InputException e = assertThrows(InputException.class, () -> EvalTask.read(f));
        assertEquals(f + ":2: not UTF-8 text (the task file must be UTF-8)", e.getMessage());
    }

    @Test
    void windowsLineEndingsRead() throws IOException {
        Path f = dir.resolve("crlf.jsonl");
        Files.writeString(f, GOOD + "\r\n\r\n" + GOOD.replace("q1", "q2") + "\r\n");
        EvalTask t = EvalTask.read(f);
        assertEquals(List.of("q1", "q2"), t.examples().stream().map(EvalExample::id).toList());
        assertEquals(f + ":3", t.examples().get(1).where());
    }

    @Test
    void aLongValueIsCutInTheMessage() throws IOException {
        String m = errorOnLine2("{\"id\": \"q2\", \"context\": \"c\", \"choices\": [\"a\", \"b\"], \"gold\": \"" + "z".repeat(500) + "\"}");
        assertTrue(m.length() < 300, m);
    }

    @Test
    void anExampleMadeInCodeKeepsTheReadersInvariants() {
        assertThrows(IllegalArgumentException.class, () -> new EvalExample("x", "c", List.of("a"), new int[] {0}, null, Map.of(), "mem"));
        assertThrows(IllegalArgumentException.class, () -> new EvalExample("x", "c", List.of("a", ""), new int[] {0}, null, Map.of(), "mem"));
        assertThrows(IllegalArgumentException.class, () -> new EvalExample("x", "c", List.of("a", "b"), new int[] {2}, null, Map.of(), "mem"));
        assertThrows(IllegalArgumentException.class, () -> new EvalExample("x", "c", List.of("a", "b"), new int[] {}, null, Map.of(), "mem"));
        assertThrows(IllegalArgumentException.class, () -> new EvalExample("x", "c", List.of("a", "b"), new int[] {1, 1}, null, Map.of(), "mem"));
        assertEquals(2, new EvalExample("x", "c", List.of("a", "b"), new int[] {1, 0}, null, Map.of(), "mem").gold().length);
    }
}
