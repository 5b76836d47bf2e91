package org.scalelab.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.ScaleLabException;

/**
 * Generates a large lab for the dashboard's scale tests and benchmarks ({@code bench/make_big_lab.sh}):
 * {@code runs} imported runs (family {@code big}, the Runs page's table) and as many training runs
 * (experiment {@code big}) with {@code points} loss points in all. Training run i is named
 * {@code c<i/5>-seed<i%5>} (five seeds per configuration, settings {@code {"config": i/5, "width": ...,
 * "seed": i%5}}, so seed groups form); run {@code c0000-seed0} alone logs {@code bigRun} points at steps
 * 1..bigRun, with a one-step spike of +{@link #SPIKE} at step {@link #spikeStep}; the other runs share
 * the rest, one point every 10 steps. Loss values are 2/√step plus a small deterministic wobble.
 *
 * <p>The store is created by {@link LabStore#open} (so the real store opens the result); the curve
 * points are written by DuckDB itself, {@code INSERT ... SELECT} over {@code range()}, which takes
 * seconds for ten million points where logging them one step at a time would take hours.
 */
public final class BigLab {
    /** Name of the run holding the long curve. */
    public static final String BIG_RUN = "c0000-seed0";
    /** Height of the one-step spike above the curve. */
    public static final double SPIKE = 10.0;

    private BigLab() {}

    /** The step of the spike in a long curve of {@code bigRun} points. */
    public static long spikeStep(long bigRun) {
        return bigRun / 2 + 17;
    }

    /** Writes the lab at {@code lab} (which must not hold a store yet). */
    public static void generate(Path lab, int runs, long points, long bigRun) {
        if (runs < 2 || bigRun < 1 || points < bigRun + runs - 1) {
            throw new IllegalArgumentException("need at least 2 runs and one point per run besides the long curve: runs " + runs
                    + ", points " + points + ", long curve " + bigRun);
        }
        if (Files.exists(lab.resolve(LabStore.FILE_NAME))) {
            throw new ScaleLabException(lab + " already holds a store; give a new folder");
        }
        try (LabStore store = LabStore.open(lab)) {
            List<RunRecord> records = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                double params = 1e6 * (1 + i % 97);
                double tokens = 2e7 * (1 + i % 13);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("loss", 2 + 10 / Math.pow(params, 0.07) + 0.01 * (i % 7));
                metrics.put("accuracy", (i % 101) / 100.0);
                records.add(new RunRecord(name(i), "big", params, tokens, 6 * params * tokens, (long) (i % 50) * 100, metrics, null));
            }
            store.importRecords("generated big lab", org.scalelab.Provenance.sha256("big lab " + runs + " " + points + " " + bigRun), records, "{}");
        }
        long rest = points - bigRun;
        long per = rest / (runs - 1);
        long extra = rest % (runs - 1);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath());
                java.sql.Statement st = c.createStatement()) {
            // name(i) in SQL, as the Java method writes it.
            String runName = "printf('c%04d-seed%d', r // 5, r % 5)";
            st.execute("INSERT INTO training_runs SELECT " + runName + ", 'big', "
                    + "printf('{\"config\":%d,\"width\":%d,\"depth\":%d,\"seed\":%d}', r // 5, 32 * (1 + (r // 5) % 8), 1 + (r // 5) % 3, r % 5), "
                    + "'finished', 1000000 * (1 + r % 97), CASE WHEN r = 0 THEN " + bigRun + " ELSE 10 * (" + per + " + CASE WHEN r <= " + extra
                    + " THEN 1 ELSE 0 END) END, 1.0, '2026-01-01T00:00:00Z' FROM range(" + runs + ") t(r)");
            String wobble = "(hash(r * 1000003 + i) % 1000) / 1000.0 * 0.05";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO training_curves SELECT ?, i + 1, 'loss', "
                    + "2.0 / sqrt(i + 1) + " + wobble.replace("r *", "0 *") + " + CASE WHEN i + 1 = ? THEN ? ELSE 0 END FROM range(?) t(i)")) {
                ps.setString(1, BIG_RUN);
                ps.setLong(2, spikeStep(bigRun));
                ps.setDouble(3, SPIKE);
                ps.setLong(4, bigRun);
                ps.execute();
            }
            st.execute("INSERT INTO training_curves SELECT " + runName + ", (i + 1) * 10, 'loss', 2.0 / sqrt((i + 1) * 10) + " + wobble
                    + " FROM range(1, " + runs + ") a(r), range(" + (per + 1) + ") b(i) WHERE i < " + per + " OR r <= " + extra);
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw new ScaleLabException(lab + ": cannot generate the big lab: " + e.getMessage(), e);
        }
    }

    /** The name of training run i. */
    public static String name(int i) {
        return String.format("c%04d-seed%d", i / 5, i % 5);
    }

    /** {@code BigLab LAB [RUNS [POINTS [LONG_CURVE]]]}: defaults 10,000 runs, 10,000,000 points, a curve of 1,000,000. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: BigLab LAB [RUNS [POINTS [LONG_CURVE]]]");
            System.exit(2);
        }
        Path lab = Paths.get(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long points = args.length > 2 ? Long.parseLong(args[2]) : 10_000_000L;
        long bigRun = args.length > 3 ? Long.parseLong(args[3]) : 1_000_000L;
        long t0 = System.nanoTime();
        generate(lab, runs, points, bigRun);
        System.out.printf("%s: %d runs, %d curve points (run %s: %d, spike at step %d) in %.1f s%n", lab, runs, points, BIG_RUN, bigRun,
                spikeStep(bigRun), (System.nanoTime() - t0) / 1e9);
    }
}
