package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.ScaleLabException;
import org.scalelab.store.LabStore;

/**
 * {@code runs sql} and {@code --query} never write: a corpus of writing statements, of statements
 * that smuggle a write inside a reading keyword, and of functions that read other files, each
 * refused with exit 2 through both doors, with the store byte-identical and no file created.
 */
class ReadOnlySqlCommandTest {
    @TempDir
    static Path dir;
    static Path lab;
    static Path store;

    @BeforeAll
    static void labWithRuns() throws Exception {
        lab = dir.resolve("lab");
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "model,params,tokens,loss\na,1e6,2e7,4.5\nb,1e7,2e8,3.5\nc,1e8,2e9,2.5\nd,1e9,2e10,2.0\n");
        assertEquals(0, new CliRun("runs", "import", csv.toString(), "--lab", lab.toString()).code);
        store = lab.resolve("scalelab.duckdb");
        Files.writeString(dir.resolve("secret.csv"), "password\nhunter2\n");
    }

    /** Statements that write (or would, through a CTE, a second statement or a comment trick). */
    static List<String> writingStatements() {
        String s = store.toString();
        String l = lab.toString();
        List<String> writes = List.of(
                "COPY (SELECT 'x' AS a) TO '" + s + "'",
                "COPY runs TO '" + l + "/runs-copy.csv'",
                "COPY runs FROM '" + dir.resolve("runs.csv") + "'",
                "EXPORT DATABASE '" + l + "/export'",
                "ATTACH '" + l + "/other.duckdb' AS other",
                "DETACH scalelab",
                "INSTALL httpfs",
                "LOAD httpfs",
                "PRAGMA memory_limit = '1MB'",
                "PRAGMA enable_profiling",
                "PRAGMA threads = 1",
                "SET memory_limit = '1MB'",
                "SET enable_external_access = true",
                "RESET memory_limit",
                "CREATE TABLE t(a INTEGER)",
                "CREATE TEMP TABLE t AS SELECT 1",
                "CREATE VIEW v AS SELECT 1",
                "CREATE MACRO m(a) AS a",
                "INSERT INTO runs SELECT * FROM runs",
                "UPDATE runs SET params = 1",
                "DELETE FROM runs",
                "DROP TABLE runs",
                "DROP VIEW points",
                "ALTER TABLE runs ADD COLUMN z INTEGER",
                "TRUNCATE runs",
                "CHECKPOINT",
                "FORCE CHECKPOINT",
                "VACUUM",
                "CALL checkpoint()",
                "CALL pragma_table_info('runs')",
                "BEGIN TRANSACTION",
                "COMMIT",
                "USE memory");
        List<String> corpus = new ArrayList<>(writes);
        corpus.addAll(List.of(
                "WITH x AS (SELECT 1) INSERT INTO runs SELECT * FROM runs",
                "WITH x AS (SELECT 1) DELETE FROM runs",
                "WITH x AS (SELECT 1) UPDATE runs SET params = 1",
                "SELECT 1; DELETE FROM runs",
                "SELECT 1; COMMIT; DELETE FROM runs",
                "SELECT ';'; DELETE FROM runs",
                "SELECT 1 -- comment\n; DELETE FROM runs",
                "SELECT 1 /* ; */; COPY runs TO '" + l + "/c.csv'",
                "/* SELECT */ DELETE FROM runs",
                "-- SELECT\nDELETE FROM runs",
                "(DELETE FROM runs)",
                "SELECT 1; SELECT 2",
                "SELECT * FROM query('COPY runs TO ''" + l + "/q.csv''')",
                "SELECT * FROM query('DELETE FROM runs')"));
        return corpus;
    }

    /** Reading statements that reach other files. */
    static List<String> fileReadingStatements() {
        String secret = dir.resolve("secret.csv").toString();
        return List.of(
                "SELECT * FROM read_csv('" + secret + "')",
                "SELECT * FROM read_csv_auto('" + secret + "')",
                "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT * FROM read_text('" + secret + "')",
                "SELECT * FROM read_blob('" + secret + "')",
                "SELECT * FROM read_json('" + secret + "')",
                "SELECT * FROM read_parquet('" + secret + "')",
                "SELECT * FROM sniff_csv('" + secret + "')",
                "SELECT * FROM glob('" + dir + "/*')",
                "SELECT * FROM '" + secret + "'",
                "FROM '" + secret + "'",
                "SELECT * FROM parquet_metadata('" + secret + "')");
    }

    /** Each writing statement wrapped in EXPLAIN ANALYZE (which executes it) and EXPLAIN. */
    static List<String> explained(List<String> statements) {
        List<String> out = new ArrayList<>();
        for (String w : statements) {
            out.add("EXPLAIN ANALYZE " + w);
            out.add("EXPLAIN " + w);
        }
        return out;
    }

    private static byte[] storeBytes() throws Exception {
        return Files.readAllBytes(store);
    }

    private static List<Path> labFiles() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * Every statement through the store a reading command opens (fast: one connection), every
     * {@code sqlEvery}-th through {@code runs sql} and every {@code queryEvery}-th through {@code fit power --query}:
     * each refused with exit 2 and one line, the store byte-identical and no file created.
     */
    private static void assertRefused(String what, List<String> statements, int sqlEvery, int queryEvery) throws Exception {
        byte[] before = storeBytes();
        List<Path> files = labFiles();
        try (LabStore s = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            for (String sql : statements) {
                for (String door : List.of("sql", "query")) {
                    ScaleLabException e = assertThrows(ScaleLabException.class,
                            () -> { if (door.equals("sql")) { s.sql(sql); } else { s.query(sql, List.of("params", "loss")); } },
                            what + " through LabStore." + door + ": " + sql);
                    assertEquals(2, e.exitCode(), e.getMessage());
                    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
                }
            }
        }
        assertArrayEquals(before, storeBytes(), what + " changed the store");
        assertEquals(files, labFiles(), what + " created files");
        for (int i = 0; i < statements.size(); i++) {
            String sql = statements.get(i);
            if (i % sqlEvery != 0) {
                continue;
            }
            CliRun r = new CliRun("runs", "sql", "--lab", lab.toString(), "--", sql);
            assertEquals(2, r.code, what + " through runs sql: " + sql + "\n" + r.out + r.err);
            assertFalse(r.out.toString().contains("hunter2") || r.err.toString().contains("hunter2"), sql);
            assertTrue(r.err.toString().startsWith("scalelab: error: ") && r.err.toString().strip().lines().count() == 1, r.err.toString());
            if (i % queryEvery == 0) {
                CliRun fit = new CliRun("fit", "power", "--query=" + sql, "--x", "params", "--bootstrap", "0", "--lab", lab.toString());
                assertEquals(2, fit.code, what + " through fit power --query: " + sql + "\n" + fit.out + fit.err);
            }
            assertArrayEquals(before, storeBytes(), "store changed by: " + sql);
            assertEquals(files, labFiles(), "files created by: " + sql);
        }
    }

    @Test
    void writingStatementsAreRefusedAndTheStoreStaysByteIdentical() throws Exception {
        assertRefused("writing statement", writingStatements(), 2, 6);
    }

    @Test
    void writesInsideExplainAnalyzeAreRefused() throws Exception {
        String attack = "EXPLAIN ANALYZE COPY (SELECT 'x' AS a) TO '" + store + "'";
        CliRun r = new CliRun("runs", "sql", attack, "--lab", lab.toString());
        assertEquals(2, r.code, r.out + "" + r.err);
        assertTrue(r.err.toString().contains("only reading statements are allowed"), r.err.toString());
        assertRefused("EXPLAIN of a writing statement", explained(writingStatements()), 8, 24);
    }

    @Test
    void functionsThatReadOtherFilesAreRefused() throws Exception {
        assertRefused("file-reading function", fileReadingStatements(), 1, 3);
    }

    @Test
    void readingStatementsStillWork() throws Exception {
        for (String sql : List.of("SELECT count(*) FROM points", "FROM points", "DESCRIBE points", "SHOW TABLES", "SUMMARIZE runs",
                "VALUES (1)", "TABLE runs", "WITH x AS (SELECT params FROM points) SELECT count(*) FROM x",
                "SELECT count(*) FROM points; ", "SELECT count(*) FROM points -- with a comment",
                "SELECT * FROM pragma_table_info('runs')")) {
            CliRun r = new CliRun("runs", "sql", sql, "--lab", lab.toString());
            assertEquals(0, r.code, sql + "\n" + r.err);
        }
        CliRun fit = new CliRun("fit", "power", "--query", "SELECT params, loss FROM points -- all", "--x", "params",
                "--bootstrap", "0", "--no-store", "--lab", lab.toString());
        assertEquals(0, fit.code, fit.err.toString());
    }

    @Test
    void aQueryOverItsTimeLimitIsStoppedWithAClearMessage() throws Exception {
        long t0 = System.nanoTime();
        CliRun r = new CliRun("runs", "sql", "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE (a.range * b.range) % 7 = 3",
                "--timeout", "1", "--lab", lab.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code, r.out + "" + r.err);
        assertTrue(r.err.toString().contains("stopped after 1 s, its time limit"), r.err.toString());
        assertTrue(seconds < 15, "stopped after " + seconds + " s");
    }
}
