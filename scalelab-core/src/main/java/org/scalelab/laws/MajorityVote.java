package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Majority-vote accuracy maj@k from per-sample answers (self-consistency, Wang et al. 2023; the
 * maj@k vs pass@k comparison of Brown et al. 2024, §5): draw k of a problem's n samples without
 * replacement, return the most frequent answer, score it. maj@k is the expectation of that score
 * over all C(n, k) equally likely subsets, with ties between top answers broken uniformly at random
 * and therefore counted fractionally (a 2-way tie with one correct answer scores ½).
 *
 * <p>Samples with no answer (null/blank) abstain: they use up one of the k draws but cast no vote;
 * a subset where every sample abstains scores 0. Several distinct answers may be correct (e.g. "0.5"
 * and "1/2" when correctness comes from a flag); the vote is right when a correct answer wins.
 *
 * <p><b>Exact by default.</b> By linearity, maj@k = Σ over correct answers g of E[1{g on top}/|top|].
 * For each g and each count j ≥ 1 of g in the subset, a dynamic programme over the other answers
 * walks the multivariate hypergeometric distribution one answer at a time (P(x of the next answer |
 * r still to draw from R left) = C(m,x)·C(R−m, r−x)/C(R, r), all factors ≤ 1, via log-factorials),
 * keeping every other answer ≤ j and counting the t answers tied at j; the subset scores 1/(t+1).
 * When that programme's operation count for a (problem, k) exceeds {@link Options#exactWorkLimit}
 * we fall back to seeded Monte Carlo over random subsets and say so per problem.
 */
public final class MajorityVote {
    private MajorityVote() {}

    /** One sampled answer; {@code answer} null means the sample gave none (abstains). */
    public record Sample(String problem, String answer, boolean correct) {}

    /**
     * @param ks              the k values (null/empty → 1, 2, 4, … up to the smallest n, plus that n)
     * @param exactWorkLimit  above this estimated operation count per (problem, k), use Monte Carlo
     * @param draws           Monte Carlo subsets per (problem, k) when exact is too costly
     * @param seed            Monte Carlo seed
     */
    public record Options(int[] ks, long exactWorkLimit, int draws, long seed) {
        public static Options defaults() {
            return new Options(null, 200_000_000L, 20_000, 0);
        }
    }

    /** maj@k and pass@k of one problem at each of the result's ks. */
    public record ProblemVote(String problem, int n, int correct, int distinctAnswers, int abstentions, String method,
            double[] majAtK, double[] passAtK) {}

    /** Mean over problems at one k. */
    public record Point(int k, double majAtK, double passAtK) {}

    /** {@code method}: "exact", "monte_carlo" or "mixed" (some problems each way). */
    public record Result(List<Integer> ks, List<Point> curve, List<ProblemVote> perProblem, int problems, String method,
            Integer monteCarloDraws, Provenance provenance) {}

    /** The input: every sampled answer, and where the samples came from (recorded in the provenance). */
    public record Input(List<Sample> samples, List<Provenance.Input> inputs) {}

    public static Result analyze(Input input, Options options) {
        List<Sample> samples = input.samples();
        List<Provenance.Input> inputs = input.inputs();
        if (samples.isEmpty()) {
            throw new InputException("majority vote: no samples given");
        }
        Map<String, Map<String, int[]>> byProblem = new LinkedHashMap<>(); // problem → answer → {count, correct}
        Map<String, Integer> abstain = new LinkedHashMap<>();
        for (Sample s : samples) {
            Map<String, int[]> answers = byProblem.computeIfAbsent(s.problem(), p -> new LinkedHashMap<>());
            abstain.merge(s.problem(), 0, Integer::sum);
            if (s.answer() == null || s.answer().isBlank()) {
                abstain.merge(s.problem(), 1, Integer::sum);
                continue;
            }
            int[] g = answers.computeIfAbsent(s.answer().trim(), a -> new int[] {0, s.correct() ? 1 : 0});
            if ((g[1] == 1) != s.correct()) {
                throw new InputException("problem '" + s.problem() + "': answer '" + s.answer().trim()
                        + "' is marked both correct and wrong; normalise answers or fix the correct flags");
            }
            g[0]++;
        }
        int minN = Integer.MAX_VALUE;
        for (String p : byProblem.keySet()) {
            int n = abstain.get(p) + byProblem.get(p).values().stream().mapToInt(g -> g[0]).sum();
            minN = Math.min(minN, n);
        }
        int[] ks = options.ks() == null || options.ks().length == 0
                ? PassAtK.defaultKs(minN) : Arrays.stream(options.ks()).sorted().distinct().toArray();
        for (int k : ks) {
            if (k < 1 || k > minN) {
                throw new InputException("maj@k: k = " + k + " must be in [1, " + minN + "] (the fewest samples of any problem)");
            }
        }
        List<ProblemVote> rows = new ArrayList<>();
        boolean anyExact = false, anyMc = false;
        int pi = 0;
        for (Map.Entry<String, Map<String, int[]>> e : byProblem.entrySet()) {
            List<int[]> groups = new ArrayList<>(e.getValue().values());
            int[] counts = groups.stream().mapToInt(g -> g[0]).toArray();
            boolean[] correct = new boolean[counts.length];
            int c = 0;
            for (int i = 0; i < counts.length; i++) {
                correct[i] = groups.get(i)[1] == 1;
                c += correct[i] ? counts[i] : 0;
            }
            int a = abstain.get(e.getKey());
            int n = a + Arrays.stream(counts).sum();
            double[] maj = new double[ks.length];
            double[] pass = new double[ks.length];
            boolean mc = false;
            for (int j = 0; j < ks.length; j++) {
                pass[j] = PassAtK.unbiased(n, c, ks[j]);
                if (exactWork(counts, correct, ks[j]) <= options.exactWorkLimit()) {
                    maj[j] = exact(counts, correct, a, ks[j]);
                } else {
                    long seed = options.seed() * 0x9E3779B97F4A7C15L + 1_000_003L * pi + ks[j];
                    maj[j] = monteCarlo(counts, correct, a, ks[j], options.draws(), seed);
                    mc = true;
                }
            }
            anyMc |= mc;
            anyExact |= !mc;
            rows.add(new ProblemVote(e.getKey(), n, c, counts.length, a, mc ? "monte_carlo" : "exact", maj, pass));
            pi++;
        }
        List<Point> curve = new ArrayList<>();
        for (int j = 0; j < ks.length; j++) {
            double sm = 0, sp = 0;
            for (ProblemVote r : rows) {
                sm += r.majAtK()[j];
                sp += r.passAtK()[j];
            }
            curve.add(new Point(ks[j], sm / rows.size(), sp / rows.size()));
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("ks", Arrays.stream(ks).boxed().toList());
        opts.put("exact_work_limit", options.exactWorkLimit());
        opts.put("draws", options.draws());
        String method = anyMc ? (anyExact ? "mixed" : "monte_carlo") : "exact";
        Provenance prov = Provenance.of("testtime.majority", inputs, opts, anyMc ? options.seed() : null);
        return new Result(Arrays.stream(ks).boxed().toList(), curve, rows, rows.size(), method,
                anyMc ? options.draws() : null, prov);
    }

    /**
     * Upper bound on the operation count of {@link #exact}: Σ_g correct Σ_j Σ_h states(j) · (min(j, m_h) + 1).
     * Loose (unreachable states are skipped): the programme does at most this many operations, so the
     * default limit errs towards Monte Carlo (one bound's running time: docs/development.md, "Numbers
     * behind the code").
     */
    static long exactWork(int[] counts, boolean[] correct, int k) {
        long work = 0;
        for (int g = 0; g < counts.length; g++) {
            if (!correct[g]) {
                continue;
            }
            for (int j = 1; j <= Math.min(k, counts[g]); j++) {
                long ties = Math.min(counts.length - 1, (k - j) / j) + 1;
                long states = (long) (k - j + 1) * ties;
                for (int h = 0; h < counts.length; h++) {
                    if (h != g) {
                        work += states * (Math.min(j, counts[h]) + 1);
                    }
                }
                work += 1;
            }
        }
        return work;
    }

    /**
     * Exact maj@k of one problem: {@code counts[g]} samples gave answer g ({@code correct[g]} says
     * whether it is right), {@code abstain} samples gave none; k drawn without replacement.
     */
    static double exact(int[] counts, boolean[] correct, int abstain, int k) {
        int n = abstain + Arrays.stream(counts).sum();
        double[] lf = logFactorials(n);
        double total = 0;
        for (int g = 0; g < counts.length; g++) {
            if (!correct[g]) {
                continue;
            }
            int others = counts.length - 1;
            for (int j = 1; j <= Math.min(k, counts[g]); j++) {
                double pj = hyper(lf, counts[g], j, n, k);
                if (pj == 0) {
                    continue;
                }
                int maxTies = Math.min(others, (k - j) / j);
                // state[r][t]: probability that, of the answers processed so far, none exceeds j,
                // t equal j, and r draws are still to be made.
                double[][] state = new double[k - j + 1][maxTies + 1];
                state[k - j][0] = 1.0;
                int left = n - counts[g]; // population not yet processed (other answers + abstentions)
                for (int h = 0; h < counts.length; h++) {
                    if (h == g) {
                        continue;
                    }
                    int m = counts[h];
                    double[][] next = new double[k - j + 1][maxTies + 1];
                    for (int r = 0; r <= k - j; r++) {
                        for (int t = 0; t <= maxTies; t++) {
                            double w = state[r][t];
                            if (w == 0) {
                                continue;
                            }
                            for (int x = 0; x <= Math.min(Math.min(j, m), r); x++) {
                                int nt = x == j ? t + 1 : t;
                                if (nt > maxTies) {
                                    continue;
                                }
                                double px = hyper(lf, m, x, left, r);
                                next[r - x][nt] += w * px;
                            }
                        }
                    }
                    state = next;
                    left -= m;
                }
                // Remaining draws r come from the `left` = abstain samples: possible only if r ≤ abstain.
                double sum = 0;
                for (int r = 0; r <= Math.min(k - j, left); r++) {
                    for (int t = 0; t <= maxTies; t++) {
                        sum += state[r][t] / (t + 1);
                    }
                }
                total += pj * sum;
            }
        }
        return Math.min(1.0, total);
    }

    /** P(x of the next m items | r drawn from R) = C(m,x)·C(R−m, r−x)/C(R, r). */
    private static double hyper(double[] lf, int m, int x, int bigR, int r) {
        if (x < 0 || x > m || r - x < 0 || r - x > bigR - m || r > bigR) {
            return 0;
        }
        return Math.exp(logChoose(lf, m, x) + logChoose(lf, bigR - m, r - x) - logChoose(lf, bigR, r));
    }

    private static double logChoose(double[] lf, int a, int b) {
        return lf[a] - lf[b] - lf[a - b];
    }

    private static double[] logFactorials(int n) {
        double[] lf = new double[n + 1];
        for (int i = 2; i <= n; i++) {
            lf[i] = lf[i - 1] + Math.log(i);
        }
        return lf;
    }

    /** Seeded Monte Carlo estimate of maj@k: {@code draws} random k-subsets (partial Fisher–Yates). */
    static double monteCarlo(int[] counts, boolean[] correct, int abstain, int k, int draws, long seed) {
        int n = abstain + Arrays.stream(counts).sum();
        int[] pool = new int[n]; // answer index of every sample, −1 = abstain
        int p = 0;
        for (int g = 0; g < counts.length; g++) {
            for (int i = 0; i < counts[g]; i++) {
                pool[p++] = g;
            }
        }
        for (int i = 0; i < abstain; i++) {
            pool[p++] = -1;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] votes = new int[counts.length];
        double score = 0;
        for (int d = 0; d < draws; d++) {
            Arrays.fill(votes, 0);
            for (int i = 0; i < k; i++) {
                int swap = i + rng.nextInt(n - i);
                int tmp = pool[i];
                pool[i] = pool[swap];
                pool[swap] = tmp;
                if (pool[i] >= 0) {
                    votes[pool[i]]++;
                }
            }
            score += voteScore(votes, correct);
        }
        return score / draws;
    }

    /** Score of one subset's votes: (correct answers among the top) / (answers on top); 0 if no votes. */
    static double voteScore(int[] votes, boolean[] correct) {
        int max = 0;
        for (int v : votes) {
            max = Math.max(max, v);
        }
        if (max == 0) {
            return 0;
        }
        int top = 0, topCorrect = 0;
        for (int g = 0; g < votes.length; g++) {
            if (votes[g] == max) {
                top++;
                topCorrect += correct[g] ? 1 : 0;
            }
        }
        return (double) topCorrect / top;
    }
}
