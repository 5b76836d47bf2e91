package org.scalelab.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.io.SourceScan;
import org.scalelab.io.SqlText;
import org.scalelab.io.ValueCheck;

/**
 * Imports one file of runs into the store inside a single transaction. DuckDB streams the file into a
 * temporary staging table; every check is an SQL query over that table returning the first offending
 * row; only then are runs and metrics inserted with INSERT … SELECT. No data row enters the JVM, and
 * a failed import rolls back to the store as it was.
 */
final class RunImporter {
    private static final String STAGED = "import_staged";
    private static final Pattern METRIC_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final String POSITIVE_WHY = "scaling laws work on the logarithms of params, tokens and compute";

    private RunImporter() {}

    /** A file column chosen for a role, staged as c{index}. */
    private record Mapped(String role, String column, int index) {}

    /** Which file column plays which role; absent roles are null. {@code all} is in staging order. */
    private record Mapping(List<Mapped> all, Mapped params, Mapped tokens, Mapped compute, Mapped model, Mapped family,
            List<Mapped> metrics, Map<String, String> metricColumns) {}

    static ImportSummary importRuns(Connection c, Path file, ImportOptions options) throws SQLException {
        SourceScan scan = SourceScan.open(c, file);
        String source = file.toString();
        List<String> available = scan.columns;

        List<Mapped> mapped = new ArrayList<>();
        Mapped params = role(mapped, source, available, "params", options.paramsCol(), "--params-col");
        Mapped tokens = role(mapped, source, available, "tokens", options.tokensCol(), "--tokens-col");
        Mapped compute = role(mapped, source, available, "compute", options.computeCol(), "--compute-col");
        Mapped model = role(mapped, source, available, "model", options.modelCol(), "--model-col");
        Mapped family = role(mapped, source, available, "family", options.familyCol(), "--family-col");
        if (params == null && (tokens == null || compute == null)) {
            List<String> found = mapped.stream().map(Mapped::role).filter(r -> r.equals("tokens") || r.equals("compute")).toList();
            throw new InputException(source + ": need params, or tokens and compute (then params = compute / (6 * tokens)); found "
                    + (found.isEmpty() ? "none of them" : String.join(" and ", found) + " only") + " among columns "
                    + InputException.quoteList(available) + "; map them with --params-col, --tokens-col, --compute-col");
        }
        Map<String, String> metricCols = new LinkedHashMap<>(options.metrics());
        if (metricCols.isEmpty() && available.contains("loss")) {
            metricCols.put("loss", "loss");
        }
        List<Mapped> metrics = new ArrayList<>();
        for (Map.Entry<String, String> e : metricCols.entrySet()) {
            String name = e.getKey();
            if (!METRIC_NAME.matcher(name).matches() || StoreSchema.RESERVED.contains(name)) {
                throw new InputException("--metric " + name + "=" + e.getValue() + ": metric names are lower-case identifiers "
                        + "([a-z][a-z0-9_]*) other than " + String.join(", ", StoreSchema.RESERVED.stream().sorted().toList()));
            }
            if (!available.contains(e.getValue())) {
                throw missing(source, e.getValue(), available, "--metric " + name + "=COLUMN");
            }
            Mapped m = new Mapped(name, e.getValue(), mapped.size());
            mapped.add(m);
            metrics.add(m);
        }

        String sha = Provenance.sha256(file);
        try (PreparedStatement ps = c.prepareStatement("SELECT import_id, imported_at FROM imports WHERE sha256 = ?")) {
            ps.setString(1, sha);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long id = rs.getLong(1);
                    throw new InputException(source + ": this file (sha256 " + sha.substring(0, 12) + "…) was already imported as import "
                            + id + " at " + rs.getString(2) + "; nothing written (to re-import it, first run: scalelab runs delete-import " + id + ")");
                }
            }
        }

        // Staging happens outside the transaction: a temporary table lives in the connection's temp
        // catalog, not in the store file, and its committed rowids are the plain 0-based data rows
        // (inside a transaction DuckDB numbers uncommitted rows from 2^55).
        try (Statement st = c.createStatement()) {
            st.execute(scan.stageSql(STAGED, mapped.stream().map(Mapped::column).toList()));
        } catch (SQLException e) {
            dropStaged(c);
            throw scan.readError(e);
        }
        try {
            long rows = count(c);
            if (rows == 0) {
                throw new InputException(source + ": no data rows (only a header); nothing to import");
            }
            if (rows < options.minRows()) {
                throw new InputException(source + ": " + rows + " data rows, need at least " + options.minRows());
            }
            List<ValueCheck.Check> checks = new ArrayList<>();
            for (Mapped m : new Mapped[] {params, tokens, compute}) {
                if (m != null) {
                    checks.add(new ValueCheck.Check(m.index(), m.column(), true, POSITIVE_WHY));
                }
            }
            for (Mapped m : metrics) {
                checks.add(new ValueCheck.Check(m.index(), m.column(), false, ""));
            }
            ValueCheck.requireValid(c, STAGED, checks, source, scan::rowLabel);
            Mapping mapping = new Mapping(mapped, params, tokens, compute, model, family, metrics, metricCols);
            requireValidDerived(c, scan, source, mapping);
            requireNoDuplicates(c, scan, source, mapping);
            return write(c, file, sha, rows, options, mapping);
        } finally {
            dropStaged(c);
        }
    }

    private static void dropStaged(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + STAGED);
        } catch (SQLException e) {
            // the temp table dies with the connection anyway; the import's own outcome is what matters
        }
    }

    /** Inserts the validated staged rows in one transaction; rolls back on any failure. */
    private static ImportSummary write(Connection c, Path file, String sha, long rows, ImportOptions options, Mapping mapping)
            throws SQLException {
        String source = file.toString();
        String absolute = file.toAbsolutePath().normalize().toString();
        Mapped params = mapping.params();
        Mapped tokens = mapping.tokens();
        Mapped compute = mapping.compute();
        c.setAutoCommit(false);
        try {
            // Import ids are never reused, even after deleteImport: meta remembers the last one handed out.
            long importId = nextId(c, "SELECT coalesce(max(v), 0) + 1 FROM (SELECT max(import_id) AS v FROM imports "
                    + "UNION ALL SELECT value::BIGINT FROM meta WHERE key = 'last_import_id')");
            long base = nextId(c, "SELECT coalesce(max(run_id), 0) FROM runs");
            String p = roleValue(mapping, "params");
            String t = roleValue(mapping, "tokens");
            String cc = roleValue(mapping, "compute");
            List<String> derived = new ArrayList<>();
            if (params == null) {
                derived.add("params = compute / (6 * tokens)");
            }
            if (tokens == null && compute != null) {
                derived.add("tokens = compute / (6 * params)");
            }
            if (compute == null && tokens != null) {
                derived.add("compute = 6 * params * tokens");
            }
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO runs (run_id, import_id, source_row, model, family, params, tokens, compute) SELECT "
                        + base + " + rowid + 1, " + importId + ", rowid + 1, " + label(mapping.model()) + ", " + label(mapping.family()) + ", "
                        + p + ", " + t + ", " + cc + " FROM " + STAGED);
                for (Mapped m : mapping.metrics()) {
                    st.execute("INSERT INTO metrics (run_id, name, value) SELECT " + base + " + rowid + 1, "
                            + SqlText.literal(m.role()) + ", " + num(m) + " FROM " + STAGED);
                }
                st.execute("INSERT OR REPLACE INTO meta VALUES ('last_import_id', '" + importId + "')");
            }
            ImportOptions resolved = new ImportOptions(col(params), col(tokens), col(compute), mapping.metricColumns(),
                    col(mapping.family()), col(mapping.model()), options.minRows());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, importId);
                ps.setString(2, absolute);
                ps.setString(3, sha);
                ps.setLong(4, rows);
                ps.setString(5, Json.write(resolved));
                ps.setString(6, Instant.now().toString());
                ps.executeUpdate();
            }
            StoreSchema.refreshPointsView(c);
            c.commit();
            Map<String, String> columns = new LinkedHashMap<>();
            for (Mapped m : mapping.all()) {
                columns.put(m.role(), m.column());
            }
            return new ImportSummary(importId, absolute, sha, rows, columns, derived);
        } catch (SQLException e) {
            c.rollback();
            throw new ScaleLabException(source + ": import failed, nothing written: " + SqlText.firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * The SQL value of params, tokens or compute for a staged row: its column, derived from the other
     * two, or NULL when only params is given (a score table: the runs' training data is not stated).
     * C = 6·N·D: training FLOPs ≈ 6 per parameter per token (forward 2, backward 4), Kaplan et al.
     * 2020 §2.1; Hoffmann et al. 2022 use the same approximation. Any two give the third.
     */
    private static String roleValue(Mapping m, String role) {
        return switch (role) {
            case "params" -> m.params() != null ? num(m.params()) : "(" + num(m.compute()) + " / (6 * " + num(m.tokens()) + "))";
            case "tokens" -> m.tokens() != null ? num(m.tokens())
                    : m.compute() == null ? "NULL" : "(" + num(m.compute()) + " / (6 * " + num(m.params()) + "))";
            case "compute" -> m.compute() != null ? num(m.compute())
                    : m.tokens() == null ? "NULL" : "(6 * " + num(m.params()) + " * " + num(m.tokens()) + ")";
            default -> throw new IllegalArgumentException(role);
        };
    }

    /**
     * A value derived from two valid ones can still be unusable: 6 · 1e308 · 1e308 overflows to
     * Infinity and 6 · 1e-300 · 1e-300 underflows to 0, and either would break every later fit over
     * the run (laws work on logarithms). Refuses the first row whose derived value is not a finite
     * number > 0, naming the values it came from.
     */
    private static void requireValidDerived(Connection c, SourceScan scan, String source, Mapping m) throws SQLException {
        Mapped[] given = {m.params(), m.tokens(), m.compute()};
        String[] roles = {"params", "tokens", "compute"};
        for (int i = 0; i < 3; i++) {
            if (given[i] != null || (given[(i + 1) % 3] == null || given[(i + 2) % 3] == null)) {
                continue; // given, or not derived (params alone: tokens and compute stay NULL)
            }
            String derived = roleValue(m, roles[i]);
            String formula = switch (roles[i]) {
                case "params" -> "compute / (6 * tokens)";
                case "tokens" -> "compute / (6 * params)";
                default -> "6 * params * tokens";
            };
            List<Mapped> from = new ArrayList<>();
            for (Mapped g : given) {
                if (g != null) {
                    from.add(g);
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rowid, " + derived + ", NULL, CAST(c" + from.get(0).index() + " AS VARCHAR), CAST(c" + from.get(1).index() + " AS VARCHAR) FROM "
                    + STAGED + " WHERE NOT (isfinite(" + derived + ") AND " + derived + " > 0) ORDER BY rowid LIMIT 1")) {
                if (rs.next()) {
                    throw new InputException(source + ": " + scan.rowLabel(rs.getLong(1) + 1) + ": " + roles[i] + " derived as " + formula
                            + " from column '" + from.get(0).column() + "' = " + rs.getString(4).strip() + " and column '" + from.get(1).column()
                            + "' = " + rs.getString(5).strip() + " is " + rs.getDouble(2) + ", not a finite number > 0 (" + POSITIVE_WHY
                            + "); check those values and their units, or give the " + roles[i] + " column");
                }
            }
        }
    }

    private static Mapped role(List<Mapped> mapped, String source, List<String> available, String role, String option, String flag) {
        String col = option;
        if (col == null || col.isBlank()) {
            if (!available.contains(role)) {
                return null;
            }
            col = role;
        } else if (!available.contains(col)) {
            throw missing(source, col, available, flag + " COLUMN");
        }
        Mapped m = new Mapped(role, col, mapped.size());
        mapped.add(m);
        return m;
    }

    private static InputException missing(String source, String col, List<String> available, String fix) {
        return new InputException(source + ": no column '" + InputException.quote(col) + "' (columns: " + InputException.quoteList(available)
                + "); name the right one with " + fix);
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + STAGED)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long nextId(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String num(Mapped m) {
        return num(m, "");
    }

    /** The staged column as DOUBLE; {@code alias} ("s." or "") qualifies the column in a self-join. */
    private static String num(Mapped m, String alias) {
        return "TRY_CAST(" + alias + "c" + m.index() + " AS DOUBLE)";
    }

    private static String label(Mapped m) {
        return label(m, "");
    }

    private static String label(Mapped m, String alias) {
        return m == null ? "NULL" : "NULLIF(trim(CAST(" + alias + "c" + m.index() + " AS VARCHAR)), '')";
    }

    private static String col(Mapped m) {
        return m == null ? null : m.column();
    }

    /**
     * Two rows with the same model, params, tokens, compute and metric values are almost always the
     * same run pasted twice; they would double its weight in a fit. Reports the first row that has a
     * twin and that twin's next occurrence.
     */
    private static void requireNoDuplicates(Connection c, SourceScan scan, String source, Mapping mapping) throws SQLException {
        Mapped model = mapping.model();
        List<Mapped> metrics = mapping.metrics();
        List<java.util.function.Function<String, String>> keys = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (model != null) {
            keys.add(a -> label(model, a));
            names.add("model");
        }
        for (Mapped m : new Mapped[] {mapping.params(), mapping.tokens(), mapping.compute()}) {
            if (m != null) {
                keys.add(a -> num(m, a));
                names.add(m.role());
            }
        }
        for (Mapped m : metrics) {
            keys.add(a -> num(m, a));
        }
        if (!metrics.isEmpty()) {
            names.add("metrics");
        }
        String partition = String.join(", ", keys.stream().map(k -> k.apply("")).toList());
        long first;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(r) FROM (SELECT rowid AS r, count(*) OVER "
                + "(PARTITION BY " + partition + ") AS n FROM " + STAGED + ") WHERE n > 1")) {
            rs.next();
            Object min = rs.getObject(1);
            if (min == null) {
                return;
            }
            first = ((Number) min).longValue();
        }
        StringBuilder same = new StringBuilder();
        for (java.util.function.Function<String, String> k : keys) {
            same.append(" AND ").append(k.apply("s.")).append(" IS NOT DISTINCT FROM ").append(k.apply("f."));
        }
        long second;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT min(s.rowid) FROM " + STAGED + " s, (SELECT * FROM "
                + STAGED + " WHERE rowid = " + first + ") f WHERE s.rowid > " + first + same)) {
            rs.next();
            second = rs.getLong(1);
        }
        throw new InputException(source + ": " + scan.rowLabel(first + 1) + " and " + scan.rowLabel(second + 1)
                + " are duplicates (same " + String.join(", ", names) + "); drop one of them");
    }
}
