package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.curves.MinMaxDownsampling;
import org.scalelab.curves.StepSeries;

/** {@link LabStore#curve}: the buckets computed in SQL choose exactly the points the Java downsampler chooses. */
class LabStoreCurveTest {
    @TempDir
    Path lab;

    @Test
    void sqlBucketsChooseTheSamePointsAsTheJavaDownsampler() throws Exception {
        LabStore.open(lab).close();
        Random r = new Random(5);
        int n = 30_000;
        long[] steps = new long[n];
        double[] values = new double[n];
        long step = 3;
        StringBuilder sql = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + lab.resolve(LabStore.FILE_NAME).toAbsolutePath());
                Statement st = c.createStatement()) {
            for (int i = 0; i < n; i++) {
                step += 1 + (r.nextInt(50) == 0 ? r.nextInt(400) : 0);
                steps[i] = step;
                // Small integers give many ties for the lowest and highest point; some values are missing.
                values[i] = r.nextInt(30) == 0 ? Double.NaN : r.nextInt(4) == 0 ? r.nextInt(5) : r.nextGaussian();
                sql.append(sql.length() == 0 ? "INSERT INTO training_curves VALUES " : ", ")
                        .append("('r', ").append(step).append(", 'loss', ").append(Double.isNaN(values[i]) ? "NULL" : Double.toString(values[i])).append(')');
                if (i % 2_000 == 1_999 || i == n - 1) {
                    st.execute(sql.toString());
                    sql.setLength(0);
                }
            }
            // Another run and metric in the same table must not leak in.
            st.execute("INSERT INTO training_curves SELECT 'r', i + 1, 'acc', 1000.0 FROM range(100) t(i)");
            st.execute("INSERT INTO training_curves SELECT 'q', i + 1, 'loss', -1000.0 FROM range(100) t(i)");
        }
        StepSeries full = new StepSeries("r · loss", steps, values);
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            LabStore.DownsampledCurve whole = store.curve("r", "loss", Integer.MAX_VALUE);
            assertEquals(full, whole.series());
            assertFalse(whole.downsampled());
            for (int points : List.of(4, 5, 7, 64, 1_000, 2_000, 29_999)) {
                LabStore.DownsampledCurve c = store.curve("r", "loss", points);
                StepSeries expected = MinMaxDownsampling.downsample(full, points);
                assertArrayEquals(expected.steps(), c.series().steps(), "steps chosen with a budget of " + points);
                assertArrayEquals(expected.values(), c.series().values(), "values with a budget of " + points);
                assertEquals(n, c.total());
                assertTrue(c.downsampled());
            }
            assertEquals(0, store.curve("nobody", "loss", 100).total());
            assertEquals(List.of("acc", "loss"), store.curveMetrics(List.of("r", "q")));
        }
    }
}
