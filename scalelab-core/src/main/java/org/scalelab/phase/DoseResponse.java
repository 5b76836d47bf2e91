package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hipparchus.distribution.continuous.TDistribution;
import org.scalelab.InputException;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * The dose-response of steering: how a task's per-prompt outcomes move as a direction is added with
 * growing strength α, against random directions of the same norm, with intervals over prompts.
 * Pure statistics over outcomes already measured (deterministic metrics, no sampling): the runtime
 * that produces them lives elsewhere.
 *
 * <p><b>Effects.</b> Every effect is paired per prompt against the unsteered model (α = 0): for
 * prompt i, Δ_i(α) = y_i(α) − y_i(0), with y the prompt's correctness (0/1) or its logit difference;
 * the effect is the mean of Δ over prompts, its interval the bootstrap percentile interval over
 * prompts (Efron &amp; Tibshirani 1993, ch. 13; the same resampled prompts for every α and
 * direction, so curves and differences stay paired).
 *
 * <p><b>Controls.</b> K random directions of the same norm give K effects at each α: their mean and
 * their band (the 2.5–97.5 % quantiles over the K controls, numpy's linear method; for small K
 * this is close to their min–max). The <b>gain</b> is the steering effect minus the controls' mean.
 * Its interval must answer "is this direction better than a random one?", so it counts two sources
 * of variation: the prompts (the gain's bootstrap variance) and the direction itself (a random
 * direction has an effect of its own, spread s_c across the controls). The interval is
 * gain ± t_{K−1}·√(var_boot + s_c²·(1 + 1/K)), the prediction interval of one more random direction
 * widened by the prompts' variance: a direction that is just another random direction excludes zero
 * at most about as often as 1 − level (checked on a planted null). It needs K ≥ 2.
 *
 * <p><b>ED50</b>: on the mean effect curve over α ≥ 0, the smallest dose where the effect reaches
 * half its maximum, interpolated linearly between grid points (the curve starts at (0, 0)). It is
 * undefined when the effect never rises above zero. Its interval is the percentile interval of the
 * ED50s of the bootstrap replicates where it is defined, with their number.
 *
 * <p><b>Degeneration dose</b>: the smallest α &gt; 0 of the grid where the held-out perplexity under
 * steering exceeds {@code factor} × the unsteered perplexity (default 2); none when no dose does.
 */
public final class DoseResponse {
    private DoseResponse() {}

    /** A task's per-prompt outcomes under one condition: correctness (0 or 1) and logit difference, prompt by prompt. */
    public record Outcomes(double[] correct, double[] logitDiff) {
        public Outcomes {
            if (correct.length != logitDiff.length) {
                throw new IllegalArgumentException(correct.length + " correctness values for " + logitDiff.length + " logit differences");
            }
            correct = correct.clone();
            logitDiff = logitDiff.clone();
        }

        public int size() {
            return correct.length;
        }

        double[] values(Metric m) {
            return m == Metric.ACCURACY ? correct : logitDiff;
        }
    }

    /**
     * One task swept over the α grid.
     *
     * @param steered         outcomes at each α of the grid, in grid order; the one at α = 0 is the unsteered baseline
     * @param controls        per control direction, its outcomes at each α (its α = 0 entry is not read: the baseline is shared)
     * @param ablated         outcomes with the direction projected out, or null when not measured
     * @param controlsAblated per control, outcomes with it projected out (empty when not measured)
     */
    public record TaskSweep(String task, List<Outcomes> steered, List<List<Outcomes>> controls, Outcomes ablated, List<Outcomes> controlsAblated) {
        public TaskSweep {
            steered = List.copyOf(steered);
            controls = controls.stream().map(List::copyOf).toList();
            controlsAblated = List.copyOf(controlsAblated);
        }
    }

    /**
     * @param alphas     the doses, in units the caller states (e.g. the hook's mean residual norm); must hold 0
     * @param target     the task the direction should help
     * @param other      the other capability's task (its cost), or null
     * @param perplexity held-out perplexity under steering at each α, or null
     */
    public record Input(double[] alphas, TaskSweep target, TaskSweep other, double[] perplexity) {
        public Input {
            alphas = alphas.clone();
            perplexity = perplexity == null ? null : perplexity.clone();
        }
    }

    /**
     * @param bootstrap        resamples of the prompts
     * @param level            confidence of every interval
     * @param seed             seed of the resamples
     * @param degenerateFactor perplexity over the unsteered one at which outputs count as degenerate
     */
    public record Options(int bootstrap, double level, long seed, double degenerateFactor) {
        public static Options defaults() {
            return new Options(2000, 0.95, 0, 2.0);
        }
    }

    public enum Metric {
        ACCURACY("acc"), LOGIT_DIFF("logit_diff");

        private final String key;

        Metric(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * An effect against the unsteered model, beside the random controls'.
     *
     * @param mean         mean per-prompt change
     * @param ci           its bootstrap interval over prompts
     * @param controlMean  the controls' mean effect (null without controls)
     * @param controlBand  the 2.5–97.5 % quantiles of the controls' effects (null without controls)
     * @param controls     each control's effect
     * @param gain         mean − controlMean (null without controls)
     * @param gainCi       the gain's interval (null with fewer than 2 controls)
     */
    public record Effect(double mean, double[] ci, Double controlMean, double[] controlBand, double[] controls, Double gain, double[] gainCi) {
        /** True when the gain's interval lies wholly above zero: the direction beats a random one. */
        public boolean beatsControl() {
            return gainCi != null && gainCi[0] > 0;
        }
    }

    /** One dose: the metric's mean at α and the effect against α = 0. */
    public record Point(double alpha, double score, Effect effect) {}

    /**
     * @param value    the dose at half the maximum effect, or null when undefined
     * @param ci       its bootstrap interval (null when fewer than 2 replicates define it)
     * @param defined  bootstrap replicates where it is defined
     * @param note     why it is undefined, else null
     */
    public record Ed50(Double value, double[] ci, int defined, String note) {}

    public record Curve(String metric, List<Point> points, Ed50 ed50) {}

    /** The direction projected out (directional ablation) against the unsteered model, per metric. */
    public record Ablation(Effect accuracy, Effect logitDiff) {}

    public record TaskResponse(String task, int prompts, Curve accuracy, Curve logitDiff, Ablation ablation) {}

    /**
     * @param degenerationDose the smallest α &gt; 0 whose perplexity exceeds factor × unsteered, or null (none, or no perplexity given)
     * @param signCheck        whether the smallest positive dose raised the target's logit difference, in words
     */
    public record Result(double[] alphas, int controls, TaskResponse target, TaskResponse other, double[] perplexity,
                         double degenerateFactor, Double degenerationDose, String signCheck, int bootstrap, double level, long seed) {}

    public static Result analyze(Input in, Options o) {
        double[] alphas = in.alphas();
        int zero = zeroIndex(alphas);
        if (o.bootstrap() < 100) {
            throw new InputException("bootstrap " + o.bootstrap() + ": use at least 100 resamples");
        }
        if (!(o.level() > 0 && o.level() < 1)) {
            throw new InputException("level " + o.level() + ": must be between 0 and 1");
        }
        if (!(o.degenerateFactor() > 1)) {
            throw new InputException("degenerate factor " + o.degenerateFactor() + ": must be greater than 1");
        }
        TaskResponse target = task(in.target(), alphas, zero, o);
        TaskResponse other = in.other() == null ? null : task(in.other(), alphas, zero, o);
        Double dose = null;
        if (in.perplexity() != null) {
            if (in.perplexity().length != alphas.length) {
                throw new IllegalArgumentException(in.perplexity().length + " perplexities for " + alphas.length + " doses");
            }
            dose = degenerationDose(alphas, in.perplexity(), o.degenerateFactor());
        }
        return new Result(alphas, in.target().controls().size(), target, other, in.perplexity(), o.degenerateFactor(), dose,
                signCheck(target, alphas), o.bootstrap(), o.level(), o.seed());
    }

    private static int zeroIndex(double[] alphas) {
        int zero = -1;
        for (int a = 0; a < alphas.length; a++) {
            if (!Double.isFinite(alphas[a])) {
                throw new InputException("dose " + alphas[a] + ": every α must be finite");
            }
            for (int b = 0; b < a; b++) {
                if (alphas[b] == alphas[a]) {
                    throw new InputException("dose " + alphas[a] + " is given twice");
                }
            }
            if (alphas[a] == 0) {
                zero = a;
            }
        }
        if (zero < 0) {
            throw new InputException("doses " + Arrays.toString(alphas) + ": must include 0, the unsteered model every effect is measured against");
        }
        return zero;
    }

    private static TaskResponse task(TaskSweep t, double[] alphas, int zero, Options o) {
        if (t.steered().size() != alphas.length) {
            throw new IllegalArgumentException(t.task() + ": " + t.steered().size() + " steered outcomes for " + alphas.length + " doses");
        }
        int n = t.steered().get(zero).size();
        if (n < 2) {
            throw new InputException(t.task() + ": " + n + " prompts; a dose-response needs at least 2");
        }
        for (Outcomes x : t.steered()) {
            requireSize(t.task(), x, n);
        }
        for (List<Outcomes> c : t.controls()) {
            if (c.size() != alphas.length) {
                throw new IllegalArgumentException(t.task() + ": a control has " + c.size() + " outcomes for " + alphas.length + " doses");
            }
            c.forEach(x -> requireSize(t.task(), x, n));
        }
        Curve acc = curve(Metric.ACCURACY, t, alphas, zero, o);
        Curve diff = curve(Metric.LOGIT_DIFF, t, alphas, zero, o);
        Ablation ablation = null;
        if (t.ablated() != null) {
            requireSize(t.task(), t.ablated(), n);
            t.controlsAblated().forEach(x -> requireSize(t.task(), x, n));
            Outcomes base = t.steered().get(zero);
            ablation = new Ablation(effect(Metric.ACCURACY, base, t.ablated(), t.controlsAblated(), o),
                    effect(Metric.LOGIT_DIFF, base, t.ablated(), t.controlsAblated(), o));
        }
        return new TaskResponse(t.task(), n, acc, diff, ablation);
    }

    private static void requireSize(String task, Outcomes x, int n) {
        if (x.size() != n) {
            throw new IllegalArgumentException(task + ": " + x.size() + " outcomes where the unsteered model has " + n + " prompts");
        }
    }

    /** The metric's curve: a point per α, and the ED50 over α ≥ 0 with its bootstrap interval. */
    private static Curve curve(Metric m, TaskSweep t, double[] alphas, int zero, Options o) {
        Outcomes base = t.steered().get(zero);
        List<Point> points = new ArrayList<>();
        for (int a = 0; a < alphas.length; a++) {
            List<Outcomes> controls = new ArrayList<>();
            for (List<Outcomes> c : t.controls()) {
                controls.add(a == zero ? base : c.get(a));
            }
            points.add(new Point(alphas[a], mean(t.steered().get(a).values(m)), effect(m, base, t.steered().get(a), controls, o)));
        }
        // ED50 on the mean curve, then on each replicate's curve (the same resamples as every interval).
        Integer[] order = nonNegativeOrder(alphas);
        double[] doses = new double[order.length];
        double[][] deltas = new double[order.length][];
        for (int j = 0; j < order.length; j++) {
            doses[j] = alphas[order[j]];
            deltas[j] = difference(t.steered().get(order[j]).values(m), base.values(m));
        }
        double[] curve = new double[order.length];
        for (int j = 0; j < order.length; j++) {
            curve[j] = mean(deltas[j]);
        }
        double observed = ed50(doses, curve);
        int n = base.size();
        double[] reps = new double[o.bootstrap()];
        int defined = 0;
        for (int r = 0; r < o.bootstrap(); r++) {
            int[] count = Bootstrap.counts(Bootstrap.resample(n, o.seed(), r), n);
            double[] c = new double[order.length];
            for (int j = 0; j < order.length; j++) {
                c[j] = weightedMean(deltas[j], count);
            }
            reps[r] = ed50(doses, c);
            defined += Double.isNaN(reps[r]) ? 0 : 1;
        }
        double[] ci = defined >= 2 ? Quantiles.percentileInterval(reps, o.level()) : null;
        String note = Double.isNaN(observed)
                ? (order.length < 2 ? "no positive dose in the grid" : "undefined: the mean effect never rises above the unsteered model's")
                : null;
        return new Curve(m.key(), points, new Ed50(Double.isNaN(observed) ? null : observed, ci, defined, note));
    }

    /** Indices of the α ≥ 0 of the grid, by increasing α (0 first). */
    private static Integer[] nonNegativeOrder(double[] alphas) {
        List<Integer> idx = new ArrayList<>();
        for (int a = 0; a < alphas.length; a++) {
            if (alphas[a] >= 0) {
                idx.add(a);
            }
        }
        idx.sort((x, y) -> Double.compare(alphas[x], alphas[y]));
        return idx.toArray(Integer[]::new);
    }

    /**
     * The smallest dose where the effect curve (doses ascending from 0, effect 0 there) reaches half
     * its maximum, linearly interpolated; NaN when the maximum is not above 0.
     */
    static double ed50(double[] doses, double[] effect) {
        double max = 0;
        for (int j = 1; j < doses.length; j++) {
            max = Math.max(max, effect[j]);
        }
        if (!(max > 0)) {
            return Double.NaN;
        }
        double half = max / 2;
        double prevDose = 0;
        double prevEffect = 0;
        for (int j = 1; j < doses.length; j++) {
            if (effect[j] >= half) {
                return prevDose + (half - prevEffect) / (effect[j] - prevEffect) * (doses[j] - prevDose);
            }
            prevDose = doses[j];
            prevEffect = effect[j];
        }
        throw new IllegalStateException("the maximum " + max + " was not reached");
    }

    /** The effect of {@code steered} against {@code base} with the controls' band and the gain (see the class comment). */
    private static Effect effect(Metric m, Outcomes base, Outcomes steered, List<Outcomes> controls, Options o) {
        double[] b = base.values(m);
        double[] delta = difference(steered.values(m), b);
        int k = controls.size();
        double[][] cDelta = new double[k][];
        double[] cEffect = new double[k];
        for (int c = 0; c < k; c++) {
            cDelta[c] = difference(controls.get(c).values(m), b);
            cEffect[c] = mean(cDelta[c]);
        }
        int n = b.length;
        double[] reps = new double[o.bootstrap()];
        double[] gainReps = new double[o.bootstrap()];
        for (int r = 0; r < o.bootstrap(); r++) {
            int[] count = Bootstrap.counts(Bootstrap.resample(n, o.seed(), r), n);
            reps[r] = weightedMean(delta, count);
            double cm = 0;
            for (int c = 0; c < k; c++) {
                cm += weightedMean(cDelta[c], count) / k;
            }
            gainReps[r] = reps[r] - cm;
        }
        double mean = mean(delta);
        double[] ci = Quantiles.percentileInterval(reps, o.level());
        if (k == 0) {
            return new Effect(mean, ci, null, null, new double[0], null, null);
        }
        double controlMean = mean(cEffect);
        double[] sorted = cEffect.clone();
        Arrays.sort(sorted);
        double tail = (1 - o.level()) / 2;
        double[] band = {Quantiles.quantile(sorted, tail), Quantiles.quantile(sorted, 1 - tail)};
        double gain = mean - controlMean;
        double[] gainCi = null;
        if (k >= 2) {
            double sc2 = variance(cEffect);
            double var = variance(gainReps) + sc2 * (1 + 1.0 / k);
            double half = new TDistribution(k - 1).inverseCumulativeProbability(1 - tail) * Math.sqrt(var);
            gainCi = new double[] {gain - half, gain + half};
        }
        return new Effect(mean, ci, controlMean, band, cEffect, gain, gainCi);
    }

    /** The smallest α &gt; 0 (ascending) whose perplexity exceeds factor × the perplexity at α = 0; null when none does. */
    static Double degenerationDose(double[] alphas, double[] perplexity, double factor) {
        double unsteered = perplexity[zeroIndex(alphas)];
        Integer[] order = nonNegativeOrder(alphas);
        for (int j = 1; j < order.length; j++) {
            double p = perplexity[order[j]];
            if (Double.isNaN(p) || p > factor * unsteered) {
                return alphas[order[j]];
            }
        }
        return null;
    }

    private static String signCheck(TaskResponse target, double[] alphas) {
        Point first = null;
        for (Point p : target.logitDiff().points()) {
            if (p.alpha() > 0 && (first == null || p.alpha() < first.alpha())) {
                first = p;
            }
        }
        if (first == null) {
            return "no positive dose in the grid: the direction's sign is not checked";
        }
        double e = first.effect().mean();
        return e > 0 ? "positive α (" + first.alpha() + ") raised the target's logit difference (" + String.format("%+.4g", e) + "): the direction points to the target's answers"
                : "positive α (" + first.alpha() + ") did not raise the target's logit difference (" + String.format("%+.4g", e)
                        + "): the direction may point to the other class (positive = the first class)";
    }

    private static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double weightedMean(double[] x, int[] count) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += count[i] * x[i];
        }
        return s / x.length;
    }

    /** Sample variance (n − 1). */
    private static double variance(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return s / (x.length - 1);
    }
}
