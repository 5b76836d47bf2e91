package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class TextColumnsTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aRaggedRowIsRefusedNamingItsLineInsteadOfTheRowsAboveItBeingSkipped() throws Exception {
        // Two files appended into one: DuckDB's layout guessing would take line 4 for the header.
        Path f = write("appended.csv", "problem,answer\nq0,A\nq0,B\nproblem,answer,reference\nq1,A,A\nq1,B,A\nq2,C,C\n");
        InputException e = assertThrows(InputException.class, () -> TextColumns.read(f, List.of("problem", "answer"), List.of("reference")));
        assertEquals(f + ": malformed CSV at line 4 (data row 3): 3 fields but the header has 2; fix the row (quote values that contain the delimiter)",
                e.getMessage());
        Path shortRow = write("short.csv", "problem,answer,reference\nq1,A,A\nq1,B\nq2,C,C\n");
        InputException s = assertThrows(InputException.class, () -> TextColumns.read(shortRow, List.of("problem"), List.of()));
        assertTrue(s.getMessage().startsWith(shortRow + ": malformed CSV at line 3 (data row 2): 2 fields but the header has 3"), s.getMessage());
    }

    @Test
    void readsTheColumnsTheHeaderNamesAsTextWithTheExtensionsDelimiter() throws Exception {
        Path csv = write("s.csv", "\"problem id\",answer,correct\nq1,007,1\nq1,\"A, or B\",\nq2,\"say \"\"hi\"\"\",0\n");
        TextColumns t = TextColumns.read(csv, List.of("problem id", "answer"), List.of("correct", "reference"));
        assertEquals(List.of("problem id", "answer", "correct"), t.columns());
        assertEquals(3, t.size());
        assertArrayEquals(new String[] {"q1", "007", "1"}, t.rows().get(0));
        assertArrayEquals(new String[] {"q1", "A, or B", null}, t.rows().get(1));
        assertEquals("say \"hi\"", t.get(2, "answer"));
        assertEquals(csv + ": row 3, column 'answer'", t.at(2, "answer"));

        Path tsv = write("s.tsv", "problem\tanswer\nq1\tA, or B\nq2\tC\n");
        TextColumns u = TextColumns.read(tsv, List.of("problem", "answer"), List.of());
        assertEquals("A, or B", u.get(0, "answer"));
        assertEquals(2, u.size());
    }

    @Test
    void theDelimiterIsNotGuessed() throws Exception {
        Path f = write("semicolons.csv", "problem;answer\nq1;A\nq2;B\n");
        InputException e = assertThrows(InputException.class, () -> TextColumns.read(f, List.of("problem"), List.of()));
        assertTrue(e.getMessage().startsWith(f + ": no column 'problem' (columns: problem;answer)"), e.getMessage());
    }

    @Test
    void csvHeadersReadTheSameForTextAndNumbers() throws Exception {
        Path f = write("runs.csv", "\uFEFF\"params\", loss ,model\n1e6,4.5,a\n1e7,3.5,b\n");
        TextColumns t = TextColumns.read(f, List.of("params", "loss", "model"), List.of());
        NumericTable n = DataInput.readFile(f, List.of("params", "loss"));
        assertEquals(List.of("params", "loss", "model"), t.columns());
        assertEquals(Double.parseDouble(t.get(1, "loss")), n.column("loss")[1]);
        InputException empty = assertThrows(InputException.class, () -> TextColumns.read(write("e.csv", ""), List.of("x"), List.of()));
        assertEquals(dir.resolve("e.csv") + ": empty file (0 bytes); expected a header and data rows", empty.getMessage());
    }
}
