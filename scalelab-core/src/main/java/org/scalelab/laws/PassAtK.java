package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Unbiased pass@k from per-problem sample counts (Chen et al. 2021, "Evaluating Large Language Models
 * Trained on Code", eq. 1): with {@code n} samples of which {@code c} are correct,
 * pass@k = E[1 − C(n−c, k) / C(n, k)], i.e. the probability that a random k-subset of the n samples
 * contains at least one correct one. Averaging this over problems estimates the fraction of problems
 * solved with k attempts without the upward bias of "at least one correct among the first k".
 */
public final class PassAtK {
    private PassAtK() {}

    /** One problem's counts: {@code n} samples drawn, {@code c} of them correct. */
    public record Problem(String id, int n, int c) {
        public Problem {
            if (n < 1) {
                throw new InputException("problem '" + id + "': n = " + n + " samples; need n ≥ 1");
            }
            if (c < 0 || c > n) {
                throw new InputException("problem '" + id + "': c = " + c + " correct out of n = " + n + "; need 0 ≤ c ≤ n");
            }
        }
    }

    /** Mean pass@k over problems at one k, with the standard error of that mean over problems. */
    public record Point(int k, double passAtK, Double standardError) {}

    /** One problem's pass@k at each of the result's ks (same order). */
    public record ProblemPassAtK(String problem, int n, int c, double[] passAtK) {}

    /**
     * @param ks           the k values, ascending
     * @param curve        mean pass@k over problems at each k
     * @param perProblem   every problem's pass@k at each k
     * @param problems     number of problems
     * @param minSamples   the smallest n over problems (the largest k that can be estimated)
     */
    public record Result(List<Integer> ks, List<Point> curve, List<ProblemPassAtK> perProblem, int problems,
            int minSamples, Provenance provenance) {

        /** Mean pass@k at {@code k}; fails if k was not evaluated. */
        public double mean(int k) {
            for (Point p : curve) {
                if (p.k() == k) {
                    return p.passAtK();
                }
            }
            throw new IllegalArgumentException("k = " + k + " not in " + ks);
        }
    }

    /**
     * Unbiased pass@k for one problem in the numerically stable product form of Chen et al. (2021):
     * 1 − C(n−c,k)/C(n,k) = 1 − Π_{i=n−c+1}^{n} (1 − k/i). Every factor lies in [0, 1], so there is no
     * overflow of the binomials (which exceed 1e308 already at n ≈ 1030). We sum the factors' logs
     * (log1p) and return −expm1(sum) rather than 1 − product: for rare successes (pass@1 = 1e-5) the
     * subtraction 1 − product would keep only ~11 significant digits.
     */
    public static double unbiased(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n) {
            throw new InputException("pass@k needs n ≥ 1 and 0 ≤ c ≤ n; got n = " + n + ", c = " + c);
        }
        if (k < 1 || k > n) {
            throw new InputException("pass@" + k + " needs 1 ≤ k ≤ n = " + n + " (k samples drawn from the n available)");
        }
        if (n - c < k) {
            return 1.0; // every k-subset must contain a correct sample
        }
        double logAllWrong = 0.0;
        for (int i = n - c + 1; i <= n; i++) {
            logAllWrong += Math.log1p(-(double) k / i);
        }
        return -Math.expm1(logAllWrong);
    }

    /** Default ks: 1, 2, 4, … up to n, with n itself appended when it is not a power of two. */
    public static int[] defaultKs(int n) {
        List<Integer> ks = new ArrayList<>();
        for (long k = 1; k <= n; k *= 2) {
            ks.add((int) k);
        }
        if (ks.get(ks.size() - 1) != n) {
            ks.add(n);
        }
        return ks.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The input: every problem's counts, and where they came from (recorded in the provenance).
     */
    public record Input(List<Problem> problems, List<Provenance.Input> inputs) {}

    /**
     * @param ks the k values (null or empty → {@link #defaultKs} of the smallest n)
     */
    public record Options(int[] ks) {
        public static Options defaults() {
            return new Options(null);
        }
    }

    /**
     * pass@k for every problem and its mean over problems, at the options' ks. Every k must satisfy
     * 1 ≤ k ≤ n for every problem: a k above some problem's n cannot be estimated without bias, so we
     * fail rather than silently drop that problem.
     */
    public static Result analyze(Input input, Options options) {
        List<Problem> problems = input.problems();
        int[] ks = options.ks();
        if (problems.isEmpty()) {
            throw new InputException("pass@k: no problems given");
        }
        int minN = problems.stream().mapToInt(Problem::n).min().getAsInt();
        int[] k = ks == null || ks.length == 0 ? defaultKs(minN) : Arrays.stream(ks).sorted().distinct().toArray();
        for (int kk : k) {
            if (kk < 1) {
                throw new InputException("pass@k: k = " + kk + " must be ≥ 1");
            }
            if (kk > minN) {
                Problem p = problems.stream().filter(q -> q.n() == minN).findFirst().orElseThrow();
                throw new InputException("pass@k: k = " + kk + " exceeds n = " + minN + " samples of problem '" + p.id()
                        + "'; use k ≤ " + minN + " or draw more samples for that problem");
            }
        }
        double[][] per = new double[problems.size()][k.length];
        List<ProblemPassAtK> rows = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            for (int j = 0; j < k.length; j++) {
                per[i][j] = unbiased(p.n(), p.c(), k[j]);
            }
            rows.add(new ProblemPassAtK(p.id(), p.n(), p.c(), per[i]));
        }
        List<Point> curve = new ArrayList<>();
        int m = problems.size();
        for (int j = 0; j < k.length; j++) {
            double sum = 0;
            for (double[] r : per) {
                sum += r[j];
            }
            double mean = sum / m;
            Double se = null;
            if (m > 1) {
                double ss = 0;
                for (double[] r : per) {
                    ss += (r[j] - mean) * (r[j] - mean);
                }
                se = Math.sqrt(ss / (m - 1) / m);
            }
            curve.add(new Point(k[j], mean, se));
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("ks", Arrays.stream(k).boxed().toList());
        Provenance prov = Provenance.of("testtime.passk", input.inputs(), recorded, null);
        return new Result(Arrays.stream(k).boxed().toList(), curve, rows, m, minN, prov);
    }
}
