package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.FitStatus;

class LabStoreQueryTest {
    @TempDir
    Path dir;

    private LabStore storeWithRuns() throws IOException {
        Path f = dir.resolve("runs.csv");
        Files.writeString(f, "model,params,tokens,loss\na,1e6,2e7,4.5\nb,1e7,2e8,3.5\nc,1e8,2e9,2.5\n");
        LabStore store = LabStore.open(dir.resolve("lab"));
        store.importRuns(f, ImportOptions.defaults());
        return store;
    }

    @Test
    void sqlReturnsColumnNamesAndRowsAndSaysWhenItTruncated() throws IOException {
        try (LabStore store = storeWithRuns()) {
            QueryResult r = store.sql("SELECT model, params, loss FROM points ORDER BY params DESC;");
            assertEquals(List.of("model", "params", "loss"), r.columns());
            assertEquals(List.of("c", 1e8, 2.5), r.rows().get(0));
            assertEquals(false, r.truncated());
            QueryResult two = store.sql("SELECT * FROM range(10)", 2);
            assertEquals(2, two.rows().size());
            assertTrue(two.truncated());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "DELETE FROM runs",
        "INSERT INTO runs SELECT * FROM runs",
        "DROP TABLE runs",
        "UPDATE runs SET params = 1",
        "SELECT 1; DELETE FROM runs",
        "SELECT 1; COMMIT; DELETE FROM runs",
        "SELECT ';'; DELETE FROM runs",
        "ATTACH 'x.duckdb'",
        "COPY runs TO 'x.csv'",
        "SET memory_limit = '1MB'",
        "PRAGMA memory_limit = '1MB'",
        "INSTALL httpfs",
    })
    void sqlRefusesAnythingButOneReadingStatementAndLeavesStoreUnchanged(String statement) throws IOException {
        try (LabStore store = storeWithRuns()) {
            InputException e = assertThrows(InputException.class, () -> store.sql(statement));
            assertTrue(e.getMessage().contains("allowed"), e.getMessage());
            assertEquals(3, store.runCount());
        }
    }

    @Test
    void writesSmuggledIntoAReadingKeywordAreRefusedOnTheirParse() throws IOException {
        try (LabStore store = storeWithRuns()) {
            // EXPLAIN ANALYZE executes its statement, and a CTE may lead a DELETE: both parse as other
            // statement types than SELECT.
            for (String s : List.of("EXPLAIN ANALYZE DELETE FROM runs", "WITH x AS (SELECT 1) DELETE FROM runs",
                    "/* SELECT */ DELETE FROM runs", "(DELETE FROM runs)")) {
                InputException e = assertThrows(InputException.class, () -> store.sql(s), s);
                assertTrue(e.getMessage().contains("allowed") || e.getMessage().contains("not valid SQL"), e.getMessage());
            }
            assertEquals(3, store.runCount());
            assertEquals(List.of("runs"), store.sql("SHOW TABLES").rows().stream().map(r -> r.get(0))
                    .filter("runs"::equals).toList());
            assertEquals(3L, ((Number) store.sql("SELECT count(*) FROM points -- trailing comment").rows().get(0).get(0)).longValue());
        }
    }

    @Test
    void badSqlIsAnInputErrorNamingTheQuery() throws IOException {
        try (LabStore store = storeWithRuns()) {
            InputException e = assertThrows(InputException.class, () -> store.sql("SELECT nope FROM points"));
            assertTrue(e.getMessage().startsWith("query \"SELECT nope FROM points\" failed: "), e.getMessage());
            assertEquals(3, store.runCount(), "the connection still works after a failed query");
        }
    }

    @Test
    void queryReadsNumericColumnsInQueryOrderWithAHashOverTextAndRows() throws IOException {
        try (LabStore store = storeWithRuns()) {
            NumericTable t = store.query("SELECT params, tokens, loss FROM points ORDER BY params DESC", List.of("params", "loss"));
            assertEquals(3, t.rows());
            assertEquals(List.of("params", "loss"), t.columns());
            assertEquals(1e8, t.column("params")[0]);
            assertEquals(4.5, t.column("loss")[2]);
            NumericTable same = store.query("SELECT params, tokens, loss FROM points ORDER BY params DESC", List.of("params", "loss"));
            assertEquals(t.sha256(), same.sha256());
            NumericTable asc = store.query("SELECT params, tokens, loss FROM points ORDER BY params", List.of("params", "loss"));
            assertNotEquals(t.sha256(), asc.sha256(), "a different query or row order is a different input");
            assertEquals(t.sha256(), LabStore.contentHash("SELECT params, tokens, loss FROM points ORDER BY params DESC", t));
            assertTrue(t.provenanceInput().source().contains("SELECT params"));
        }
    }

    @Test
    void queryReportsMissingColumnsAndBadValuesByResultRow() throws IOException {
        try (LabStore store = storeWithRuns()) {
            InputException missing = assertThrows(InputException.class, () -> store.query("SELECT params FROM points", List.of("params", "loss")));
            assertTrue(missing.getMessage().contains("no column 'loss' (columns: params)"), missing.getMessage());
            InputException nan = assertThrows(InputException.class, () -> store.query(
                    "SELECT params, CASE WHEN model = 'b' THEN 'NaN'::DOUBLE ELSE loss END AS loss FROM points ORDER BY run_id",
                    List.of("params", "loss")));
            assertTrue(nan.getMessage().contains(": row 2, column 'loss': value 'nan' is not finite"), nan.getMessage());
            InputException empty = assertThrows(InputException.class, () -> store.query("SELECT params FROM points WHERE params < 0",
                    List.of("params")));
            assertTrue(empty.getMessage().endsWith("no data rows"), empty.getMessage());
            InputException write = assertThrows(InputException.class, () -> store.query("DELETE FROM runs", List.of("params")));
            assertTrue(write.getMessage().contains("only reading statements"), write.getMessage());
        }
    }

    /** A stand-in for an analysis result record. */
    record DemoFit(double alphaHat, FitStatus status, Map<String, Double> params) {}

    @Test
    void resultsAreStoredWithProvenanceAndReadBack() throws IOException {
        try (LabStore store = storeWithRuns()) {
            NumericTable t = store.query("SELECT params, loss FROM points", List.of("params", "loss"));
            Provenance prov = Provenance.of("demo-fit", List.of(t.provenanceInput()), Map.of("bootstrap", 100), 42L);
            long id = store.saveResult("demo-fit", new DemoFit(0.34, FitStatus.CONVERGED, Map.of("E", 1.69)), prov);
            long second = store.saveResult("demo-fit", new DemoFit(0.28, FitStatus.CONVERGED, Map.of()),
                    Provenance.of("demo-fit", List.of(), Map.of(), null));
            assertEquals(1, id);
            assertEquals(2, second);
            List<ResultSummary> list = store.listResults();
            assertEquals(2, list.size());
            assertEquals(new ResultSummary(1, "demo-fit", prov.createdAt(), prov.version(), 42L), list.get(0));
            assertEquals(null, list.get(1).seed());
            StoredResult r = store.loadResult(1);
            assertEquals(0.34, r.result().get("alpha_hat").asDouble());
            assertEquals(1.69, r.result().get("params").get("E").asDouble());
            assertEquals(t.sha256(), r.inputs().get(0).get("sha256").asText());
            assertEquals(3, r.inputs().get(0).get("rows").asLong());
            assertEquals(100, r.options().get("bootstrap").asInt());
            assertEquals(42L, r.seed());
            InputException e = assertThrows(InputException.class, () -> store.loadResult(99));
            assertTrue(e.getMessage().contains("no result 99"), e.getMessage());
        }
        try (LabStore reopened = LabStore.open(dir.resolve("lab"))) {
            assertEquals(2, reopened.listResults().size(), "results survive closing the lab");
        }
    }

    @Test
    void aSecondProcessCannotOpenALabThatIsInUse() throws Exception {
        try (LabStore store = storeWithRuns()) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), OpenLabMain.class.getName(), dir.resolve("lab").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(LabBusyException.EXIT_CODE, p.waitFor(), out);
            assertTrue(out.contains("the lab is in use by process " + ProcessHandle.current().pid()), out);
        }
    }

    @Test
    void aStoreFileWhoseFirstWriterDiedBeforeTheSchemaIsPreparedWhenReadOnly() throws Exception {
        // What a writer killed between creating the file and writing the schema leaves: a DuckDB file, no tables.
        Path lab = dir.resolve("killed-early");
        Files.createDirectories(lab);
        java.sql.DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath()).close();
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            assertEquals(0, store.runCount());
        }
    }
}
