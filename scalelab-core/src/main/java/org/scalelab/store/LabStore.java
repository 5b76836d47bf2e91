package org.scalelab.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.curves.MinMaxDownsampling;
import org.scalelab.curves.StepSeries;
import org.scalelab.io.Columns;
import org.scalelab.io.DataInput;
import org.scalelab.io.Json;
import org.scalelab.io.NumericTable;
import org.scalelab.io.SqlText;

/**
 * A lab's store: one embedded DuckDB file, {@code <lab>/scalelab.duckdb}, holding imported runs,
 * their metrics and saved analysis results with provenance (tables in {@link StoreSchema}).
 *
 * <p>Reads through {@link #sql} and {@link #query} accept one reading statement only (checked on
 * DuckDB's parse of it, see {@link ReadOnlySql}), run with a time limit and inside a transaction that
 * is always rolled back; the store changes only through {@link #importRuns}, {@link #importRecords}, {@link #deleteImport},
 * {@link #saveResult} and the training-run methods. A store opened with {@link #openReadOnly} is also
 * read-only to DuckDB and cannot touch any other file, which is how commands that only read open it.
 *
 * <p>DuckDB locks the file per process: one writing process, or several reading ones. Opening waits
 * (up to a given time) while another process holds it; {@link #openReleasing} holds the file only
 * while each call runs, so that long jobs (a sweep) let readers in between their writes. Within a
 * process, methods are synchronized so threads (e.g. web handlers, a sweep's runs) may share one store.
 *
 * <p>DuckDB's working memory is capped (default 1GB; {@code SCALELAB_DUCKDB_MEMORY} or system property
 * {@code scalelab.duckdb.memory} change it); larger imports spill to {@code scalelab.duckdb.tmp/}.
 */
public final class LabStore implements AutoCloseable {
    /** File name of the store inside a lab folder. */
    public static final String FILE_NAME = "scalelab.duckdb";
    /** Rows {@link #sql(String)} keeps for printing. */
    public static final int DEFAULT_MAX_ROWS = 1000;
    /** Time limit of a reading query unless the caller gives one. */
    public static final Duration DEFAULT_QUERY_TIME_LIMIT = Duration.ofSeconds(60);
    /**
     * How long a store opened with {@link #openReleasing} waits to take the file back for a write: a
     * reader holds it for at most its query's time limit, and a long job should outwait it, not fail.
     */
    static final Duration RELEASING_REOPEN_WAIT = Duration.ofMinutes(10);

    /** How long to wait for a lab another process holds, and who is told that we wait (e.g. stderr). */
    public record Wait(Duration limit, Consumer<String> notice) {
        /** Fail at once when the lab is busy. */
        public static Wait none() {
            return new Wait(Duration.ZERO, m -> { });
        }
    }

    private final Path lab;
    private final StoreConnector connector;
    private final boolean releasing;
    /** Null between calls of a releasing store, and after {@link #close}. */
    private Connection connection;
    private boolean closed;
    /** The temporary folder of a store read from a copy ({@link #openReadOnly}), deleted on close; else null. */
    private final Path scratch;

    private LabStore(Path lab, StoreConnector connector, boolean releasing, Connection connection, Path scratch) {
        this.lab = lab;
        this.scratch = scratch;
        this.connector = connector;
        this.releasing = releasing;
        this.connection = connection;
    }

    /** Opens (creating folder and schema on first use) the store of lab folder {@code labDir} for writing; fails at once if busy. */
    public static LabStore open(Path labDir) {
        return open(labDir, Wait.none());
    }

    /** Opens the store of {@code labDir} for writing, waiting up to {@code wait} while another process holds it. */
    public static LabStore open(Path labDir, Wait wait) {
        StoreConnector c = writer(labDir, wait);
        return new LabStore(labDir, c, false, prepared(c), null);
    }

    /**
     * Opens the store for reading only: DuckDB refuses every write and every file outside the store,
     * and nothing in the lab folder is created or changed. A lab without a store reads as an empty
     * one, and a store written by an older ScaleLab (or whose first writer was killed before writing
     * its schema) is read from a migrated temporary copy, deleted on {@link #close}; the next writing
     * command migrates the lab itself. Several processes may read at once, but not while one writes:
     * then this waits up to {@code wait}.
     */
    public static LabStore openReadOnly(Path labDir, Wait wait) {
        checkFolder(labDir, "--lab");
        Path db = labDir.resolve(FILE_NAME);
        if (!Files.exists(db)) {
            return readScratchCopy(labDir, null, wait);
        }
        StoreConnector c = new StoreConnector(db, true, memoryLimit(), wait.limit(), wait.notice());
        Connection conn = c.connect();
        try {
            if (!StoreSchema.prepared(conn) || StoreSchema.version(conn) < StoreSchema.VERSION) {
                closeQuietly(conn);
                wait.notice().accept(db + ": written by an older ScaleLab; reading a migrated temporary copy "
                        + "(the next writing command migrates the lab itself)");
                return readScratchCopy(labDir, db, wait);
            }
            StoreSchema.requireReadable(conn, db.toString());
        } catch (SQLException | RuntimeException e) {
            closeQuietly(conn);
            if (e instanceof ScaleLabException se) {
                throw se;
            }
            throw new ScaleLabException(db + ": cannot read the lab store: " + SqlText.firstLine(e.getMessage()), e);
        }
        return new LabStore(labDir, c, false, conn, null);
    }

    /**
     * A read-only store over a temporary copy of {@code db} (with its write-ahead log), prepared or
     * migrated as a writer would; an empty store when {@code db} is null. The lab is never written.
     */
    private static LabStore readScratchCopy(Path labDir, Path db, Wait wait) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("scalelab-store-");
        } catch (IOException e) {
            throw new ScaleLabException("cannot create a temporary folder to read lab " + labDir + ": " + e.getMessage(), e);
        }
        try {
            if (db != null) {
                Files.copy(db, scratch.resolve(FILE_NAME));
                Path wal = db.resolveSibling(FILE_NAME + ".wal");
                if (Files.exists(wal)) {
                    Files.copy(wal, scratch.resolve(FILE_NAME + ".wal"));
                }
            }
            open(scratch).close();
            StoreConnector c = new StoreConnector(scratch.resolve(FILE_NAME), true, memoryLimit(), Duration.ZERO, m -> { });
            Connection conn = c.connect();
            return new LabStore(labDir, c, false, conn, scratch);
        } catch (IOException | RuntimeException e) {
            deleteScratch(scratch);
            if (e instanceof ScaleLabException se) {
                throw se;
            }
            throw new ScaleLabException("cannot read lab " + labDir + " from a temporary copy: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a private copy of a lab's store (the store file, and its write-ahead log if any, copied into
     * folder {@code copyDir} by the caller) read-only, naming {@code labDir} in every message. The copy
     * is first made readable as a writer would (its log replayed, an older schema migrated, an empty
     * folder given the schema), which changes only the copy. Several stores may read one copy at once;
     * the caller deletes {@code copyDir} once all are closed.
     */
    public static LabStore openCopy(Path labDir, Path copyDir) {
        Path db = copyDir.resolve(FILE_NAME);
        Path wal = copyDir.resolve(FILE_NAME + ".wal");
        try {
            if (!Files.exists(db) || Files.exists(wal)) {
                open(copyDir).close();
            }
            StoreConnector c = new StoreConnector(db, true, memoryLimit(), Duration.ZERO, m -> { });
            Connection conn = c.connect();
            try {
                if (!StoreSchema.prepared(conn) || StoreSchema.version(conn) < StoreSchema.VERSION) {
                    closeQuietly(conn);
                    open(copyDir).close();
                    conn = c.connect();
                }
                StoreSchema.requireReadable(conn, labDir.resolve(FILE_NAME).toString());
            } catch (SQLException | RuntimeException e) {
                closeQuietly(conn);
                throw e;
            }
            return new LabStore(labDir, c, false, conn, null);
        } catch (SQLException | RuntimeException e) {
            if (e instanceof ScaleLabException se) {
                throw se;
            }
            throw new ScaleLabException("cannot read lab " + labDir + " from a copy of its store: " + SqlText.firstLine(e.getMessage()), e);
        }
    }

    /** Deletes a temporary store folder this class made (never a lab). */
    private static void deleteScratch(Path scratch) {
        try (var files = Files.list(scratch)) {
            for (Path f : files.toList()) {
                if (Files.isDirectory(f)) {
                    try (var inner = Files.list(f)) {
                        for (Path g : inner.toList()) {
                            Files.deleteIfExists(g);
                        }
                    }
                }
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // A temporary folder left behind costs disk space only; the read itself succeeded.
        }
    }

    /**
     * Opens the store for writing but holds the file only while each call runs, so that other
     * processes (a {@code runs sql}, a fit with {@code --query}) can open it between calls. For
     * long jobs that write now and then (a sweep logging curves). Each later call waits up to
     * ten minutes for a reader to finish (the reader's own time limit is shorter).
     */
    public static LabStore openReleasing(Path labDir, Wait wait) {
        StoreConnector c = writer(labDir, wait);
        closeQuietly(prepared(c));
        return new LabStore(labDir, c.quietlyWaiting(RELEASING_REOPEN_WAIT), true, null, null);
    }

    private static StoreConnector writer(Path labDir, Wait wait) {
        checkFolder(labDir, "--lab");
        try {
            Files.createDirectories(labDir);
        } catch (IOException e) {
            throw new ScaleLabException("cannot create lab folder " + labDir + ": " + e.getMessage(), e);
        }
        Wait w = wait == null ? Wait.none() : wait;
        return new StoreConnector(labDir.resolve(FILE_NAME), false, memoryLimit(), w.limit(), w.notice());
    }

    /** A writing connection with the schema created or checked. */
    private static Connection prepared(StoreConnector connector) {
        Connection c = connector.connect();
        try {
            StoreSchema.ensure(c, connector.db().toString());
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            if (e instanceof ScaleLabException se) {
                throw se;
            }
            throw new ScaleLabException(connector.db() + ": cannot prepare the lab store: " + SqlText.firstLine(e.getMessage()), e);
        }
        return c;
    }

    /** Per store file, what a store opened with {@link #openReleasing} holds while one call has the file ({@link #processHold}). */
    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> PROCESS_HOLDS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The monitor a store opened with {@link #openReleasing} in this process holds while one call has
     * the lab's file open. DuckDB's file lock belongs to the process, so it cannot keep two parts of one
     * process apart; code that reads the file itself (the dashboard copying it) synchronizes on this.
     */
    public static Object processHold(Path labDir) {
        return PROCESS_HOLDS.computeIfAbsent(labDir.resolve(FILE_NAME).toAbsolutePath().normalize(), k -> new Object());
    }

    /** Runs {@code body} with the connection, taking the file first and letting it go after when this store releases between calls. */
    private <T> T held(Supplier<T> body) {
        if (closed) {
            throw new IllegalStateException(lab + ": the store is closed");
        }
        if (releasing) {
            synchronized (processHold(lab)) {
                return heldNow(body);
            }
        }
        return heldNow(body);
    }

    private <T> T heldNow(Supplier<T> body) {
        if (connection == null) {
            connection = connector.connect();
        }
        try {
            return body.get();
        } finally {
            if (releasing) {
                closeQuietly(connection);
                connection = null;
            }
        }
    }

    /**
     * Refuses a lab path that is a file, or lies below one, with one line ({@code option} names
     * where the path came from, e.g. {@code --lab}); a missing folder is fine (it is created).
     */
    public static void checkFolder(Path labDir, String option) {
        Path p = labDir.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p != null && !Files.isDirectory(p)) {
            String where = p.equals(labDir.toAbsolutePath().normalize()) ? "is a file" : "cannot be created: " + p + " is a file";
            throw new InputException(option + " " + labDir + ": " + where + ", not a lab folder; give the folder that holds (or will hold) "
                    + FILE_NAME);
        }
    }

    private static String memoryLimit() {
        String v = System.getProperty("scalelab.duckdb.memory");
        if (v == null || v.isBlank()) {
            v = System.getenv("SCALELAB_DUCKDB_MEMORY");
        }
        return v == null || v.isBlank() ? "1GB" : v.trim();
    }

    /** The lab folder. */
    public Path lab() {
        return lab;
    }

    /**
     * Imports a CSV/TSV, Parquet or JSONL file of runs (one run per data row) in one transaction. On any
     * problem — missing column, empty file, a value that is empty, not a number, NaN/Inf or (for params,
     * tokens, compute) not > 0, duplicate rows, a file imported before — throws an
     * {@link InputException} naming file, row, column and value, and the store is unchanged.
     */
    public synchronized ImportSummary importRuns(Path file, ImportOptions options) {
        return held(() -> {
            try {
                return RunImporter.importRuns(connection, file, options == null ? ImportOptions.defaults() : options);
            } catch (SQLException e) {
                throw new ScaleLabException(file + ": import failed, nothing written: " + SqlText.firstLine(e.getMessage()), e);
            }
        });
    }

    /**
     * Imports runs that come as records rather than a table file (one lm-evaluation-harness result
     * file, one evaluation), as one import row of {@code source} with its SHA-256. Tokens and compute
     * may be null; any two of params/tokens/compute give the third. A source imported before (same
     * SHA-256) or any invalid value throws an {@link InputException} naming source, run and field,
     * and the store is unchanged.
     */
    public synchronized ImportSummary importRecords(String source, String sha256, List<RunRecord> runs, String optionsJson) {
        return importRecords(List.of(new RecordImport(source, sha256, runs, optionsJson))).get(0);
    }

    /**
     * Imports several sources of records in one transaction: every source is checked before anything
     * is written, and either all are imported (one import row each) or none.
     */
    public synchronized List<ImportSummary> importRecords(List<RecordImport> sources) {
        return held(() -> {
            try {
                return RecordImporter.importAll(connection, sources);
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": import failed, nothing written: " + SqlText.firstLine(e.getMessage()), e);
            }
        });
    }

    /** Removes an import's runs and metrics (e.g. to re-import the file with another mapping). */
    public synchronized void deleteImport(long importId) {
        held(() -> {
            try {
                requireExists("SELECT count(*) FROM imports WHERE import_id = " + importId,
                        "no import " + importId + " in " + lab + "; see SELECT * FROM imports");
                inTransaction(() -> {
                    try (Statement st = connection.createStatement()) {
                        st.execute("DELETE FROM metrics WHERE run_id IN (SELECT run_id FROM runs WHERE import_id = " + importId + ")");
                        st.execute("DELETE FROM runs WHERE import_id = " + importId);
                        st.execute("DELETE FROM imports WHERE import_id = " + importId);
                        StoreSchema.refreshPointsView(connection);
                    }
                    return null;
                });
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot delete import " + importId + ": " + SqlText.firstLine(e.getMessage()), e);
            }
            return null;
        });
    }

    /** Number of stored runs. */
    public synchronized long runCount() {
        return held(() -> {
            return longValue("SELECT count(*) FROM runs");
        });
    }

    /** The first {@code limit} runs by run id, with their metrics. */
    public synchronized List<RunRow> listRuns(int limit) {
        return held(() -> {
            List<RunRow> runs = new ArrayList<>();
            Map<Long, Map<String, Double>> metrics = new LinkedHashMap<>();
            String ids = "SELECT run_id FROM runs ORDER BY run_id LIMIT " + Math.max(0, limit);
            try (Statement st = connection.createStatement()) {
                Map<Long, Map<String, Double>> stderr = new LinkedHashMap<>();
                try (ResultSet rs = st.executeQuery("SELECT run_id, name, value, stderr FROM metrics WHERE run_id IN (" + ids
                        + ") ORDER BY run_id, name")) {
                    while (rs.next()) {
                        metrics.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getDouble(3));
                        Double se = nullableDouble(rs.getObject(4));
                        if (se != null) {
                            stderr.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), se);
                        }
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT run_id, import_id, model, family, params, tokens, compute, step FROM runs "
                        + "ORDER BY run_id LIMIT " + Math.max(0, limit))) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        runs.add(new RunRow(id, rs.getLong(2), rs.getString(3), rs.getString(4), rs.getDouble(5),
                                nullableDouble(rs.getObject(6)), nullableDouble(rs.getObject(7)), nullableLong(rs.getObject(8)),
                                metrics.getOrDefault(id, Map.of()), stderr.getOrDefault(id, Map.of())));
                    }
                }
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot list runs: " + SqlText.firstLine(e.getMessage()), e);
            }
            return runs;
        });
    }

    /** Runs a reading query (see {@link ReadOnlySql}) and keeps the first {@value #DEFAULT_MAX_ROWS} rows. */
    public QueryResult sql(String query) {
        return sql(query, DEFAULT_MAX_ROWS);
    }

    /** Runs a reading query and keeps the first {@code maxRows} rows ({@link QueryResult#truncated()} says if there were more). */
    public QueryResult sql(String query, int maxRows) {
        return sql(query, maxRows, DEFAULT_QUERY_TIME_LIMIT);
    }

    /**
     * Runs a reading query, stopped after {@code timeLimit} (an {@link InputException} then), and keeps
     * the first {@code maxRows} rows.
     */
    public synchronized QueryResult sql(String query, int maxRows, Duration timeLimit) {
        return held(() -> {
            String statement = ReadOnlySql.check(connection, query);
            return inRolledBackTransaction(statement, timeLimit, () -> {
                try (Statement st = limited(connection.createStatement(), timeLimit); ResultSet rs = st.executeQuery(statement)) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> columns = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        columns.add(md.getColumnLabel(i));
                    }
                    List<List<Object>> rows = new ArrayList<>();
                    boolean truncated = false;
                    while (rs.next()) {
                        if (rows.size() >= maxRows) {
                            truncated = true;
                            break;
                        }
                        List<Object> row = new ArrayList<>(columns.size());
                        for (int i = 1; i <= columns.size(); i++) {
                            row.add(plain(rs.getObject(i)));
                        }
                        rows.add(row);
                    }
                    return new QueryResult(columns, rows, truncated);
                }
            });
        });
    }

    /** {@link #query(String, List, Duration)} with the default time limit. */
    public NumericTable query(String sql, List<String> columns) {
        return query(sql, columns, DEFAULT_QUERY_TIME_LIMIT);
    }

    /**
     * Reads numeric {@code columns} of a reading query for an analysis, checked like {@link DataInput}
     * (first empty, non-numeric, NaN or infinite value reported with row and column). The table's
     * sha256 covers the query text and every value, so a result's provenance changes when the data do.
     * The query is stopped after {@code timeLimit}.
     */
    public synchronized NumericTable query(String sql, List<String> columns, Duration timeLimit) {
        return held(() -> {
            String statement = ReadOnlySql.check(connection, sql);
            String source = "query \"" + statement + "\"";
            List<String> available = inRolledBackTransaction(statement, timeLimit, () -> {
                List<String> names = new ArrayList<>();
                try (Statement st = limited(connection.createStatement(), timeLimit);
                     ResultSet rs = st.executeQuery("DESCRIBE " + statement)) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                return names;
            });
            Columns.require(source, available, columns);
            StringBuilder stage = new StringBuilder("CREATE OR REPLACE TEMP TABLE query_staged AS SELECT ");
            for (int i = 0; i < columns.size(); i++) {
                stage.append(i == 0 ? "" : ", ").append(SqlText.ident(columns.get(i))).append(" AS c").append(i);
            }
            if (columns.isEmpty()) {
                stage.append("1 AS c0");
            }
            // As a subquery the statement can only read; the temp table lives outside the store file and is
            // staged outside a transaction so its rowids are the plain 0-based result rows. The line
            // breaks keep a trailing "-- comment" of the statement from hiding the closing parenthesis.
            stage.append(" FROM (\n").append(statement).append("\n) AS q");
            try {
                try (Statement st = limited(connection.createStatement(), timeLimit)) {
                    st.execute(stage.toString());
                }
                requireScale(columns, statement);
                NumericTable t = DataInput.readStaged(connection, "query_staged", source, "", columns, r -> "row " + r);
                return new NumericTable(source, contentHash(statement, t), t.columns(), t.values());
            } catch (SQLException e) {
                throw queryFailed(statement, timeLimit, e);
            } finally {
                try (Statement st = connection.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS query_staged");
                } catch (SQLException e) {
                    // the temp table dies with the connection anyway
                }
            }
        });
    }

    /**
     * Refuses a staged query whose {@code tokens} or {@code compute} column is NULL in some row: those
     * runs were imported with parameters alone, and an analysis reading the column needs it. Names the
     * first such row and a run of the lab that lacks the quantity, and what to do.
     */
    private void requireScale(List<String> columns, String statement) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            String col = columns.get(i).toLowerCase(java.util.Locale.ROOT);
            if (!col.equals("tokens") && !col.equals("compute")) {
                continue;
            }
            long row;
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT min(rowid) FROM query_staged WHERE c" + i + " IS NULL")) {
                rs.next();
                Object min = rs.getObject(1);
                if (min == null) {
                    continue;
                }
                row = ((Number) min).longValue() + 1;
            }
            String example = "";
            long lacking = 0;
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), "
                    + "min(model) FILTER (WHERE run_id = (SELECT min(run_id) FROM runs WHERE " + col + " IS NULL)) FROM runs WHERE "
                    + col + " IS NULL")) {
                rs.next();
                lacking = rs.getLong(1);
                example = rs.getString(2) == null ? "" : " (e.g. '" + InputException.quote(rs.getString(2)) + "')";
            }
            throw new MissingScaleException("row " + row + " of query \"" + InputException.quote(statement) + "\" has no " + col
                    + (lacking > 0 ? ": " + lacking + " run" + (lacking == 1 ? "" : "s") + " of the lab" + example
                    + " were imported with parameters alone" : "")
                    + "; import tokens or compute for them, keep them out with WHERE " + col + " IS NOT NULL, "
                    + "or use a law that needs only params (fit power, fit shape, fit sigmoid with --x params)");
        }
    }

    /** A statement that DuckDB interrupts after {@code timeLimit} (rounded up to whole seconds, JDBC's unit). */
    private static Statement limited(Statement st, Duration timeLimit) throws SQLException {
        long ms = timeLimit == null ? 0 : timeLimit.toMillis();
        if (ms > 0) {
            st.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
        }
        return st;
    }

    private static InputException queryFailed(String statement, Duration timeLimit, SQLException e) {
        if (e instanceof SQLTimeoutException) {
            return new InputException("query \"" + statement + "\" stopped after " + wholeSeconds(timeLimit) + ", its time limit; "
                    + "make it cheaper (WHERE, LIMIT, fewer joins) or allow more with --timeout SECONDS", e);
        }
        return new InputException("query \"" + statement + "\" failed: " + SqlText.firstLine(e.getMessage()), e);
    }

    private static String wholeSeconds(Duration timeLimit) {
        return ((timeLimit.toMillis() + 999) / 1000) + " s";
    }

    /** Stores a result record (as JSON) with its provenance; returns its id. */
    public synchronized long saveResult(String analysis, Object resultRecord, Provenance provenance) {
        return held(() -> {
            String resultJson = Json.write(resultRecord);
            try {
                return inTransaction(() -> {
                    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO results SELECT coalesce(max(result_id), 0) + 1, "
                            + "?, ?, ?, ?, ?, ?, ? FROM results RETURNING result_id")) {
                        ps.setString(1, analysis);
                        ps.setString(2, provenance.createdAt());
                        ps.setString(3, provenance.version());
                        ps.setString(4, Json.write(provenance.inputs()));
                        ps.setString(5, Json.write(provenance.options()));
                        if (provenance.seed() == null) {
                            ps.setNull(6, java.sql.Types.BIGINT);
                        } else {
                            ps.setLong(6, provenance.seed());
                        }
                        ps.setString(7, resultJson);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                });
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot save the " + analysis + " result: " + SqlText.firstLine(e.getMessage()), e);
            }
        });
    }

    /** Every saved result, oldest first. */
    public synchronized List<ResultSummary> listResults() {
        return held(() -> {
            List<ResultSummary> out = new ArrayList<>();
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT result_id, analysis, created_at, version, seed FROM results ORDER BY result_id")) {
                while (rs.next()) {
                    out.add(new ResultSummary(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), nullableLong(rs.getObject(5))));
                }
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot list results: " + SqlText.firstLine(e.getMessage()), e);
            }
            return out;
        });
    }

    /** A saved result with its provenance; an {@link InputException} if there is no such id. */
    public synchronized StoredResult loadResult(long id) {
        return held(() -> {
            try (PreparedStatement ps = connection.prepareStatement("SELECT result_id, analysis, created_at, version, seed, inputs_json, "
                    + "options_json, result_json FROM results WHERE result_id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new InputException("no result " + id + " in " + lab + "; list them with `scalelab results list`");
                    }
                    return new StoredResult(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), nullableLong(rs.getObject(5)),
                            tree(rs.getString(6)),
                            tree(rs.getString(7)), tree(rs.getString(8)));
                }
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot load result " + id + ": " + SqlText.firstLine(e.getMessage()), e);
            }
        });
    }

    /**
     * Records (or updates) a training run: its experiment (e.g. the world it trains on), settings,
     * status ("running", "finished"), parameter count, last step and training seconds.
     */
    public synchronized void putTrainingRun(TrainingRun r) {
        held(() -> {
            try (PreparedStatement ps = connection.prepareStatement("INSERT OR REPLACE INTO training_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.run());
                ps.setString(2, r.experiment());
                ps.setString(3, r.specJson());
                ps.setString(4, r.status());
                ps.setLong(5, r.parameters());
                ps.setLong(6, r.step());
                ps.setDouble(7, r.seconds());
                ps.setString(8, java.time.Instant.now().toString());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot record training run " + r.run() + ": " + SqlText.firstLine(e.getMessage()), e);
            }
            return null;
        });
    }

    /** The training run named {@code run}, or null. */
    public synchronized TrainingRun trainingRun(String run) {
        return held(() -> {
            List<TrainingRun> l = trainingRuns("WHERE run = ?", run);
            return l.isEmpty() ? null : l.get(0);
        });
    }

    /** Every training run of {@code experiment} (null: all), by name. */
    public synchronized List<TrainingRun> trainingRuns(String experiment) {
        return held(() -> {
            return experiment == null ? trainingRuns("", null) : trainingRuns("WHERE experiment = ?", experiment);
        });
    }

    private List<TrainingRun> trainingRuns(String where, String arg) {
        List<TrainingRun> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT run, experiment, spec_json, status, parameters, step, seconds "
                + "FROM training_runs " + where + " ORDER BY run")) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TrainingRun(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), rs.getDouble(7)));
                }
            }
        } catch (SQLException e) {
            throw new ScaleLabException(lab + ": cannot read training runs: " + SqlText.firstLine(e.getMessage()), e);
        }
        return out;
    }

    /**
     * Logs one step's metrics of a run in one transaction. A point logged before (same run, step and
     * metric) is replaced, so a resumed run never duplicates what the interrupted one logged.
     */
    public synchronized void putCurvePoints(String run, long step, Map<String, Double> metrics) {
        held(() -> {
            try {
                inTransaction(() -> {
                    if (metrics.isEmpty()) {
                        return null;
                    }
                    // One statement with a row per metric: DuckDB runs a JDBC batch row by row, each with
                    // the primary key's check, which holds the file (and keeps readers out) many times longer.
                    String rows = String.join(", ", java.util.Collections.nCopies(metrics.size(), "(?, ?, ?, ?)"));
                    try (PreparedStatement ps = connection.prepareStatement("INSERT OR REPLACE INTO training_curves VALUES " + rows)) {
                        int i = 0;
                        for (Map.Entry<String, Double> m : metrics.entrySet()) {
                            ps.setString(++i, run);
                            ps.setLong(++i, step);
                            ps.setString(++i, m.getKey());
                            Double v = m.getValue();
                            if (v == null || !Double.isFinite(v)) {
                                ps.setNull(++i, java.sql.Types.DOUBLE);
                            } else {
                                ps.setDouble(++i, v);
                            }
                        }
                        ps.executeUpdate();
                    }
                    return null;
                });
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot log step " + step + " of run " + run + ": " + SqlText.firstLine(e.getMessage()), e);
            }
            return null;
        });
    }

    /** A run's logged points, by step then metric (null values were not finite when logged). */
    public synchronized List<CurvePoint> curvePoints(String run) {
        return held(() -> {
            List<CurvePoint> out = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT step, metric, value FROM training_curves WHERE run = ? ORDER BY step, metric")) {
                ps.setString(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object v = rs.getObject(3); // getDouble + wasNull reads NULL as NaN in DuckDB's driver
                        out.add(new CurvePoint(rs.getLong(1), rs.getString(2), v == null ? null : ((Number) v).doubleValue()));
                    }
                }
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot read the curves of run " + run + ": " + SqlText.firstLine(e.getMessage()), e);
            }
            return out;
        });
    }

    /**
     * One metric of a run with at most {@code maxPoints} points, the longest curves reduced in the store
     * itself: per step bucket its first, last, lowest and highest point, exactly the points
     * {@link MinMaxDownsampling#keep} chooses, so a curve of millions of points is never read whole.
     * A curve with no more points than {@code maxPoints} is read whole ({@link Integer#MAX_VALUE}: always).
     * Null values (not finite when logged) read as NaN. An empty series when nothing was logged.
     */
    public synchronized DownsampledCurve curve(String run, String metric, int maxPoints) {
        int buckets = MinMaxDownsampling.buckets(maxPoints);
        String name = run + " · " + metric;
        return held(() -> {
            try {
                long total;
                long first;
                long last;
                try (PreparedStatement ps = connection.prepareStatement(
                        "SELECT count(*), min(step), max(step) FROM training_curves WHERE run = ? AND metric = ?")) {
                    ps.setString(1, run);
                    ps.setString(2, metric);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                        first = rs.getLong(2);
                        last = rs.getLong(3);
                    }
                }
                if (total == 0) {
                    return new DownsampledCurve(new StepSeries(name, new long[0], new double[0]), 0);
                }
                PreparedStatement ps;
                if (total <= maxPoints) {
                    ps = connection.prepareStatement("SELECT step, value FROM training_curves WHERE run = ? AND metric = ? ORDER BY step");
                    ps.setString(1, run);
                    ps.setString(2, metric);
                } else {
                    long span = last - first + 1;
                    Math.multiplyExact(span, (long) buckets); // the bucket arithmetic stays within BIGINT
                    // Per bucket: first and last step, and the earliest step of the lowest and of the highest
                    // finite value (ties broken on the step, as MinMaxDownsampling does); then those points.
                    ps = connection.prepareStatement("WITH pts AS (SELECT step, value FROM training_curves WHERE run = ? AND metric = ?), "
                            + "k AS (SELECT min(step) AS a, max(step) AS z, "
                            + "arg_min(step, (value, step)) FILTER (WHERE value IS NOT NULL AND NOT isnan(value)) AS lo, "
                            + "arg_max(step, (value, -step)) FILTER (WHERE value IS NOT NULL AND NOT isnan(value)) AS hi "
                            + "FROM pts GROUP BY (step - ?) * ? // ?), "
                            + "keep AS (SELECT a AS s FROM k UNION SELECT z FROM k UNION SELECT lo FROM k UNION SELECT hi FROM k) "
                            + "SELECT step, value FROM pts WHERE step IN (SELECT s FROM keep) ORDER BY step");
                    ps.setString(1, run);
                    ps.setString(2, metric);
                    ps.setLong(3, first);
                    ps.setLong(4, buckets);
                    ps.setLong(5, span);
                }
                int capacity = (int) Math.min(total, (long) buckets * MinMaxDownsampling.POINTS_PER_BUCKET + 1);
                long[] steps = new long[Math.max(capacity, 16)];
                double[] values = new double[steps.length];
                int n = 0;
                try (ps; ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (n == steps.length) {
                            steps = java.util.Arrays.copyOf(steps, n * 2);
                            values = java.util.Arrays.copyOf(values, n * 2);
                        }
                        steps[n] = rs.getLong(1);
                        Object v = rs.getObject(2); // getDouble + wasNull reads NULL as NaN in DuckDB's driver
                        values[n++] = v == null ? Double.NaN : ((Number) v).doubleValue();
                    }
                }
                return new DownsampledCurve(new StepSeries(name, java.util.Arrays.copyOf(steps, n), java.util.Arrays.copyOf(values, n)), total);
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot read curve " + metric + " of run " + run + ": " + SqlText.firstLine(e.getMessage()), e);
            }
        });
    }

    /** The metrics any of {@code runs} logged, sorted. */
    public synchronized List<String> curveMetrics(List<String> runs) {
        return held(() -> {
            List<String> out = new ArrayList<>();
            if (runs.isEmpty()) {
                return out;
            }
            String marks = String.join(", ", java.util.Collections.nCopies(runs.size(), "?"));
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT DISTINCT metric FROM training_curves WHERE run IN (" + marks + ") ORDER BY metric")) {
                for (int i = 0; i < runs.size(); i++) {
                    ps.setString(i + 1, runs.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            } catch (SQLException e) {
                throw new ScaleLabException(lab + ": cannot read the metrics of runs " + runs + ": " + SqlText.firstLine(e.getMessage()), e);
            }
            return out;
        });
    }

    /**
     * A curve as {@link #curve} reads it.
     *
     * @param series the points read (all of them, or the buckets' extremes)
     * @param total  the points the run logged for the metric
     */
    public record DownsampledCurve(StepSeries series, long total) {
        /** True when fewer points were read than were logged. */
        public boolean downsampled() {
            return series.size() < total;
        }
    }

    /** A run ScaleLab trains (row of table training_runs); {@code specJson} holds its settings. */
    public record TrainingRun(String run, String experiment, String specJson, String status, long parameters, long step, double seconds) {}

    /** One logged value of a training run. */
    public record CurvePoint(long step, String metric, Double value) {}

    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            closeQuietly(connection);
            connection = null;
        }
        if (scratch != null) {
            deleteScratch(scratch);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T out = work.run();
            connection.commit();
            return out;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** Work that may throw SQLException, for {@link #inTransaction} and {@link #inRolledBackTransaction}. */
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private <T> T inRolledBackTransaction(String statement, Duration timeLimit, SqlWork<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                return work.run();
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw queryFailed(statement, timeLimit, e);
        }
    }

    private long longValue(String sql) {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new ScaleLabException(lab + ": " + SqlText.firstLine(e.getMessage()), e);
        }
    }

    private void requireExists(String countSql, String message) {
        if (longValue(countSql) == 0) {
            throw new InputException(message);
        }
    }

    /** Numbers, strings, booleans and null pass; other JDBC objects (dates, arrays, structs) become text. */
    private static Object plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Double || v instanceof Float
                || v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigDecimal || v instanceof BigInteger) {
            return v;
        }
        return v.toString();
    }

    /** SHA-256 over the query text, then each row's values as Java's shortest round-trip decimal text. */
    static String contentHash(String statement, NumericTable t) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(statement.getBytes(StandardCharsets.UTF_8));
            StringBuilder row = new StringBuilder();
            for (int r = 0; r < t.rows(); r++) {
                row.setLength(0);
                row.append('\n');
                for (int c = 0; c < t.columns().size(); c++) {
                    row.append(c == 0 ? "" : ",").append(t.values()[c][r]);
                }
                md.update(row.toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A nullable DOUBLE column's value (DuckDB's getDouble reads NULL as NaN, so read the object). */
    private static Double nullableDouble(Object v) {
        return v == null ? null : ((Number) v).doubleValue();
    }

    private static Long nullableLong(Object v) {
        return v == null ? null : ((Number) v).longValue();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new ScaleLabException("stored JSON is unreadable: " + Json.problem(e), e);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // closing after a failure: the first error is the one worth reporting
        }
    }
}
