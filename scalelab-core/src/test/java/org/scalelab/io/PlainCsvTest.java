package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scalelab.InputException;
import org.scalelab.io.NumericTable;

/** The Java reader of small plain CSV files gives DuckDB's numbers, bit for bit, or declines the file. */
class PlainCsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static void assertSameAsDuckDb(Path f, List<String> columns) {
        NumericTable plain = PlainCsv.read(f, columns);
        assertNotNull(plain, "expected the plain reader to accept " + f);
        NumericTable duck = DataInput.readWithDuckDb(f, columns);
        assertEquals(duck.source(), plain.source());
        assertEquals(duck.sha256(), plain.sha256());
        assertEquals(duck.columns(), plain.columns());
        for (String c : columns) {
            // assertArrayEquals on doubles compares bit patterns: -0.0 differs from 0.0
            assertArrayEquals(duck.column(c), plain.column(c), c);
        }
    }

    @Test
    void readsTheChinchillaReferenceFileWithDuckDbsNumbers() {
        assertSameAsDuckDb(Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv"), List.of("params", "compute", "loss"));
        assertSameAsDuckDb(Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv"), List.of("loss", "params"));
    }

    @Test
    void tricklyWrittenDecimalsParseAsDuckDbParsesThem() throws IOException {
        String[] values = {"0", "-0", "+3", "00012", "1.", ".5", "-.5", "1E5", "1e+05", "1e-05", "0.1", "9007199254740993",
            "123456789012345678901234567890", "4.9e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
            "1.7976931348623157e308", "1.7976931348623158e308", "0.30000000000000004", "6795600349.289497",
            "9.993852799709755e+18", "1e-400", "-1e-400"};
        StringBuilder sb = new StringBuilder("name,x,y\n");
        for (int i = 0; i < values.length; i++) {
            sb.append("run").append(i).append(',').append(values[i]).append(',').append(values[values.length - 1 - i]).append('\n');
        }
        assertSameAsDuckDb(write("tricky.csv", sb.toString()), List.of("x", "y"));
    }

    @Test
    void windowsLineEndsAreReadAsDuckDbReadsThem() throws IOException {
        assertSameAsDuckDb(write("crlf.csv", "x,y,label\r\n1,-3,a\r\n2.5,0,b c\r\n1e9,4.25,d"), List.of("x", "y"));
    }

    @Test
    void randomDoublesInManyFormatsParseAsDuckDbParsesThem() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder("x\ty\tlabel\n");
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(rng.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            double e = Math.scalb(rng.nextDouble(), rng.nextInt(-80, 80));
            String x = switch (i % 4) {
                case 0 -> Double.toString(d);
                case 1 -> String.format(Locale.ROOT, "%.17e", d);
                case 2 -> String.format(Locale.ROOT, "%.25f", e);
                default -> String.format(Locale.ROOT, "%.3e", d);
            };
            sb.append(x).append('\t').append(Double.toString(e)).append('\t').append("model ").append(i).append('\n');
        }
        assertSameAsDuckDb(write("random.tsv", sb.toString()), List.of("x", "y"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "quoted field     | a.csv | 'x,y\n1,\"2\"\n'",
        "lone CR          | a.csv | 'x,y\r1,2\r'",
        "mixed line ends  | a.csv | 'x,y\r\n1,2\n3,4\r\n'",
        "blank line       | a.csv | 'x,y\n1,2\n\n3,4\n'",
        "two final blanks | a.csv | 'x,y\n1,2\n\n'",
        "spaces           | a.csv | 'x,y\n 1,2\n'",
        "NaN              | a.csv | 'x,y\n1,NaN\n'",
        "inf              | a.csv | 'x,y\n1,inf\n'",
        "overflow         | a.csv | 'x,y\n1,1e400\n'",
        "hex              | a.csv | 'x,y\n1,0x10\n'",
        "underscore       | a.csv | 'x,y\n1,1_000\n'",
        "java suffix      | a.csv | 'x,y\n1,2d\n'",
        "empty value      | a.csv | 'x,y\n1,\n'",
        "ragged           | a.csv | 'x,y\n1,2\n3\n'",
        "extra field      | a.csv | 'x,y\n1,2,3\n'",
        "header only      | a.csv | 'x,y\n'",
        "no newline       | a.csv | 'x,y'",
        "unnamed column   | a.csv | 'x,,y\n1,2,3\n'",
        "duplicate name   | a.csv | 'x,y,x\n1,2,3\n'",
        "byte-order mark  | a.csv | '\uFEFFx,y\n1,2\n'",
        "not a csv        | a.txt | 'x,y\n1,2\n'",
        "gzip name        | a.csv.gz | 'x,y\n1,2\n'",
    })
    void declinesFilesItDoesNotReadSoThatDuckDbDecides(String what, String name, String content) throws IOException {
        Path f = write(name, content.replace("\\n", "\n").replace("\\r", "\r"));
        assertNull(PlainCsv.read(f, List.of("x", "y")), what);
    }

    @Test
    void aMissingColumnIsDuckDbsErrorWithoutDuckDb() throws IOException {
        Path f = write("a.csv", "x,z\n1,2\n");
        InputException plain = assertThrows(InputException.class, () -> PlainCsv.read(f, List.of("x", "y")));
        InputException duck = assertThrows(InputException.class, () -> DataInput.readWithDuckDb(f, List.of("x", "y")));
        assertEquals(duck.getMessage(), plain.getMessage());
        assertTrue(plain.getMessage().endsWith("a.csv: no column 'y' (columns: x, z); name the right one with the matching --*-col option"),
                plain.getMessage());
    }

    @Test
    void declinesInvalidUtf8MissingEmptyAndLargeFiles() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, new byte[] {'x', ',', 'y', '\n', '1', ',', '2', ',', (byte) 0xC3, '\n'});
        assertNull(PlainCsv.read(bad, List.of("x", "y")));
        assertNull(PlainCsv.read(dir.resolve("none.csv"), List.of("x", "y")));
        assertNull(PlainCsv.read(write("empty.csv", ""), List.of("x", "y")));
        List<String> rows = new ArrayList<>(List.of("x,y"));
        for (int i = 0; rows.size() * 20L <= PlainCsv.MAX_BYTES; i++) {
            rows.add(i + ",1234567890.123456");
        }
        Path large = dir.resolve("large.csv");
        Files.write(large, rows);
        assertNull(PlainCsv.read(large, List.of("x", "y")));
        assertEquals(rows.size() - 1, DataInput.readFile(large, List.of("x", "y")).rows());
    }
}
