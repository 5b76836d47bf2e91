package org.scalelab.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;

/**
 * lm-evaluation-harness's multiple-choice metrics over a task's example scores. Every task reports the
 * same four, in this order (one rule, so tables and the lab store always have the same columns):
 *
 * <ul>
 *   <li>{@code acc}: 1 when the choice with the highest summed log-prob is a gold (lm-eval's
 *       {@code process_results} for {@code output_type: multiple_choice}: {@code argmax(lls)}, first on
 *       ties, {@code pred in gold}).
 *   <li>{@code acc_norm}: the same with each log-prob divided by its choice's length — characters by
 *       default, as lm-eval's {@code completion_len = len(choice)} (Unicode code points, without the
 *       leading delimiter), or UTF-8 bytes (lm-eval's {@code acc_bytes}) or tokens.
 *   <li>{@code mc1}: 1 when the highest-scored choice is the first gold. TruthfulQA's MC1 puts its one
 *       true answer first ({@code doc_to_target: 0}); on a task with one gold per example mc1 equals acc.
 *   <li>{@code mc2}: the normalised probability mass on the golds, Σ_gold exp(ll) / Σ_all exp(ll)
 *       (TruthfulQA's {@code process_results_mc2}), computed as exp(ll − max ll) so no term under- or
 *       overflows; on a one-gold task it is the softmax probability of the gold.
 * </ul>
 *
 * Each is the mean over examples with lm-eval's {@code mean_stderr}: the sample standard deviation
 * (n − 1) over √n; NaN for fewer than 2 examples.
 */
public final class TaskMetrics {
    /** The metrics every task reports, in report order. */
    public static final List<String> NAMES = List.of("acc", "acc_norm", "mc1", "mc2");
    /** The metrics whose per-example values are 0 or 1 (paired comparisons use McNemar on these, a bootstrap on the rest). */
    public static final Set<String> BINARY = Set.of("acc", "acc_norm", "mc1");

    private TaskMetrics() {}

    /**
     * The task's metrics over {@code scores} (any subset of its examples, each at most once, e.g. the
     * first N with {@code --limit}), dividing acc_norm's log-probs by the lengths {@code norm} names.
     */
    public static TaskScore compute(EvalTask task, List<ExampleScore> scores, LengthNorm norm) {
        Map<String, EvalExample> byId = new HashMap<>();
        for (EvalExample e : task.examples()) {
            byId.put(e.id(), e);
        }
        Set<String> seen = new HashSet<>();
        List<double[]> columns = new ArrayList<>();
        for (int m = 0; m < NAMES.size(); m++) {
            columns.add(new double[scores.size()]);
        }
        for (int i = 0; i < scores.size(); i++) {
            ExampleScore s = scores.get(i);
            EvalExample e = byId.get(s.id());
            if (e == null) {
                throw new InputException(task.file() + ": a score names example \"" + InputException.quote(s.id())
                        + "\", which task " + task.name() + " does not have");
            }
            if (!seen.add(s.id())) {
                throw new InputException(task.file() + ": example \"" + InputException.quote(s.id()) + "\" is scored twice");
            }
            double[] v = values(e, s, norm);
            for (int m = 0; m < v.length; m++) {
                columns.get(m)[i] = v[m];
            }
        }
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (int m = 0; m < NAMES.size(); m++) {
            metrics.put(NAMES.get(m), meanWithStderr(columns.get(m)));
        }
        return new TaskScore(task.name(), scores.size(), metrics);
    }

    /** One example's values of {@link #NAMES}, in that order. */
    public static double[] values(EvalExample e, ExampleScore s, LengthNorm norm) {
        if (s.logprobs().length != e.choices().size()) {
            throw new IllegalArgumentException(e.where() + ": " + s.logprobs().length + " log-probs for " + e.choices().size() + " choices");
        }
        return values(e.where(), s.logprobs(), length(s, norm), e.gold(), norm);
    }

    /** Each choice's length in {@code norm}'s unit: what acc_norm divides its log-prob by. */
    public static int[] length(ExampleScore s, LengthNorm norm) {
        return switch (norm) {
            case CHARS -> s.chars();
            case BYTES -> s.bytes();
            case TOKENS -> s.tokens();
        };
    }

    /**
     * The values of {@link #NAMES}, in that order, of an example with these per-choice log-probs, lengths in
     * {@code norm}'s unit and golds; {@code where} names the example in an error.
     */
    public static double[] values(String where, double[] lp, int[] length, int[] gold, LengthNorm norm) {
        for (double x : lp) {
            if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(where + ": log-prob " + x + " (expected a finite value or −∞)");
            }
        }
        if (length.length != lp.length) {
            throw new IllegalArgumentException(where + ": " + length.length + " lengths for " + lp.length + " log-probs");
        }
        double[] normalised = new double[lp.length];
        for (int i = 0; i < lp.length; i++) {
            if (length[i] <= 0) {
                throw new IllegalArgumentException(where + ": choice " + i + " has length " + length[i] + " in " + norm);
            }
            normalised[i] = lp[i] / length[i];
        }
        int pred = argmax(lp);
        int predNorm = argmax(normalised);
        return new double[] {
            isIn(pred, gold) ? 1 : 0,
            isIn(predNorm, gold) ? 1 : 0,
            pred == gold[0] ? 1 : 0,
            goldMass(lp, gold),
        };
    }

    private static boolean isIn(int i, int[] gold) {
        for (int g : gold) {
            if (g == i) {
                return true;
            }
        }
        return false;
    }

    /** Index of the chosen choice: argmax of the summed log-prob, the first on ties. */
    public static int chosen(ExampleScore s) {
        return argmax(s.logprobs());
    }

    /** Whether the chosen choice is one of the example's golds (the example's {@code acc}). */
    public static boolean correct(EvalExample e, ExampleScore s) {
        return e.isGold(chosen(s));
    }

    /** lm-eval's {@code mean} and {@code mean_stderr}: Σx / n and sqrt(Σ(x − mean)² / (n − 1)) / √n (NaN for n < 2). */
    public static Metric meanWithStderr(double[] x) {
        int n = x.length;
        if (n == 0) {
            return new Metric(Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / n;
        if (n < 2) {
            return new Metric(mean, Double.NaN);
        }
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        return new Metric(mean, Math.sqrt(ss / (n - 1)) / Math.sqrt(n));
    }

    /** numpy's argmax: the first index of the largest value. */
    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * TruthfulQA's MC2 for one example: Σ_gold exp(ll) / Σ_all exp(ll), each term scaled by exp(−max ll) so
     * none under- or overflows; NaN when every choice has probability 0.
     */
    public static double goldMass(double[] logprobs, int[] gold) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : logprobs) {
            max = Math.max(max, x);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return Double.NaN;
        }
        double all = 0;
        for (double x : logprobs) {
            all += Math.exp(x - max);
        }
        double onGold = 0;
        for (int g : gold) {
            onGold += Math.exp(logprobs[g] - max);
        }
        return onGold / all;
    }
}
