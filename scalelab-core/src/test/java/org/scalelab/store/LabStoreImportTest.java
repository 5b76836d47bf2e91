package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scalelab.InputException;
import org.scalelab.io.DataInput;
import org.scalelab.io.DuckDbSettings;
import org.scalelab.io.NumericTable;
import org.scalelab.io.SqlText;

class LabStoreImportTest {
    @TempDir
    Path dir;

    private static final Path CHINCHILLA = Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv");

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    /** Writes a Parquet file with DuckDB from a SELECT (the only Parquet writer at hand). */
    private Path parquet(String name, String select) throws SQLException {
        Path p = dir.resolve(name);
        try (Connection c = DuckDbSettings.inMemory(); Statement st = c.createStatement()) {
            st.execute("COPY (" + select + ") TO " + SqlText.literal(p.toString()) + " (FORMAT parquet)");
        }
        return p;
    }

    private static double number(LabStore store, String sql) {
        return ((Number) store.sql(sql).rows().get(0).get(0)).doubleValue();
    }

    @Test
    void openCreatesLabFolderAndVersionedSchemaWithExtensionDownloadsOff() {
        Path lab = dir.resolve("nested").resolve("lab");
        try (LabStore store = LabStore.open(lab)) {
            assertTrue(Files.isRegularFile(lab.resolve("scalelab.duckdb")));
            assertEquals(Integer.toString(StoreSchema.VERSION), store.sql("SELECT value FROM meta WHERE key = 'schema_version'").rows().get(0).get(0));
            assertEquals(List.of("false", "false"), store.sql("SELECT current_setting('autoinstall_known_extensions')::VARCHAR, "
                    + "current_setting('autoload_known_extensions')::VARCHAR").rows().get(0));
        }
        try (LabStore again = LabStore.open(lab)) {
            assertEquals(0, again.runCount());
        }
    }

    @Test
    void importDerivesTokensFromComputeAsSixNDAndExposesPointsView() {
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary s = store.importRuns(CHINCHILLA, ImportOptions.defaults());
            assertEquals(245, s.rows());
            assertEquals(1, s.importId());
            assertEquals(Map.of("params", "params", "compute", "compute", "loss", "loss"), s.columns());
            assertEquals(List.of("tokens = compute / (6 * params)"), s.derived());
            assertEquals(64, s.sha256().length());
            assertEquals(245, store.runCount());
            // The data README defines tokens = compute / (6·params) (Hoffmann et al. 2022); check every row against it.
            assertEquals(0.0, number(store, "SELECT max(abs(tokens * 6 * params / compute - 1)) FROM points"), 1e-12);
            // First data row of the file, read back through the view a fit would use.
            QueryResult first = store.sql("SELECT params, compute, loss FROM points ORDER BY run_id LIMIT 1");
            assertEquals(6795600349.289497, ((Number) first.rows().get(0).get(0)).doubleValue());
            assertEquals(9.993852799709755e+18, ((Number) first.rows().get(0).get(1)).doubleValue());
            assertEquals(5.005581996196243, ((Number) first.rows().get(0).get(2)).doubleValue());
            NumericTable t = store.query("SELECT params, tokens, loss FROM points", List.of("params", "tokens", "loss"));
            assertEquals(245, t.rows());
            assertEquals(DataInput.readFile(CHINCHILLA, List.of("loss")).column("loss")[244], t.column("loss")[244]);
        }
    }

    @Test
    void importMapsColumnsMetricsModelAndFamilyAndComputesSixNDWhenComputeIsAbsent() throws IOException {
        Path f = write("runs.csv", "name,fam,n_params,n_tokens,final_loss,acc\n"
                + "tiny,gpt,1e6,2e7,4.5,0.1\n"
                + "small,gpt,1e7,2e8,3.5,0.2\n"
                + ",llama,1e8,2e9,2.5,0.3\n");
        ImportOptions o = ImportOptions.defaults().withParamsCol("n_params").withTokensCol("n_tokens")
                .withMetric("loss", "final_loss").withMetric("accuracy", "acc").withModelCol("name").withFamilyCol("fam");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary s = store.importRuns(f, o);
            assertEquals(3, s.rows());
            assertEquals(List.of("compute = 6 * params * tokens"), s.derived());
            List<RunRow> runs = store.listRuns(10);
            assertEquals(3, runs.size());
            RunRow r = runs.get(1);
            assertEquals("small", r.model());
            assertEquals("gpt", r.family());
            assertEquals(6 * 1e7 * 2e8, r.compute(), 1e-3);
            assertEquals(Map.of("loss", 3.5, "accuracy", 0.2), r.metrics());
            assertNull(runs.get(2).model(), "an empty model cell is stored as NULL");
            assertEquals(List.of("params", "tokens", "model", "family", "loss", "accuracy"), List.copyOf(s.columns().keySet()));
            QueryResult cols = store.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'points' ORDER BY ordinal_position");
            assertEquals(List.of("run_id", "import_id", "model", "family", "params", "tokens", "compute", "step", "accuracy", "loss"),
                    cols.rows().stream().map(row -> row.get(0)).toList());
            String options = (String) store.sql("SELECT options_json FROM imports").rows().get(0).get(0);
            assertTrue(options.contains("\"params_col\":\"n_params\""), options);
        }
    }

    @Test
    void importReadsJsonlAndParquetAndDerivesParamsFromComputeAndTokens() throws Exception {
        Path jsonl = write("runs.jsonl", "{\"model\": \"a\", \"tokens\": 1e9, \"compute\": 6e18, \"loss\": 3.1}\n"
                + "{\"model\": \"b\", \"tokens\": 2e9, \"compute\": 2.4e19, \"loss\": 2.9}\n");
        Path pq = parquet("runs.parquet", "SELECT 'm' || i AS model, 1e6 * i AS params, 1e8 * i AS tokens, 3.0 / i AS loss FROM range(1, 6) t(i)");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary j = store.importRuns(jsonl, ImportOptions.defaults());
            assertEquals(List.of("params = compute / (6 * tokens)"), j.derived());
            assertEquals(1e9, number(store, "SELECT params FROM points WHERE model = 'a'"), 1e-3);
            assertEquals(2e9, number(store, "SELECT params FROM points WHERE model = 'b'"), 1e-3);
            ImportSummary p = store.importRuns(pq, ImportOptions.defaults());
            assertEquals(2, p.importId());
            assertEquals(5, p.rows());
            assertEquals(7, store.runCount());
            assertEquals(6 * 3e6 * 3e8, number(store, "SELECT compute FROM points WHERE model = 'm3'"), 1e6);
            assertEquals(1.0, number(store, "SELECT loss FROM points WHERE model = 'm3'"), 1e-12);
            assertEquals(1.0, number(store, "SELECT source_row FROM runs WHERE model = 'm1'"));
            assertEquals(3.0, number(store, "SELECT run_id FROM runs WHERE model = 'm1'"), "run ids continue after the first import");
        }
    }

    @Test
    void reimportingTheSameFileIsRefusedUntilItsImportIsDeleted() {
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            store.importRuns(CHINCHILLA, ImportOptions.defaults());
            InputException e = assertThrows(InputException.class, () -> store.importRuns(CHINCHILLA, ImportOptions.defaults()));
            assertTrue(e.getMessage().contains("already imported as import 1"), e.getMessage());
            assertEquals(245, store.runCount());
            store.deleteImport(1);
            assertEquals(0, store.runCount());
            assertEquals(0.0, number(store, "SELECT count(*) FROM metrics"));
            assertEquals(2, store.importRuns(CHINCHILLA, ImportOptions.defaults()).importId());
        }
    }

    /** One bad input: file name and content, options, and fragments the single-line message must contain. */
    record Bad(String what, String file, String content, ImportOptions options, List<String> expected) {
        @Override
        public String toString() {
            return what;
        }
    }

    static final String HEADER = "model,params,tokens,loss\n";
    static final String ROW1 = "a,1e6,2e7,4.5\n";
    static final String ROW2 = "b,1e7,2e8,3.5\n";

    static Stream<Arguments> badInputs() {
        ImportOptions d = ImportOptions.defaults();
        return Stream.of(
                new Bad("missing mapped column", "runs.csv", HEADER + ROW1, d.withParamsCol("n_params"),
                        List.of("runs.csv", "no column 'n_params'", "columns: model, params, tokens, loss", "--params-col")),
                new Bad("missing metric column", "runs.csv", HEADER + ROW1, d.withMetric("acc", "accuracy"),
                        List.of("runs.csv", "no column 'accuracy'", "--metric acc=COLUMN")),
                new Bad("tokens without params or compute", "runs.csv", "tokens,loss\n1e6,3\n", d,
                        List.of("runs.csv", "need params, or tokens and compute", "found tokens only", "--params-col")),
                new Bad("none of params/tokens/compute", "runs.csv", "n,loss\n1e6,3\n", d,
                        List.of("runs.csv", "need params, or tokens and compute", "found none of them", "columns n, loss")),
                new Bad("non-numeric", "runs.csv", HEADER + ROW1 + ROW2 + "c,abc,2e9,2.5\n", d,
                        List.of("runs.csv", "row 3 (line 4)", "column 'params'", "'abc' is not a number")),
                new Bad("negative", "runs.csv", HEADER + ROW1 + "b,1e7,-5,3.5\n", d,
                        List.of("runs.csv", "row 2 (line 3)", "column 'tokens'", "value -5 must be > 0")),
                new Bad("zero compute", "runs.csv", "params,compute,loss\n1e6,1e18,3\n2e6,0,2\n", d,
                        List.of("runs.csv", "row 2", "column 'compute'", "value 0 must be > 0")),
                new Bad("NaN metric", "runs.csv", HEADER + ROW1 + ROW2 + "c,1e8,2e9,nan\n", d,
                        List.of("runs.csv", "row 3", "column 'loss'", "'nan' is not finite")),
                new Bad("infinite params", "runs.csv", HEADER + "a,inf,2e7,4.5\n", d,
                        List.of("runs.csv", "row 1", "column 'params'", "'inf' is not finite")),
                new Bad("overflowing number", "runs.csv", HEADER + ROW1 + "b,1e400,2e8,3.5\n", d,
                        List.of("row 2", "column 'params'", "'1e400' is not finite")),
                new Bad("empty cell", "runs.csv", HEADER + ROW1 + "b,,2e8,3.5\n", d,
                        List.of("runs.csv", "row 2", "column 'params'", "empty value")),
                new Bad("earliest bad row wins over column order", "runs.csv", HEADER + ROW1 + "b,1e7,2e8,x\n" + "c,y,2e9,2.5\n", d,
                        List.of("row 2", "column 'loss'", "'x'")),
                new Bad("duplicate rows", "runs.csv", HEADER + ROW1 + ROW2 + "c,1e8,2e9,2.5\n" + "b,1e7,2.0e8,3.50\n", d,
                        List.of("runs.csv", "row 2 (line 3) and row 4 (line 5) are duplicates", "model, params, tokens, metrics")),
                new Bad("empty file", "runs.csv", "", d, List.of("runs.csv", "empty file")),
                new Bad("header only", "runs.csv", HEADER, d, List.of("runs.csv", "no data rows")),
                new Bad("fewer rows than needed", "runs.csv", HEADER + ROW1 + ROW2, d.withMinRows(5),
                        List.of("runs.csv", "2 data rows, need at least 5")),
                new Bad("ragged row", "runs.csv", HEADER + ROW1 + "b,1e7,2e8\n" + "c,1e8,2e9,2.5\n", d,
                        List.of("runs.csv", "malformed CSV at line 3 (data row 2)", "3 fields but the header has 4")),
                new Bad("10 MB line", "runs.csv", HEADER + ROW1 + "b," + "1".repeat(10 << 20) + ",2e8,3.5\n", d,
                        List.of("runs.csv", "line 3 is 10,485,7", "bytes, longer than the CSV reader's limit of 2,000,000 bytes per line")),
                new Bad("2 MB value", "runs.csv", HEADER + ROW1 + "b," + "9".repeat(1 << 20) + "x,2e8,3.5\n", d,
                        List.of("runs.csv", "row 2 (line 3)", "column 'params'", "'" + "9".repeat(60) + "…' is not a number")),
                new Bad("long column name", "runs.csv", "model,params,tokens," + "l".repeat(100_000) + "\n" + ROW1, d.withMetric("acc", "accuracy"),
                        List.of("runs.csv", "no column 'accuracy'", "l".repeat(60) + "…")),
                new Bad("extra field", "runs.csv", HEADER + ROW1 + "b,1e7,2e8,3.5,9\n", d,
                        List.of("runs.csv", "line 3", "5 fields but the header has 4")),
                new Bad("unknown extension", "runs.txt", HEADER + ROW1, d, List.of("runs.txt", "unknown format")),
                new Bad("bad metric name", "runs.csv", HEADER + ROW1, d.withMetric("Loss", "loss"),
                        List.of("--metric Loss=loss", "lower-case")),
                new Bad("metric named like a run column", "runs.csv", HEADER + ROW1, d.withMetric("params", "loss"),
                        List.of("--metric params=loss")),
                new Bad("JSONL non-numeric", "runs.jsonl", "{\"params\": 1e6, \"tokens\": 2e7, \"loss\": 3}\n"
                        + "{\"params\": 2e6, \"tokens\": \"lots\", \"loss\": 2}\n", d,
                        List.of("runs.jsonl", "row 2", "column 'tokens'", "'lots' is not a number")),
                new Bad("JSONL missing field", "runs.jsonl", "{\"params\": 1e6, \"tokens\": 2e7, \"loss\": 3}\n"
                        + "{\"params\": 2e6, \"loss\": 2}\n", d,
                        List.of("runs.jsonl", "row 2", "column 'tokens'", "empty value")),
                new Bad("malformed JSONL", "runs.jsonl", "{\"params\": 1e6, \"tokens\": 2e7\n", d,
                        List.of("runs.jsonl: line 1, column 30: not valid JSON"))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badImportFailsWithOneLineNamingFileRowColumnValueAndLeavesStoreUnchanged(Bad bad) throws IOException {
        Path f = write(bad.file(), bad.content());
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            store.importRuns(CHINCHILLA, ImportOptions.defaults());
            List<List<Object>> before = snapshot(store);
            InputException e = assertThrows(InputException.class, () -> store.importRuns(f, bad.options()));
            assertEquals(2, e.exitCode());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().length() < 500, "a short line, whatever the input: " + e.getMessage().length() + " characters");
            for (String fragment : bad.expected()) {
                assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
            }
            assertEquals(before, snapshot(store), "store changed by a failed import");
            assertEquals(0.0, number(store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'import_staged'"));
        }
    }

    @Test
    void parquetNaNAndMissingFileAreReportedAndStoreUnchanged() throws Exception {
        Path pq = parquet("runs.parquet", "SELECT 1e6 * i AS params, 1e8 * i AS tokens, CASE WHEN i = 4 THEN 'NaN'::DOUBLE ELSE 3.0 / i END AS loss "
                + "FROM range(1, 6) t(i)");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            List<List<Object>> before = snapshot(store);
            InputException e = assertThrows(InputException.class, () -> store.importRuns(pq, ImportOptions.defaults()));
            assertTrue(e.getMessage().contains("runs.parquet: row 4, column 'loss': value 'nan' is not finite"), e.getMessage());
            InputException missing = assertThrows(InputException.class, () -> store.importRuns(dir.resolve("nope.csv"), null));
            assertTrue(missing.getMessage().endsWith("nope.csv: no such file"), missing.getMessage());
            assertEquals(before, snapshot(store));
        }
    }

    /** Row counts of every table plus the columns of view points: what a failed import must not change. */
    private static List<List<Object>> snapshot(LabStore store) {
        List<List<Object>> s = new java.util.ArrayList<>(store.sql("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM metrics), "
                + "(SELECT count(*) FROM imports), (SELECT count(*) FROM results), (SELECT sum(params) FROM runs)").rows());
        s.addAll(store.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'points' ORDER BY ordinal_position").rows());
        return s;
    }
}
