package org.scalelab.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;

/**
 * Spearman's ρ against {@code scipy.stats.spearmanr}, and the partial Spearman against numpy's
 * correlation of the residuals of the ranks (least squares on the third variable's ranks), on data
 * with and without ties. Tolerance 1e-12 (both compute in float64 from the same values).
 */
class RankCorrelationTest {
    @TempDir
    Path dir;

    static final String REFERENCE = String.join("\n",
            "import sys, numpy as np",
            "from scipy.stats import spearmanr, rankdata",
            "d = np.loadtxt(sys.argv[1], delimiter=',')",
            "x, y, z = d[:, 0], d[:, 1], d[:, 2]",
            "rx, ry, rz = rankdata(x), rankdata(y), rankdata(z)",
            "A = np.column_stack([np.ones_like(rz), rz])",
            "ex = rx - A @ np.linalg.lstsq(A, rx, rcond=None)[0]",
            "ey = ry - A @ np.linalg.lstsq(A, ry, rcond=None)[0]",
            "print(repr(float(spearmanr(x, y).correlation)), repr(float(np.corrcoef(ex, ey)[0, 1])))");

    @Test
    void spearmanAndPartialSpearmanMatchScipyAndNumpy() throws Exception {
        PythonReference.requireModules("numpy", "scipy");
        for (int c = 0; c < 4; c++) {
            SplittableRandom r = new SplittableRandom(100 + c);
            int n = 15 + 20 * c;
            boolean ties = c % 2 == 0;
            double[] x = new double[n];
            double[] y = new double[n];
            double[] z = new double[n];
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                z[i] = ties ? r.nextInt(4) : r.nextGaussian();
                x[i] = ties ? Math.round(2 * z[i] + r.nextGaussian() * 2) : z[i] + r.nextGaussian();
                y[i] = ties ? Math.round(z[i] - x[i] / 3 + r.nextGaussian()) : z[i] * z[i] + 0.5 * x[i] + r.nextGaussian();
                lines.add(String.format(Locale.ROOT, "%.17g,%.17g,%.17g", x[i], y[i], z[i]));
            }
            Path csv = Files.write(dir.resolve("case" + c + ".csv"), lines);
            String[] ref = PythonReference.runCode(REFERENCE, csv.toString()).trim().split("\\s+");
            assertEquals(Double.parseDouble(ref[0]), RankCorrelation.spearman(x, y), 1e-12, "spearman, case " + c);
            assertEquals(Double.parseDouble(ref[1]), RankCorrelation.partialSpearman(x, y, z), 1e-12, "partial spearman, case " + c);
        }
    }

    @Test
    void ranksAverageTies() {
        double[] r = RankCorrelation.ranks(new double[] {3, 1, 3, 2, 3});
        assertEquals(List.of(4.0, 1.0, 4.0, 2.0, 4.0), java.util.Arrays.stream(r).boxed().toList());
    }

    @Test
    void aConstantVariableHasNoCorrelation() {
        assertTrue(Double.isNaN(RankCorrelation.spearman(new double[] {1, 2, 3}, new double[] {5, 5, 5})));
        assertTrue(Double.isNaN(RankCorrelation.partialSpearman(new double[] {1, 2, 3}, new double[] {3, 1, 2}, new double[] {1, 2, 3})));
        assertEquals(-1, RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {9, 7, 4, 0}), 1e-15);
    }
}
