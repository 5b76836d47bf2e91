package org.scalelab.phase;

/**
 * Least-squares parabola y = a·x² + b·x + c (the fit {@code numpy.polyfit(x, y, 2)} computes) and its
 * vertex x* = −b / (2a). The normal equations are solved in x centred on its mean, where they are well
 * conditioned for the few decades of log size they are used on; the vertex does not depend on the
 * shift, and the coefficients are mapped back to x.
 *
 * @param a the curvature (&gt; 0: a minimum, a U shape)
 */
public record QuadraticFit(double a, double b, double c, int n) {

    /** The fit, or null when fewer than three distinct x values leave the parabola undetermined. */
    public static QuadraticFit of(double[] x, double[] y) {
        int n = x.length;
        if (distinct(x) < 3) {
            return null;
        }
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= n;
        // Sums of powers of the centred x and of y times them: the normal equations' entries.
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
        for (int i = 0; i < n; i++) {
            double u = x[i] - m;
            double u2 = u * u;
            s1 += u;
            s2 += u2;
            s3 += u2 * u;
            s4 += u2 * u2;
            t0 += y[i];
            t1 += u * y[i];
            t2 += u2 * y[i];
        }
        double[][] g = {{s4, s3, s2, t2}, {s3, s2, s1, t1}, {s2, s1, n, t0}};
        double[] sol = solve3(g);
        if (sol == null) {
            return null;
        }
        double a = sol[0], bc = sol[1], cc = sol[2];
        // y = a(x−m)² + bc(x−m) + cc, expanded in x.
        return new QuadraticFit(a, bc - 2 * a * m, a * m * m - bc * m + cc, n);
    }

    /** x* = −b / (2a), where the parabola turns; NaN when a = 0. */
    public double vertex() {
        return a == 0 ? Double.NaN : -b / (2 * a);
    }

    public double at(double x) {
        return (a * x + b) * x + c;
    }

    static int distinct(double[] x) {
        double[] s = x.clone();
        java.util.Arrays.sort(s);
        int d = s.length == 0 ? 0 : 1;
        for (int i = 1; i < s.length; i++) {
            if (s[i] != s[i - 1]) {
                d++;
            }
        }
        return d;
    }

    /** Gaussian elimination with partial pivoting on an augmented 3×4 system; null when singular. */
    private static double[] solve3(double[][] g) {
        for (int col = 0; col < 3; col++) {
            int p = col;
            for (int r = col + 1; r < 3; r++) {
                if (Math.abs(g[r][col]) > Math.abs(g[p][col])) {
                    p = r;
                }
            }
            double[] tmp = g[col];
            g[col] = g[p];
            g[p] = tmp;
            if (g[col][col] == 0) {
                return null;
            }
            for (int r = col + 1; r < 3; r++) {
                double f = g[r][col] / g[col][col];
                for (int k = col; k < 4; k++) {
                    g[r][k] -= f * g[col][k];
                }
            }
        }
        double[] s = new double[3];
        for (int r = 2; r >= 0; r--) {
            double v = g[r][3];
            for (int k = r + 1; k < 3; k++) {
                v -= g[r][k] * s[k];
            }
            s[r] = v / g[r][r];
        }
        return s;
    }
}
