package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.NumericTable;

class DataInputTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void readsChinchillaReferenceFileInFileOrderWithItsHash() {
        Path f = Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv");
        NumericTable t = DataInput.readFile(f, List.of("params", "loss"));
        assertEquals(245, t.rows());
        // First data line of the file: 6795600349.289497,9.993852799709755e+18,5.005581996196243
        assertEquals(6795600349.289497, t.column("params")[0]);
        assertEquals(5.005581996196243, t.column("loss")[0]);
        assertEquals(Provenance.sha256(f), t.sha256());
        assertEquals(new Provenance.Input(f.toString(), t.sha256(), 245), t.provenanceInput());
    }

    @Test
    void csvTsvGzipJsonlAndParquetGiveTheSameNumbers() throws Exception {
        double[] x = {1, 2.5, 1e9};
        double[] y = {-3, 0, 4.25};
        NumericTable csv = DataInput.readFile(write("a.csv", "x,y,label\r\n1,-3,a\r\n2.5,0,\"b, c\"\r\n1e9,4.25,d\r\n"), List.of("x", "y"));
        NumericTable tsv = DataInput.readFile(write("a.tsv", "x\ty\n1\t-3\n 2.5 \t0\n1000000000\t4.25\n"), List.of("x", "y"));
        Path gz = dir.resolve("a.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("\uFEFFx,y\n1,-3\n2.5,0\n1e9,4.25\n".getBytes(StandardCharsets.UTF_8));
        }
        NumericTable gzip = DataInput.readFile(gz, List.of("x", "y"));
        NumericTable jsonl = DataInput.readFile(write("a.jsonl", "{\"x\": 1, \"y\": -3}\n{\"x\": 2.5, \"y\": 0}\n{\"x\": 1e9, \"y\": 4.25}\n"),
                List.of("x", "y"));
        Path pq = dir.resolve("a.parquet");
        try (Connection c = DuckDbSettings.inMemory(); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM (VALUES (1, -3.0), (2.5, 0.0), (1e9, 4.25)) v(x, y)) TO " + SqlText.literal(pq.toString())
                    + " (FORMAT parquet)");
        }
        NumericTable parquet = DataInput.readFile(pq, List.of("x", "y"));
        for (NumericTable t : List.of(csv, tsv, gzip, jsonl, parquet)) {
            assertArrayEquals(x, t.column("x"), t.source());
            assertArrayEquals(y, t.column("y"), t.source());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "non-numeric     | a.csv   | 'x,y\n1,2\n3,abc\n'                           | a.csv: row 2 (line 3), column 'y': 'abc' is not a number",
        "empty value     | a.csv   | 'x,y\n1,2\n3,\n'                              | a.csv: row 2 (line 3), column 'y': empty value",
        "NaN             | a.csv   | 'x,y\n1,NaN\n'                                | a.csv: row 1 (line 2), column 'y': value 'NaN' is not finite",
        "Inf             | a.csv   | 'x,y\n1,2\n-Infinity,2\n'                     | a.csv: row 2 (line 3), column 'x': value '-Infinity' is not finite",
        "ragged row      | a.csv   | 'x,y\n1,2\n3\n4,5\n'                          | a.csv: malformed CSV at line 3 (data row 2): 1 fields but the header has 2",
        "missing column  | a.csv   | 'x,z\n1,2\n'                                  | a.csv: no column 'y' (columns: x, z)",
        "header only     | a.csv   | 'x,y\n'                                       | a.csv: no data rows",
        "empty file      | a.csv   | ''                                            | a.csv: empty file (0 bytes)",
        "unnamed column  | a.csv   | 'x,,y\n1,2,3\n'                               | a.csv: header column 2 has no name",
        "unknown format  | a.xlsx  | 'x,y\n1,2\n'                                  | a.xlsx: unknown format; use a .csv",
        "jsonl string    | a.jsonl | '{\"x\": 1, \"y\": 2}\n{\"x\": \"?\", \"y\": 2}\n' | a.jsonl: row 2, column 'x': '?' is not a number",
        "jsonl null      | a.jsonl | '{\"x\": 1, \"y\": 2}\n{\"x\": null, \"y\": 2}\n' | a.jsonl: row 2, column 'x': empty value",
    })
    void badFilesFailWithOneLineNamingFileRowColumnAndValue(String what, String name, String content, String expected) throws IOException {
        Path f = write(name, content.replace("\\n", "\n"));
        InputException e = assertThrows(InputException.class, () -> DataInput.readFile(f, List.of("x", "y")));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void parquetNaNAndMissingFileAreReported() throws Exception {
        Path pq = dir.resolve("b.parquet");
        try (Connection c = DuckDbSettings.inMemory(); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT i::DOUBLE AS x, CASE WHEN i = 3 THEN 'Infinity'::DOUBLE ELSE i END AS y FROM range(1, 5) t(i)) TO "
                    + SqlText.literal(pq.toString()) + " (FORMAT parquet)");
        }
        InputException e = assertThrows(InputException.class, () -> DataInput.readFile(pq, List.of("x", "y")));
        assertTrue(e.getMessage().contains("b.parquet: row 3, column 'y': value 'inf' is not finite"), e.getMessage());
        InputException missing = assertThrows(InputException.class, () -> DataInput.readFile(dir.resolve("none.csv"), List.of("x")));
        assertTrue(missing.getMessage().endsWith("none.csv: no such file"), missing.getMessage());
    }

    @Test
    void numericTableChecksPositivityAndRowCountNamingRowAndColumn() throws IOException {
        NumericTable t = DataInput.readFile(write("a.csv", "x,y\n1,2\n3,0\n"), List.of("x", "y"));
        t.requirePositive("x").requireRows(2, "for this test");
        InputException e = assertThrows(InputException.class, () -> t.requirePositive("y"));
        assertTrue(e.getMessage().contains("a.csv: row 2, column 'y': value 0.0 must be > 0"), e.getMessage());
        InputException rows = assertThrows(InputException.class, () -> t.requireRows(3, "to fit 3 parameters"));
        assertTrue(rows.getMessage().endsWith("2 rows, need at least 3 to fit 3 parameters"), rows.getMessage());
        InputException col = assertThrows(InputException.class, () -> t.column("z"));
        assertTrue(col.getMessage().contains("no column 'z' (columns: x, y)"), col.getMessage());
    }
}
