package org.scalelab.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.scalelab.ScaleLabException;
import org.scalelab.io.SqlText;

/**
 * The lab's tables. {@code meta} holds {@code schema_version}; a lab written by a newer ScaleLab is
 * refused rather than misread.
 *
 * <pre>
 * imports(import_id, source, sha256, rows, options_json, imported_at)
 * runs(run_id, import_id, source_row, model, family, params, tokens, compute)   -- source_row: 1-based data row
 * metrics(run_id, name, value)                                                   -- long format: metric names vary by file
 * results(result_id, analysis, created_at, version, inputs_json, options_json, seed, result_json)
 * view points(run_id, import_id, model, family, params, tokens, compute, &lt;one column per metric&gt;)
 * training_runs(run PRIMARY KEY, experiment, spec_json, status, parameters, step, seconds, updated_at)   -- runs ScaleLab trains itself
 * training_curves(run, step, metric, value, PRIMARY KEY(run, step, metric))                           -- logged during training
 * </pre>
 * The two training tables were added without a version bump: they are created when missing, so
 * older labs gain them on first open and nothing existing changes.
 */
final class StoreSchema {
    static final int VERSION = 1;
    /** Column names of view {@code points} that a metric may not take. */
    static final Set<String> RESERVED = Set.of("run_id", "import_id", "source_row", "model", "family", "params", "tokens", "compute");

    private StoreSchema() {}

    /** Creates the tables on first use; checks the version otherwise. */
    static void ensure(Connection c, String lab) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS meta(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
        }
        String version = null;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            if (rs.next()) {
                version = rs.getString(1);
            }
        }
        if (version != null) {
            int v = Integer.parseInt(version);
            if (v > VERSION) {
                throw new ScaleLabException(lab + ": store schema version " + v + " is newer than this ScaleLab understands ("
                        + VERSION + "); upgrade ScaleLab");
            }
            ensureTrainingTables(c);
            return;
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE imports(import_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
                    + "rows BIGINT NOT NULL, options_json VARCHAR NOT NULL, imported_at VARCHAR NOT NULL)");
            // No primary key on runs/metrics: an ART index over tens of millions of imported rows costs
            // more memory and insert time than the ids (assigned by the importer) need.
            st.execute("CREATE TABLE runs(run_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_row BIGINT NOT NULL, "
                    + "model VARCHAR, family VARCHAR, params DOUBLE NOT NULL, tokens DOUBLE NOT NULL, compute DOUBLE NOT NULL)");
            st.execute("CREATE TABLE metrics(run_id BIGINT NOT NULL, name VARCHAR NOT NULL, value DOUBLE NOT NULL)");
            st.execute("CREATE TABLE results(result_id BIGINT PRIMARY KEY, analysis VARCHAR NOT NULL, created_at VARCHAR NOT NULL, "
                    + "version VARCHAR NOT NULL, inputs_json VARCHAR NOT NULL, options_json VARCHAR NOT NULL, seed BIGINT, "
                    + "result_json VARCHAR NOT NULL)");
            refreshPointsView(c);
            st.execute("INSERT INTO meta VALUES ('schema_version', '" + VERSION + "')");
            c.commit();
            ensureTrainingTables(c);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Checks, without writing, that a store opened read-only is one this version can read: a store
     * written by a newer ScaleLab is refused. (Tables added since, like the training tables, appear
     * the next time a writing command opens the lab.)
     */
    /** Whether the schema has been written (the version row exists); a store file can exist without it. */
    static boolean prepared(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return false;
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM meta WHERE key = 'schema_version'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    static void requireReadable(Connection c, String lab) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT value FROM meta WHERE key = 'schema_version'")) {
            if (rs.next() && Integer.parseInt(rs.getString(1)) > VERSION) {
                throw new ScaleLabException(lab + ": store schema version " + rs.getString(1) + " is newer than this ScaleLab understands ("
                        + VERSION + "); upgrade ScaleLab");
            }
        }
    }

    /**
     * Tables of training runs and their logged curves. The primary key on (run, step, metric) makes
     * logging idempotent: a run resumed from a checkpoint re-logs the steps after it and replaces
     * the killed run's points instead of duplicating them.
     */
    static void ensureTrainingTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS training_runs(run VARCHAR PRIMARY KEY, experiment VARCHAR NOT NULL, "
                    + "spec_json VARCHAR NOT NULL, status VARCHAR NOT NULL, parameters BIGINT, step BIGINT NOT NULL, seconds DOUBLE, "
                    + "updated_at VARCHAR NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS training_curves(run VARCHAR NOT NULL, step BIGINT NOT NULL, metric VARCHAR NOT NULL, "
                    + "value DOUBLE, PRIMARY KEY(run, step, metric))");
        }
    }

    /** Metric names present in the store, sorted. */
    static List<String> metricNames(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DISTINCT name FROM metrics ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * Rebuilds view {@code points}: one row per run, one column per metric name (metric names differ
     * between files, so the view is regenerated after every import). Ordered by run_id so that a fit
     * reading it sees the same rows in the same order, and its input hash is stable.
     */
    static void refreshPointsView(Connection c) throws SQLException {
        List<String> names = metricNames(c);
        StringBuilder sql = new StringBuilder("CREATE OR REPLACE VIEW points AS SELECT r.run_id, r.import_id, r.model, r.family, "
                + "r.params, r.tokens, r.compute");
        if (names.isEmpty()) {
            sql.append(" FROM runs r");
        } else {
            StringBuilder pivot = new StringBuilder("SELECT run_id");
            for (String n : names) {
                sql.append(", m.").append(SqlText.ident(n));
                pivot.append(", max(value) FILTER (WHERE name = ").append(SqlText.literal(n)).append(") AS ").append(SqlText.ident(n));
            }
            pivot.append(" FROM metrics GROUP BY run_id");
            sql.append(" FROM runs r LEFT JOIN (").append(pivot).append(") m ON m.run_id = r.run_id");
        }
        sql.append(" ORDER BY r.run_id");
        try (Statement st = c.createStatement()) {
            st.execute(sql.toString());
        }
    }
}
