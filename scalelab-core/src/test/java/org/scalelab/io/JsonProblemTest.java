package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

/** Jackson's messages say "[Source: REDACTED …]" where they used to quote the input; ours say line and column instead. */
class JsonProblemTest {
    private static String problem(String json) {
        return Json.problem(assertThrows(JsonProcessingException.class, () -> Json.mapper().readTree(json)));
    }

    @Test
    void aBadTokenIsNamedWithItsLineAndColumnAndWhatWasExpected() {
        assertEquals("line 1, column 8: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', "
                + "'true' or 'false')", problem("{\"a\": x}"));
    }

    @Test
    void anUnclosedArraySaysWhereItStartedWithoutRedactedText() {
        assertEquals("line 3, column 7: Unexpected end-of-input: expected close marker for Array (start marker at line 3, column 3)",
                problem("\n\n  [1,2"));
    }

    @Test
    void textAfterTheFirstValueIsAnErrorNotDropped() {
        assertThrows(JsonProcessingException.class, () -> Json.mapper().readTree("{\"id\": 1} garbage"));
        assertThrows(JsonProcessingException.class, () -> Json.mapper().readTree("{\"id\": 1}{\"id\": 2}"));
        assertEquals(1, assertDoesNotThrow(() -> Json.mapper().readTree("  {\"id\": 1}  \n")).path("id").asInt());
    }

    @Test
    void otherReadErrorsKeepTheirFirstLine() {
        assertEquals("disk on fire", Json.problem(new java.io.IOException("disk on fire\nmore")));
    }

    @Test
    void aJsonLinesProblemNamesTheFileLineAndTheColumnWithinIt() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("samples", ".jsonl");
        try {
            java.nio.file.Files.writeString(f, "{\"problem\": \"a\", \"correct\": 1}\n{\"problem\": x}\n");
            org.scalelab.InputException e = assertThrows(org.scalelab.InputException.class,
                    () -> TextColumns.read(f, java.util.List.of("problem", "correct"), java.util.List.of()));
            assertEquals(f + ": line 2, column 14: not valid JSON (Unrecognized token 'x': was expecting (JSON String, Number, Array, "
                    + "Object or token 'null', 'true' or 'false')); each line must be one JSON object", e.getMessage());
        } finally {
            java.nio.file.Files.delete(f);
        }
    }
}
