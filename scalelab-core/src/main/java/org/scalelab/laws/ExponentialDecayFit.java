package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scalelab.Provenance;

/**
 * Exponential decay to a floor, y = E + A·exp(−x/s): a metric approaching its limit E with decay scale
 * s (in x's units), as loss curves against training steps are often summarised, and the standard
 * alternative to a power law's slower, scale-free decay. Fitted by least squares on y itself.
 *
 * <p>Starts: for each of a few decay scales s0 (fractions and multiples of the largest x), E and A
 * are linear in y, so ordinary least squares on the basis {1, exp(−x/s0)} gives their start values
 * (variable projection, Golub &amp; Pereyra 1973). s = exp(θ) keeps the scale positive.
 */
public final class ExponentialDecayFit {
    private ExponentialDecayFit() {}

    /** Fits the law to columns x (> 0) and y of a table; provenance names the table. */
    public static CurveFitResult analyze(CurveData data, CurveFitter.Options options) {
        return CurveFitter.analyze("fit exp", new Law(), data, options);
    }

    /** The law; all the rest of the fit is {@link CurveFitter}'s. */
    public static CurveFitResult fit(double[] x, double[] y, CurveFitter.Options options, Provenance provenance) {
        return CurveFitter.fit(new Law(), x, y, options, provenance);
    }

    /** y = E + A·exp(−x/s). */
    public static double value(double e, double a, double s, double x) {
        return e + a * Math.exp(-x / s);
    }

    static final class Law implements CurveLaw {
        @Override
        public String name() {
            return "exp";
        }

        @Override
        public String form() {
            return "E + A*exp(-x/s)";
        }

        @Override
        public List<String> parameterNames() {
            return List.of("E", "A", "s");
        }

        @Override
        public boolean logResiduals() {
            return false;
        }

        @Override
        public double value(double[] p, double x) {
            return ExponentialDecayFit.value(p[0], p[1], p[2], x);
        }

        @Override
        public double[] estimate(double[] x, double[] y, double[] warm) {
            int n = x.length;
            double xMax = Arrays.stream(x).max().orElseThrow();
            // θ = (E, A, ln(s / xMax)).
            CurveFit.Residuals res = (t, out) -> {
                double s = Math.exp(t[2]) * xMax;
                for (int i = 0; i < n; i++) {
                    out[i] = y[i] - (t[0] + t[1] * Math.exp(-x[i] / s));
                }
            };
            double[] warmTheta = warm == null || !(warm[2] > 0) ? null
                    : new double[] {warm[0], warm[1], Math.log(warm[2] / xMax)};
            CurveFit.Optimum o = CurveFit.fromStarts(res, null, n, warmTheta, () -> {
                List<double[]> starts = new ArrayList<>();
                for (double share : new double[] {0.03, 0.1, 0.3, 1, 3}) {
                    double[] ea = linearStart(x, y, share * xMax);
                    if (ea != null) {
                        starts.add(new double[] {ea[0], ea[1], Math.log(share)});
                    }
                }
                return starts;
            }, true);
            if (!o.converged()) {
                return null;
            }
            double[] t = o.theta();
            return new double[] {t[0], t[1], Math.exp(t[2]) * xMax};
        }

        @Override
        public Verdict judge(double[] p, double[] x, double[] y) {
            double xMin = Arrays.stream(x).min().orElseThrow();
            double xMax = Arrays.stream(x).max().orElseThrow();
            if (p[2] > xMax - xMin) {
                return Verdict.warnings(List.of("the decay scale s = " + p[2] + " exceeds the observed x range ["
                        + xMin + ", " + xMax + "]: the floor E is an extrapolation"));
            }
            return Verdict.CONVERGED;
        }

        /** Least-squares (E, A) for a fixed scale s, or null when the basis is singular. */
        private static double[] linearStart(double[] x, double[] y, double s) {
            int n = x.length;
            double su = 0;
            double suu = 0;
            double sy = 0;
            double suy = 0;
            for (int i = 0; i < n; i++) {
                double u = Math.exp(-x[i] / s);
                su += u;
                suu += u * u;
                sy += y[i];
                suy += u * y[i];
            }
            double det = n * suu - su * su;
            if (!(Math.abs(det) > 1e-300)) {
                return null;
            }
            double a = (n * suy - su * sy) / det;
            return new double[] {(sy - a * su) / n, a};
        }
    }
}
