package org.scalelab.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.io.Json;

/**
 * The probe minimises scikit-learn's L2 logistic objective: its weights and bias equal those of
 * {@code sklearn.linear_model.LogisticRegression(C=…)} solved to a tiny tolerance (Newton–Cholesky,
 * the exact-Hessian solver), within 1e-6 of the largest weight.
 */
class LogisticProbeTest {
    @TempDir
    Path dir;

    static final String SKLEARN = String.join("\n",
            "import json, sys, numpy as np",
            "from sklearn.linear_model import LogisticRegression",
            "x = np.loadtxt(sys.argv[1], ndmin=2); y = np.loadtxt(sys.argv[2]).astype(int)",
            "m = LogisticRegression(C=float(sys.argv[3]), solver='newton-cholesky', tol=1e-14, max_iter=10000).fit(x, y)",
            "print(json.dumps({'w': m.coef_[0].tolist(), 'b': float(m.intercept_[0])}))");

    @BeforeAll
    static void python() {
        PythonReference.requireModules("numpy", "sklearn");
    }

    /** Overlapping classes along a planted direction; columns scaled from 0.01 to 100 and offset by a large shared mean. */
    static double[][] rows(int n, int d, long seed, boolean[] y) {
        Random r = new Random(seed);
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextBoolean();
            for (int j = 0; j < d; j++) {
                double scale = Math.pow(10, -2 + 4.0 * j / Math.max(1, d - 1));
                double signal = j % 3 == 0 ? (y[i] ? 0.6 : -0.6) : 0;
                x[i][j] = scale * (r.nextGaussian() + signal) + 5 * scale;
            }
        }
        return x;
    }

    void matchesSklearn(int n, int d, double c, long seed) throws Exception {
        boolean[] y = new boolean[n];
        double[][] x = rows(n, d, seed, y);
        StringBuilder xs = new StringBuilder();
        StringBuilder ys = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xs.append(j == 0 ? "" : " ").append(x[i][j]);
            }
            xs.append('\n');
            ys.append(y[i] ? 1 : 0).append('\n');
        }
        Path xf = Files.writeString(dir.resolve("x" + seed + ".txt"), xs);
        Path yf = Files.writeString(dir.resolve("y" + seed + ".txt"), ys);
        JsonNode ref = Json.mapper().readTree(PythonReference.runCode(SKLEARN, xf.toString(), yf.toString(), Double.toString(c)));
        LogisticProbe p = LogisticProbe.fit(x, y, c);
        double[] w = p.weights();
        double largest = 0;
        for (int j = 0; j < d; j++) {
            largest = Math.max(largest, Math.abs(ref.get("w").get(j).asDouble()));
        }
        for (int j = 0; j < d; j++) {
            assertEquals(ref.get("w").get(j).asDouble(), w[j], 1e-6 * largest, "weight " + j + " (n " + n + ", d " + d + ", C " + c + ")");
        }
        double b = ref.get("b").asDouble();
        assertEquals(b, p.bias(), 1e-6 * Math.max(1, Math.abs(b)), "bias");
    }

    @Test
    void weightsAndBiasEqualSklearnOnBadlyScaledColumns() throws Exception {
        matchesSklearn(400, 24, 1.0, 1);
        matchesSklearn(300, 10, 0.05, 2);
    }

    @Test
    void weightsEqualSklearnWithMoreColumnsThanRows() throws Exception {
        matchesSklearn(40, 90, 0.5, 3);
    }

    @Test
    void predictsTheSideOfTheDecisionBoundary() {
        boolean[] y = new boolean[200];
        double[][] x = rows(200, 6, 4, y);
        LogisticProbe p = LogisticProbe.fit(x, y, 1.0);
        for (double[] row : x) {
            assertEquals(p.decision(row) > 0, p.predict(row));
        }
        assertTrue(p.accuracy(x, y) > 0.7, "the planted signal is readable: " + p.accuracy(x, y));
    }
}
