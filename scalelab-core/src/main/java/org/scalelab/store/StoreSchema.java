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
 * runs(run_id, import_id, source_row, model, family, params, tokens, compute, step)   -- source_row: 1-based data row or record
 * metrics(run_id, name, value, stderr)                                                -- long format: metric names vary by file
 * results(result_id, analysis, created_at, version, inputs_json, options_json, seed, result_json)
 * view points(run_id, import_id, model, family, params, tokens, compute, step,
 *             &lt;one column per metric&gt;, &lt;metric&gt;_stderr for each metric that has a standard error)
 * training_runs(run PRIMARY KEY, experiment, spec_json, status, parameters, step, seconds, updated_at)   -- runs ScaleLab trains itself
 * training_curves(run, step, metric, value, PRIMARY KEY(run, step, metric))                           -- logged during training
 * </pre>
 * The two training tables were added without a version bump: they are created when missing, so
 * older labs gain them on first open and nothing existing changes.
 *
 * <p>Version 2 lets a run lack tokens and compute (score tables with parameter counts alone, such
 * as leaderboards: {@code tokens}, {@code compute} nullable), records a run's training {@code step}
 * (nullable) and a metric's standard error ({@code metrics.stderr}, nullable). A version-1 lab is
 * migrated in place, in one transaction, the first time a writing command opens it: columns are
 * added or relaxed, no row is rewritten, and a failure rolls back to the version-1 store.
 */
final class StoreSchema {
    static final int VERSION = 2;
    /** Column names of view {@code points} that a metric may not take. */
    static final Set<String> RESERVED = Set.of("run_id", "import_id", "source_row", "model", "family", "params", "tokens", "compute",
            "step");
    /** Suffix of the {@code points} column holding a metric's standard error. */
    static final String STDERR_SUFFIX = "_stderr";

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
            if (v < VERSION) {
                migrate(c, v);
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
                    + "model VARCHAR, family VARCHAR, params DOUBLE NOT NULL, tokens DOUBLE, compute DOUBLE, step BIGINT)");
            st.execute("CREATE TABLE metrics(run_id BIGINT NOT NULL, name VARCHAR NOT NULL, value DOUBLE NOT NULL, stderr DOUBLE)");
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
     * Brings a store of an older version to this one in one transaction (all or nothing: a failure
     * leaves the older store as it was). Version 1 → 2: tokens and compute become nullable, runs gain
     * {@code step} and metrics {@code stderr}; existing rows keep their values (the new columns are
     * NULL for them).
     */
    private static void migrate(Connection c, int from) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            if (from < 2) {
                st.execute("ALTER TABLE runs ALTER COLUMN tokens DROP NOT NULL");
                st.execute("ALTER TABLE runs ALTER COLUMN compute DROP NOT NULL");
                st.execute("ALTER TABLE runs ADD COLUMN step BIGINT");
                st.execute("ALTER TABLE metrics ADD COLUMN stderr DOUBLE");
            }
            refreshPointsView(c);
            st.execute("UPDATE meta SET value = '" + VERSION + "' WHERE key = 'schema_version'");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** The store's schema version (0 when not yet written). */
    static int version(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : 0;
        }
    }

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

    /**
     * Checks, without writing, that a store opened read-only is one this version can read: a store
     * written by a newer ScaleLab is refused. (Tables added since, like the training tables, appear
     * the next time a writing command opens the lab.)
     */
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

    /** Metric names that have a standard error in at least one run, sorted. */
    static List<String> namesWithStderr(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT DISTINCT name FROM metrics WHERE stderr IS NOT NULL ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * Rebuilds view {@code points}: one row per run, one column per metric name (metric names differ
     * between files, so the view is regenerated after every import), and a column
     * {@code <metric>_stderr} beside each metric that has standard errors. Ordered by run_id so that
     * a fit reading it sees the same rows in the same order, and its input hash is stable. A metric
     * named {@code step} stored before runs had a step column keeps the name; the run's step is then
     * left out of the view (it stays in table runs).
     */
    static void refreshPointsView(Connection c) throws SQLException {
        List<String> names = metricNames(c);
        List<String> withStderr = namesWithStderr(c);
        java.util.Set<String> taken = new java.util.HashSet<>();
        names.forEach(n -> taken.add(n.toLowerCase(java.util.Locale.ROOT)));
        StringBuilder sql = new StringBuilder("CREATE OR REPLACE VIEW points AS SELECT r.run_id, r.import_id, r.model, r.family, "
                + "r.params, r.tokens, r.compute");
        if (!taken.contains("step")) {
            sql.append(", r.step");
        }
        if (names.isEmpty()) {
            sql.append(" FROM runs r");
        } else {
            StringBuilder pivot = new StringBuilder("SELECT run_id");
            for (String n : names) {
                sql.append(", m.").append(SqlText.ident(n));
                pivot.append(", max(value) FILTER (WHERE name = ").append(SqlText.literal(n)).append(") AS ").append(SqlText.ident(n));
            }
            for (String n : withStderr) {
                String col = n + STDERR_SUFFIX;
                if (taken.add(col.toLowerCase(java.util.Locale.ROOT))) {
                    sql.append(", m.").append(SqlText.ident(col));
                    pivot.append(", max(stderr) FILTER (WHERE name = ").append(SqlText.literal(n)).append(") AS ").append(SqlText.ident(col));
                }
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
