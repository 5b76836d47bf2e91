package org.scalelab.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.SqlText;

/**
 * Imports runs given as {@link RunRecord}s (parsed result files, evaluations) rather than read from
 * a table file. Every source of one call is checked first and then written in a single transaction:
 * either all of them are imported or none, and the store is unchanged on any problem.
 *
 * <p>As for tables, any two of params, tokens and compute give the third (C = 6·N·D, Kaplan et al.
 * 2020 §2.1); unlike a table row, a record may have params alone (a leaderboard score: the model's
 * training tokens are often not stated). Metric names are free text up to 200 characters (lm-eval's
 * {@code arc_easy/acc}, {@code gsm8k/exact_match,strict-match}); the {@code points} view quotes them.
 */
final class RecordImporter {
    private static final int MAX_NAME = 200;

    private RecordImporter() {}

    static List<ImportSummary> importAll(Connection c, List<RecordImport> sources) throws SQLException {
        if (sources.isEmpty()) {
            throw new InputException("nothing to import: no sources given");
        }
        Map<String, String> spelled = existingNames(c);
        Set<String> shas = new HashSet<>();
        List<List<String>> derivedBySource = new ArrayList<>();
        List<List<RunRecord>> completed = new ArrayList<>();
        for (RecordImport s : sources) {
            requireNew(c, s, shas);
            List<String> derived = new ArrayList<>();
            List<RunRecord> runs = new ArrayList<>();
            if (s.runs().isEmpty()) {
                throw new InputException(s.source() + ": no runs to import");
            }
            for (int i = 0; i < s.runs().size(); i++) {
                runs.add(checked(s.source(), i, s.runs().get(i), spelled, derived));
            }
            derivedBySource.add(derived);
            completed.add(runs);
        }
        c.setAutoCommit(false);
        try {
            List<ImportSummary> out = new ArrayList<>();
            for (int k = 0; k < sources.size(); k++) {
                out.add(write(c, sources.get(k), completed.get(k), derivedBySource.get(k)));
            }
            StoreSchema.refreshPointsView(c);
            c.commit();
            return out;
        } catch (SQLException e) {
            c.rollback();
            throw new ScaleLabException(sources.get(0).source() + (sources.size() > 1 ? " and " + (sources.size() - 1) + " more" : "")
                    + ": import failed, nothing written: " + SqlText.firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Metric names already stored, by their lower-case form (DuckDB's identifiers ignore case). */
    private static Map<String, String> existingNames(Connection c) throws SQLException {
        Map<String, String> m = new HashMap<>();
        for (String n : StoreSchema.metricNames(c)) {
            m.put(n.toLowerCase(Locale.ROOT), n);
        }
        return m;
    }

    /** Refuses a source whose SHA-256 was imported before, or appears twice in this call. */
    private static void requireNew(Connection c, RecordImport s, Set<String> shas) throws SQLException {
        if (s.sha256() == null || !s.sha256().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(s.source() + ": sha256 must be 64 lower-case hex digits, got " + s.sha256());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT import_id, imported_at FROM imports WHERE sha256 = ?")) {
            ps.setString(1, s.sha256());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long id = rs.getLong(1);
                    throw new InputException(s.source() + ": this file (sha256 " + s.sha256().substring(0, 12) + "…) was already imported as import "
                            + id + " at " + rs.getString(2) + "; nothing written (to re-import it, first run: scalelab runs delete-import " + id + ")");
                }
            }
        }
        if (!shas.add(s.sha256())) {
            throw new InputException(s.source() + ": the same content (sha256 " + s.sha256().substring(0, 12)
                    + "…) is given twice in this import; nothing written: give each file once");
        }
    }

    /** The record with its missing scale quantity derived when two are given; refuses invalid values naming source, run and field. */
    private static RunRecord checked(String source, int index, RunRecord r, Map<String, String> spelled, List<String> derived) {
        String where = source + ": run " + (index + 1) + (r.model() == null ? "" : " (" + InputException.quote(r.model()) + ")");
        Double n = positive(where, "params", r.params());
        Double d = positive(where, "tokens", r.tokens());
        Double c = positive(where, "compute", r.compute());
        if (n == null) {
            if (d == null || c == null) {
                throw new InputException(where + ": no params (parameter count); give it (e.g. --params 1.4e9), or both tokens and compute");
            }
            n = derive(where, "params", "compute / (6 * tokens)", c / (6 * d), derived);
        } else if (d == null && c != null) {
            d = derive(where, "tokens", "compute / (6 * params)", c / (6 * n), derived);
        } else if (c == null && d != null) {
            c = derive(where, "compute", "6 * params * tokens", 6 * n * d, derived);
        }
        if (r.step() != null && r.step() < 0) {
            throw new InputException(where + ": step " + r.step() + " is negative; a training step counts from 0");
        }
        if (r.metrics().isEmpty()) {
            throw new InputException(where + ": no metrics; a run needs at least one score");
        }
        for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
            String name = m.getKey();
            requireName(where, name, spelled);
            Double v = m.getValue();
            if (v == null || !Double.isFinite(v)) {
                throw new InputException(where + ": metric '" + InputException.quote(name) + "' = " + v + " is not a finite number");
            }
            if (r.stderr().get(name) != null && r.metrics().containsKey(name + StoreSchema.STDERR_SUFFIX)) {
                throw new InputException(where + ": metric '" + InputException.quote(name + StoreSchema.STDERR_SUFFIX)
                        + "' would hide the standard error of '" + InputException.quote(name) + "'; give standard errors as stderr, not as metrics");
            }
        }
        for (Map.Entry<String, Double> e : r.stderr().entrySet()) {
            if (!r.metrics().containsKey(e.getKey())) {
                throw new InputException(where + ": standard error of '" + InputException.quote(e.getKey()) + "' has no metric of that name");
            }
            Double v = e.getValue();
            if (v != null && !(Double.isFinite(v) && v >= 0)) {
                throw new InputException(where + ": standard error of '" + InputException.quote(e.getKey()) + "' = " + v
                        + " is not a finite number >= 0 (leave it out when it is unknown)");
            }
        }
        return new RunRecord(r.model(), r.family(), n, d, c, r.step(), r.metrics(), r.stderr());
    }

    private static Double positive(String where, String field, Double v) {
        if (v != null && !(Double.isFinite(v) && v > 0)) {
            throw new InputException(where + ": " + field + " = " + v + " is not a finite number > 0 (scaling laws work on the logarithms "
                    + "of params, tokens and compute)");
        }
        return v;
    }

    private static double derive(String where, String field, String formula, double v, List<String> derived) {
        if (!(Double.isFinite(v) && v > 0)) {
            throw new InputException(where + ": " + field + " derived as " + formula + " is " + v + ", not a finite number > 0; check the units");
        }
        String d = field + " = " + formula;
        if (!derived.contains(d)) {
            derived.add(d);
        }
        return v;
    }

    /**
     * A metric name becomes a column of view {@code points}: non-blank, no control characters, not a
     * column the view already has, at most 200 characters, and not one differing from another
     * metric's name by case only (DuckDB's identifiers ignore case, the two columns would clash).
     */
    private static void requireName(String where, String name, Map<String, String> spelled) {
        String why = null;
        if (name == null || name.isBlank()) {
            why = "is empty";
        } else if (!name.strip().equals(name)) {
            why = "starts or ends with white space";
        } else if (name.length() > MAX_NAME) {
            why = "is longer than " + MAX_NAME + " characters";
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            why = "contains a control character";
        } else if (StoreSchema.RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            why = "is a column of view points (" + String.join(", ", StoreSchema.RESERVED.stream().sorted().toList()) + ")";
        } else {
            String other = spelled.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (other != null && !other.equals(name)) {
                why = "differs from metric '" + InputException.quote(other) + "' only by case (SQL column names ignore case)";
            }
        }
        if (why != null) {
            throw new InputException(where + ": metric name '" + InputException.quote(name) + "' " + why + "; rename it");
        }
    }

    private static ImportSummary write(Connection c, RecordImport s, List<RunRecord> runs, List<String> derived) throws SQLException {
        // Import ids are never reused, even after deleteImport: meta remembers the last one handed out.
        long importId = nextId(c, "SELECT coalesce(max(v), 0) + 1 FROM (SELECT max(import_id) AS v FROM imports "
                + "UNION ALL SELECT value::BIGINT FROM meta WHERE key = 'last_import_id')");
        long base = nextId(c, "SELECT coalesce(max(run_id), 0) FROM runs");
        Set<String> names = new LinkedHashSet<>();
        try (PreparedStatement run = c.prepareStatement("INSERT INTO runs (run_id, import_id, source_row, model, family, params, tokens, "
                + "compute, step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement metric = c.prepareStatement("INSERT INTO metrics (run_id, name, value, stderr) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < runs.size(); i++) {
                RunRecord r = runs.get(i);
                long id = base + i + 1;
                run.setLong(1, id);
                run.setLong(2, importId);
                run.setLong(3, i + 1);
                run.setString(4, r.model());
                run.setString(5, r.family());
                run.setDouble(6, r.params());
                setNullable(run, 7, r.tokens());
                setNullable(run, 8, r.compute());
                if (r.step() == null) {
                    run.setNull(9, Types.BIGINT);
                } else {
                    run.setLong(9, r.step());
                }
                run.executeUpdate();
                for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                    metric.setLong(1, id);
                    metric.setString(2, m.getKey());
                    metric.setDouble(3, m.getValue());
                    setNullable(metric, 4, r.stderr().get(m.getKey()));
                    metric.executeUpdate();
                    names.add(m.getKey());
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("INSERT OR REPLACE INTO meta VALUES ('last_import_id', '" + importId + "')");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, importId);
            ps.setString(2, s.source());
            ps.setString(3, s.sha256());
            ps.setLong(4, runs.size());
            ps.setString(5, s.optionsJson());
            ps.setString(6, Instant.now().toString());
            ps.executeUpdate();
        }
        Map<String, String> columns = new LinkedHashMap<>();
        for (String n : names) {
            columns.put(n, n);
        }
        return new ImportSummary(importId, s.source(), s.sha256(), runs.size(), columns, derived);
    }

    private static void setNullable(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    private static long nextId(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
