package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.Provenance;

class RecordImportTest {
    @TempDir
    Path dir;

    private static Map<String, Double> map(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1] == null ? null : ((Number) kv[i + 1]).doubleValue());
        }
        return m;
    }

    private static String sha(String text) {
        return Provenance.sha256(text);
    }

    private static Object one(LabStore store, String sql) {
        return store.sql(sql).rows().get(0).get(0);
    }

    @Test
    void recordWithParamsAloneKeepsMetricsWithSlashesAndTheirStandardErrors() {
        RunRecord r = new RunRecord("EleutherAI/pythia-1.4b", "pythia", 1.4e9, null, null, 143000L,
                map("arc_easy/acc", 0.617, "arc_easy/acc_norm", 0.539, "lambada_openai/perplexity", 6.1),
                map("arc_easy/acc", 0.00998, "arc_easy/acc_norm", 0.0102));
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary s = store.importRecords("/results/pythia.json", sha("pythia"), List.of(r), "{\"format\":\"lm-eval\"}");
            assertEquals(1, s.rows());
            assertEquals(List.of(), s.derived());
            assertEquals(1, store.runCount());
            RunRow row = store.listRuns(10).get(0);
            assertEquals(1.4e9, row.params());
            assertNull(row.tokens());
            assertNull(row.compute());
            assertEquals(143000L, row.step());
            assertEquals(0.617, row.metrics().get("arc_easy/acc"));
            assertEquals(0.00998, row.stderr().get("arc_easy/acc"));
            assertNull(row.stderr().get("lambada_openai/perplexity"));
            // The view: one column per metric, a _stderr column beside each metric that has one; names quoted.
            List<Object> v = store.sql("SELECT tokens, compute, step, \"arc_easy/acc\", \"arc_easy/acc_stderr\", "
                    + "\"lambada_openai/perplexity\" FROM points").rows().get(0);
            assertNull(v.get(0));
            assertNull(v.get(1));
            assertEquals(143000L, ((Number) v.get(2)).longValue());
            assertEquals(0.617, ((Number) v.get(3)).doubleValue());
            assertEquals(0.00998, ((Number) v.get(4)).doubleValue());
            assertEquals(6.1, ((Number) v.get(5)).doubleValue());
            List<Object> cols = store.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'points' "
                    + "AND column_name LIKE 'lambada%'").rows().stream().map(x -> x.get(0)).toList();
            assertEquals(List.of("lambada_openai/perplexity"), cols, "no stderr column for a metric without one");
            assertEquals("{\"format\":\"lm-eval\"}", one(store, "SELECT options_json FROM imports"));
            assertEquals("/results/pythia.json", one(store, "SELECT source FROM imports"));
        }
    }

    @Test
    void anyTwoOfParamsTokensComputeGiveTheThird() {
        RunRecord withTokens = new RunRecord("a", null, 1e8, 2e9, null, null, map("x/acc", 0.5), null);
        RunRecord withCompute = new RunRecord("b", null, null, 1e9, 6e18, null, map("x/acc", 0.6), null);
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            ImportSummary s = store.importRecords("runs", sha("runs"), List.of(withTokens, withCompute), null);
            assertEquals(List.of("compute = 6 * params * tokens", "params = compute / (6 * tokens)"), s.derived());
            assertEquals(6 * 1e8 * 2e9, ((Number) one(store, "SELECT compute FROM points WHERE model = 'a'")).doubleValue(), 1e3);
            assertEquals(1e9, ((Number) one(store, "SELECT params FROM points WHERE model = 'b'")).doubleValue(), 1e-3);
            assertEquals("{}", one(store, "SELECT options_json FROM imports"));
        }
    }

    @Test
    void sameSourceTwiceIsRefusedAndNothingIsWritten() {
        RunRecord r = new RunRecord("m", null, 7e9, null, null, null, map("hellaswag/acc", 0.57), null);
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            store.importRecords("a.json", sha("a"), List.of(r), null);
            InputException e = assertThrows(InputException.class, () -> store.importRecords("again.json", sha("a"), List.of(r), null));
            assertTrue(e.getMessage().startsWith("again.json: this file (sha256 "), e.getMessage());
            assertTrue(e.getMessage().contains("already imported as import 1"), e.getMessage());
            InputException twice = assertThrows(InputException.class, () -> store.importRecords(List.of(
                    new RecordImport("b.json", sha("b"), List.of(r), null), new RecordImport("b2.json", sha("b"), List.of(r), null))));
            assertTrue(twice.getMessage().startsWith("b2.json: the same content"), twice.getMessage());
            assertEquals(1, store.runCount());
            assertEquals(1L, ((Number) one(store, "SELECT count(*) FROM imports")).longValue());
        }
    }

    @Test
    void aBadRecordInAnySourceImportsNothing() {
        RunRecord good = new RunRecord("good", null, 1e9, null, null, null, map("t/acc", 0.5), map("t/acc", 0.01));
        List<RunRecord> bads = List.of(
                new RunRecord("nan", null, 1e9, null, null, null, map("t/acc", Double.NaN), null),
                new RunRecord("nosize", null, null, 1e9, null, null, map("t/acc", 0.5), null),
                new RunRecord("negative", null, -1.0, null, null, null, map("t/acc", 0.5), null),
                new RunRecord("reserved", null, 1e9, null, null, null, map("Tokens", 0.5), null),
                new RunRecord("case", null, 1e9, null, null, null, map("T/ACC", 0.5), null),
                new RunRecord("orphan", null, 1e9, null, null, null, map("t/acc", 0.5), map("t/f1", 0.1)),
                new RunRecord("badse", null, 1e9, null, null, null, map("t/acc", 0.5), map("t/acc", -0.1)),
                new RunRecord("hides", null, 1e9, null, null, null, map("t/acc", 0.5, "t/acc_stderr", 0.1), map("t/acc", 0.1)),
                new RunRecord("nometric", null, 1e9, null, null, null, map(), null));
        List<String> expected = List.of(
                "bad.json: run 2 (nan): metric 't/acc' = NaN is not a finite number",
                "bad.json: run 2 (nosize): no params",
                "bad.json: run 2 (negative): params = -1.0 is not a finite number > 0",
                "bad.json: run 2 (reserved): metric name 'Tokens' is a column of view points",
                "bad.json: run 2 (case): metric name 'T/ACC' differs from metric 't/acc' only by case",
                "bad.json: run 2 (orphan): standard error of 't/f1' has no metric of that name",
                "bad.json: run 2 (badse): standard error of 't/acc' = -0.1 is not a finite number >= 0",
                "bad.json: run 2 (hides): metric 't/acc_stderr' would hide the standard error of 't/acc'",
                "bad.json: run 2 (nometric): no metrics");
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            for (int i = 0; i < bads.size(); i++) {
                List<RecordImport> sources = List.of(new RecordImport("good.json", sha("good"), List.of(good), null),
                        new RecordImport("bad.json", sha("bad"), List.of(good, bads.get(i)), null));
                InputException e = assertThrows(InputException.class, () -> store.importRecords(sources));
                assertTrue(e.getMessage().startsWith(expected.get(i)), e.getMessage());
                assertEquals(0, store.runCount());
                assertEquals(0L, ((Number) one(store, "SELECT count(*) FROM imports")).longValue());
            }
            // The good source alone imports, so the refusals above were about the bad records.
            store.importRecords(List.of(new RecordImport("good.json", sha("good"), List.of(good), null)));
            assertEquals(1, store.runCount());
        }
    }

    /** A lab as the previous schema (version 1) wrote it: tokens and compute NOT NULL, no step, no stderr. */
    private static void writeVersionOneLab(Path lab) throws Exception {
        java.nio.file.Files.createDirectories(lab);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath());
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE meta(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
            st.execute("CREATE TABLE imports(import_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
                    + "rows BIGINT NOT NULL, options_json VARCHAR NOT NULL, imported_at VARCHAR NOT NULL)");
            st.execute("CREATE TABLE runs(run_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_row BIGINT NOT NULL, "
                    + "model VARCHAR, family VARCHAR, params DOUBLE NOT NULL, tokens DOUBLE NOT NULL, compute DOUBLE NOT NULL)");
            st.execute("CREATE TABLE metrics(run_id BIGINT NOT NULL, name VARCHAR NOT NULL, value DOUBLE NOT NULL)");
            st.execute("CREATE TABLE results(result_id BIGINT PRIMARY KEY, analysis VARCHAR NOT NULL, created_at VARCHAR NOT NULL, "
                    + "version VARCHAR NOT NULL, inputs_json VARCHAR NOT NULL, options_json VARCHAR NOT NULL, seed BIGINT, "
                    + "result_json VARCHAR NOT NULL)");
            st.execute("INSERT INTO imports VALUES (1, '/old/runs.csv', '" + sha("old") + "', 2, '{}', '2026-01-01T00:00:00Z')");
            st.execute("INSERT INTO runs VALUES (1, 1, 1, 'old-a', 'f', 1e8, 2e9, 1.2e18), (2, 1, 2, 'old-b', 'f', 2e8, 4e9, 4.8e18)");
            st.execute("INSERT INTO metrics VALUES (1, 'loss', 3.25), (2, 'loss', 3.0), (1, 'step', 100)");
            st.execute("INSERT INTO results VALUES (1, 'fit power', '2026-01-01', '0.1', '{}', '{}', NULL, '{\"a\":1}')");
            st.execute("CREATE VIEW points AS SELECT r.run_id, r.import_id, r.model, r.family, r.params, r.tokens, r.compute, m.loss, m.step "
                    + "FROM runs r LEFT JOIN (SELECT run_id, max(value) FILTER (WHERE name = 'loss') AS loss, "
                    + "max(value) FILTER (WHERE name = 'step') AS step FROM metrics GROUP BY run_id) m ON m.run_id = r.run_id ORDER BY r.run_id");
            st.execute("INSERT INTO meta VALUES ('schema_version', '1')");
        }
    }

    @Test
    void aLabOfThePreviousSchemaIsMigratedKeepingEveryRowAndThenTakesRunsWithoutTokens() throws Exception {
        Path lab = dir.resolve("old");
        writeVersionOneLab(lab);
        try (LabStore store = LabStore.open(lab)) {
            assertEquals("2", one(store, "SELECT value FROM meta WHERE key = 'schema_version'"));
            assertEquals(List.of(List.of("old-a", 1e8, 2e9, 1.2e18, 3.25, 100.0), List.of("old-b", 2e8, 4e9, 4.8e18, 3.0)),
                    store.sql("SELECT model, params, tokens, compute, loss, step FROM points ORDER BY run_id").rows().stream()
                            .map(row -> row.stream().filter(x -> x != null).toList()).toList(),
                    "old rows keep their values; the legacy metric 'step' keeps its column");
            assertEquals(1L, ((Number) one(store, "SELECT count(*) FROM results")).longValue());
            store.importRecords("new.json", sha("new"), List.of(new RunRecord("new", null, 4e8, null, null, null, map("arc/acc", 0.4),
                    map("arc/acc", 0.02))), null);
            assertEquals(3, store.runCount());
            assertEquals(0.02, ((Number) one(store, "SELECT \"arc/acc_stderr\" FROM points WHERE model = 'new'")).doubleValue());
            assertEquals(2L, ((Number) one(store, "SELECT import_id FROM runs WHERE model = 'new'")).longValue());
        }
    }

    @Test
    void aMigrationThatFailsHalfwayLeavesTheOldLabAsItWas() throws Exception {
        Path lab = dir.resolve("old");
        writeVersionOneLab(lab);
        // A column the migration adds already exists: its third step fails after two have run.
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath());
             Statement st = c.createStatement()) {
            st.execute("ALTER TABLE runs ADD COLUMN step BIGINT");
        }
        org.scalelab.ScaleLabException e = assertThrows(org.scalelab.ScaleLabException.class, () -> LabStore.open(lab).close());
        assertTrue(e.getMessage().contains("cannot prepare the lab store"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath());
             Statement st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
                rs.next();
                assertEquals("1", rs.getString(1));
            }
            try (var rs = st.executeQuery("SELECT count(*), sum(tokens), sum(compute) FROM runs")) {
                rs.next();
                assertEquals(2, rs.getLong(1));
                assertEquals(6e9, rs.getDouble(2));
                assertEquals(6e18, rs.getDouble(3));
            }
            try (var rs = st.executeQuery("SELECT count(*) FROM metrics")) {
                rs.next();
                assertEquals(3, rs.getLong(1));
            }
            assertThrows(java.sql.SQLException.class, () -> st.execute("INSERT INTO runs VALUES (3, 1, 3, 'x', 'f', 1e8, NULL, 1e18, NULL)"),
                    "tokens is still NOT NULL: the first steps of the failed migration were rolled back");
        }
    }

    @Test
    void readingAnOldLabReadsAMigratedCopyAndLeavesTheLabUntouched() throws Exception {
        Path lab = dir.resolve("old");
        writeVersionOneLab(lab);
        byte[] before = java.nio.file.Files.readAllBytes(lab.resolve(LabStore.FILE_NAME));
        List<String> notices = new java.util.ArrayList<>();
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(java.time.Duration.ZERO, notices::add))) {
            List<RunRow> runs = store.listRuns(10);
            assertEquals(2, runs.size());
            assertNull(runs.get(0).step());
            assertEquals(2e9, runs.get(0).tokens());
            assertEquals("2", one(store, "SELECT value FROM meta WHERE key = 'schema_version'"));
        }
        assertTrue(java.util.Arrays.equals(before, java.nio.file.Files.readAllBytes(lab.resolve(LabStore.FILE_NAME))),
                "a read-only open must not change the lab's store");
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(lab)) {
            assertEquals(List.of(LabStore.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("older ScaleLab"), notices.get(0));
        // A writing command migrates the lab itself.
        try (LabStore store = LabStore.open(lab)) {
            assertEquals("2", one(store, "SELECT value FROM meta WHERE key = 'schema_version'"));
        }
    }

    @Test
    void readingALabWithoutAStoreCreatesNothing() throws Exception {
        Path lab = dir.resolve("empty");
        java.nio.file.Files.createDirectories(lab);
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            assertEquals(0, store.listRuns(10).size());
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(lab)) {
            assertEquals(List.of(), files.toList());
        }
    }
}
