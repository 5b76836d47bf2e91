package org.scalelab.interp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.ExampleScore;
import org.scalelab.eval.TaskMetrics;
import org.scalelab.model.Activation;
import org.scalelab.model.HookNames;
import org.scalelab.model.HookSet;
import org.scalelab.model.Intervention;
import org.scalelab.model.RaggedBatch;
import org.scalelab.model.Transformer;
import org.scalelab.phase.DoseResponse;

/**
 * Steering's dose-response measured on a model: a direction added at one hook with strength α over
 * a grid, scored on held-out multiple-choice tasks by log-likelihood (the eval's {@link ChoiceScorer},
 * the intervention applied to every position of context and choices), against K random directions
 * of the same norm, and summarised by {@link DoseResponse}.
 *
 * <ul>
 *   <li><b>Dose unit.</b> α is in units of the hook's mean residual norm r̄ = the mean over every
 *       token of the target task's contexts of ‖x‖₂ at the hook (unsteered): α = 1 adds a vector as
 *       long as a typical activation there. The direction is normalised to unit length first, so
 *       the vector added is α·r̄·v̂ whatever the file's norm.
 *   <li><b>Sign.</b> Positive α pushes toward the direction's first class: the files of
 *       {@code phase directions} are unit vectors pointing to the positive class.
 *   <li><b>Outcomes per prompt</b> (deterministic): correct = the argmax choice is a gold
 *       (lm-eval's acc); logit difference = log p(first gold) − max log p(non-gold choice), the
 *       summed log-probs acc compares.
 *   <li><b>Controls.</b> K directions drawn from a standard normal with the seed and normalised:
 *       uniformly random unit vectors, added with the same α·r̄.
 *   <li><b>Ablation</b> (optional): the direction projected out at the hook, x ← x − (x·v̂)v̂ (Arditi
 *       et al. 2024), and likewise each control.
 *   <li><b>Degeneration</b>: the perplexity of held-out text, each example's context followed by its
 *       first gold continuation (both tasks' examples), under steering along the direction at each α.
 * </ul>
 * α = 0 runs the steering intervention with α = 0, which adds exact zeros: its scores are the
 * plain model's, bit for bit.
 */
public final class SteeringSweep {
    private SteeringSweep() {}

    /**
     * @param model     the model
     * @param tokens    how examples become tokens
     * @param hook      where to steer, a [batch, pos, width] hook
     * @param direction the steering direction (any norm; normalised here)
     * @param target    the task the direction should help
     * @param other     the other capability's task, or null
     */
    public record Input(Transformer model, ContinuationTokens tokens, String hook, float[] direction, EvalTask target, EvalTask other) {}

    /**
     * @param alphas    the dose grid in units of the hook's mean residual norm; must hold 0
     * @param controls  random directions K
     * @param ablate    also project the direction (and each control) out
     * @param batch     examples per forward pass
     * @param maxLength the most positions an input takes
     * @param seed      the controls' seed (the bootstrap's is in {@code stats})
     */
    public record Options(double[] alphas, int controls, boolean ablate, int batch, int maxLength, long seed, DoseResponse.Options stats) {}

    /**
     * @param residualNorm   r̄, the hook's mean ‖x‖₂ over the target's context tokens
     * @param tokensMeasured the tokens r̄ averages over
     * @param directionNorm  the given direction's norm before normalisation
     * @param perplexityText tokens of held-out text the perplexity is measured on
     */
    public record Result(String model, long parameterCount, String hook, String target, String other, double residualNorm, long tokensMeasured,
                         double directionNorm, long perplexityText, DoseResponse.Result response) {}

    public static Result run(Input in, Options o) {
        Transformer m = in.model();
        requireSteerableHook(m, in.hook());
        if (o.controls() < 0) {
            throw new InputException("--controls " + o.controls() + ": must be at least 0");
        }
        double norm = 0;
        for (float x : in.direction()) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0) || !Double.isFinite(norm)) {
            throw new InputException("--direction: its norm is " + norm + "; a steering direction needs a finite, non-zero norm");
        }
        float[] unit = scale(in.direction(), 1 / norm);
        ChoiceScorer scorer = new ChoiceScorer(m, in.tokens(), o.batch(), o.maxLength());
        List<EvalExample> target = in.target().examples();
        List<EvalExample> other = in.other() == null ? List.of() : in.other().examples();
        scorer.check(target);
        scorer.check(other);
        double[] r = meanResidualNorm(m, in.tokens(), target, in.hook(), o.maxLength());
        int width = (int) r[2];
        if (width != unit.length) {
            throw new InputException("--direction: has " + unit.length + " components, the activation at " + in.hook() + " has width " + width);
        }
        double rbar = r[0];
        List<float[]> controls = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(o.seed());
        for (int k = 0; k < o.controls(); k++) {
            controls.add(randomUnit(rng.split(), width));
        }
        double[] alphas = o.alphas();
        int nonZero = 0;
        for (double a : alphas) {
            nonZero += a == 0 ? 0 : 1;
        }
        long steps = 1 + (long) nonZero * (1 + o.controls()) + (o.ablate() ? 1 + o.controls() : 0);
        List<EvalExample> text = new ArrayList<>(target);
        text.addAll(other);
        List<DoseResponse.Outcomes> tSteered = new ArrayList<>();
        List<DoseResponse.Outcomes> oSteered = new ArrayList<>();
        List<List<DoseResponse.Outcomes>> tControls = new ArrayList<>();
        List<List<DoseResponse.Outcomes>> oControls = new ArrayList<>();
        for (int k = 0; k < controls.size(); k++) {
            tControls.add(new ArrayList<>());
            oControls.add(new ArrayList<>());
        }
        double[] perplexity = new double[alphas.length];
        long textTokens = 0;
        DoseResponse.Outcomes tAblated = null;
        DoseResponse.Outcomes oAblated = null;
        List<DoseResponse.Outcomes> tControlsAblated = new ArrayList<>();
        List<DoseResponse.Outcomes> oControlsAblated = new ArrayList<>();
        try (Progress.Task bar = Progress.start("steer", steps)) {
            DoseResponse.Outcomes tBase = null;
            DoseResponse.Outcomes oBase = null;
            for (int a = 0; a < alphas.length; a++) {
                if (alphas[a] == 0 && tBase != null) {
                    throw new InputException("--alphas: 0 is given twice");
                }
                List<Intervention> steer = List.of(Intervention.add(in.hook(), unit, alphas[a] * rbar, 0));
                DoseResponse.Outcomes ts = outcomes(scorer.steered(steer), target);
                DoseResponse.Outcomes os = other.isEmpty() ? null : outcomes(scorer.steered(steer), other);
                double[] ppl = perplexity(m, in.tokens(), text, HookSet.none().with(steer.toArray(Intervention[]::new)), o.batch(), o.maxLength());
                perplexity[a] = ppl[0];
                textTokens = (long) ppl[1];
                tSteered.add(ts);
                oSteered.add(os);
                if (alphas[a] == 0) {
                    tBase = ts;
                    oBase = os;
                }
                bar.step();
                for (int k = 0; k < controls.size(); k++) {
                    if (alphas[a] == 0) {
                        tControls.get(k).add(ts); // the same unsteered model: adding 0 changes nothing
                        oControls.get(k).add(os);
                        continue;
                    }
                    List<Intervention> c = List.of(Intervention.add(in.hook(), controls.get(k), alphas[a] * rbar, 0));
                    tControls.get(k).add(outcomes(scorer.steered(c), target));
                    oControls.get(k).add(other.isEmpty() ? null : outcomes(scorer.steered(c), other));
                    bar.step();
                }
            }
            if (o.ablate()) {
                List<Intervention> ab = List.of(Intervention.projectOut(in.hook(), unit, 0));
                tAblated = outcomes(scorer.steered(ab), target);
                oAblated = other.isEmpty() ? null : outcomes(scorer.steered(ab), other);
                bar.step();
                for (float[] c : controls) {
                    List<Intervention> cab = List.of(Intervention.projectOut(in.hook(), c, 0));
                    tControlsAblated.add(outcomes(scorer.steered(cab), target));
                    if (!other.isEmpty()) {
                        oControlsAblated.add(outcomes(scorer.steered(cab), other));
                    }
                    bar.step();
                }
            }
        }
        DoseResponse.TaskSweep t = new DoseResponse.TaskSweep(in.target().name(), tSteered, tControls, tAblated, tControlsAblated);
        DoseResponse.TaskSweep ot = other.isEmpty() ? null
                : new DoseResponse.TaskSweep(in.other().name(), oSteered, oControls, oAblated, oControlsAblated);
        DoseResponse.Result response = DoseResponse.analyze(new DoseResponse.Input(alphas, t, ot, perplexity), o.stats());
        return new Result(m.dir() == null ? "" : m.dir().toAbsolutePath().normalize().getFileName().toString(), m.parameterCount(), in.hook(),
                in.target().name(), in.other() == null ? null : in.other().name(), rbar, (long) r[1], norm, textTokens, response);
    }

    /** Refuses a hook the model lacks or one without a [batch, pos, width] activation (attention scores, per-head hooks). */
    static void requireSteerableHook(Transformer m, String hook) {
        if (!HookNames.all(m.config()).contains(hook)) {
            throw new InputException("--at '" + hook + "': no such hook in this " + m.config().family().modelType() + " model (e.g. "
                    + HookNames.residPost(m.config().nLayers() / 2) + ")");
        }
        if (HookNames.headAxis(hook) >= 0 || hook.endsWith(".hook_scale")) {
            throw new InputException("--at " + hook + ": steering in units of the residual norm takes a [batch, pos, width] hook, e.g. "
                    + HookNames.residPost(m.config().nLayers() / 2));
        }
    }

    /**
     * The hook's mean activation norm over every context token of {@code examples}, unsteered:
     * {mean ‖x‖₂, tokens, width}. Each context is cut as the scorer cuts it (its last maxLength − 1 tokens).
     */
    static double[] meanResidualNorm(Transformer m, ContinuationTokens tokens, List<EvalExample> examples, String hook, int maxLength) {
        double sum = 0;
        long n = 0;
        int width = 0;
        for (EvalExample e : examples) {
            int[] ctx = tokens.encode(e).context();
            if (ctx.length > maxLength - 1) {
                ctx = java.util.Arrays.copyOfRange(ctx, ctx.length - (maxLength - 1), ctx.length);
            }
            Activation x = m.forward(ctx, HookSet.of(hook)).activation(hook);
            long[] s = x.shape();
            width = (int) s[s.length - 1];
            float[] d = x.data();
            for (int row = 0; row * width < d.length; row++) {
                double ss = 0;
                for (int j = 0; j < width; j++) {
                    double v = d[row * width + j];
                    ss += v * v;
                }
                sum += Math.sqrt(ss);
                n++;
            }
        }
        return new double[] {sum / n, n, width};
    }

    /** Each example's correctness and logit difference under {@code scorer}, in the examples' order. */
    static DoseResponse.Outcomes outcomes(ChoiceScorer scorer, List<EvalExample> examples) {
        Map<String, ExampleScore> byId = new HashMap<>();
        scorer.score(examples, s -> byId.put(s.id(), s));
        double[] correct = new double[examples.size()];
        double[] diff = new double[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            EvalExample e = examples.get(i);
            ExampleScore s = byId.get(e.id());
            correct[i] = TaskMetrics.correct(e, s) ? 1 : 0;
            diff[i] = logitDifference(e, s.logprobs());
        }
        return new DoseResponse.Outcomes(correct, diff);
    }

    /** log p(first gold) − the largest log p of a non-gold choice; +∞ when every choice is gold. */
    static double logitDifference(EvalExample e, double[] logprobs) {
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < logprobs.length; c++) {
            if (!e.isGold(c)) {
                best = Math.max(best, logprobs[c]);
            }
        }
        return logprobs[e.gold()[0]] - best;
    }

    /**
     * exp(−Σ log p / tokens) over every example's context + first gold continuation (each token after
     * the first predicted from those before it; the text cut to its last maxLength tokens), with
     * {@code changes} applied: {perplexity, predicted tokens}.
     */
    static double[] perplexity(Transformer m, ContinuationTokens tokens, List<EvalExample> examples, HookSet changes, int batch, int maxLength) {
        double ll = 0;
        long count = 0;
        for (int from = 0; from < examples.size(); from += batch) {
            List<EvalExample> group = examples.subList(from, Math.min(examples.size(), from + batch));
            int[][] texts = new int[group.size()][];
            int seq = 0;
            int selected = 0;
            for (int i = 0; i < group.size(); i++) {
                ContinuationTokens.Encoded enc = tokens.encode(group.get(i));
                int[] ctx = enc.context();
                int[] cont = enc.continuations()[group.get(i).gold()[0]];
                int[] all = new int[ctx.length + cont.length];
                System.arraycopy(ctx, 0, all, 0, ctx.length);
                System.arraycopy(cont, 0, all, ctx.length, cont.length);
                if (all.length > maxLength) {
                    all = java.util.Arrays.copyOfRange(all, all.length - maxLength, all.length);
                }
                texts[i] = all;
                seq = Math.max(seq, all.length);
                selected += all.length - 1;
            }
            int[][] padded = new int[group.size()][seq];
            int[] valid = new int[group.size()];
            int[] row = new int[selected];
            int[] pos = new int[selected];
            int[] target = new int[selected];
            int s = 0;
            for (int i = 0; i < group.size(); i++) {
                System.arraycopy(texts[i], 0, padded[i], 0, texts[i].length);
                valid[i] = texts[i].length;
                for (int t = 1; t < texts[i].length; t++) {
                    row[s] = i;
                    pos[s] = t - 1;
                    target[s++] = texts[i][t];
                }
            }
            for (float lp : m.logProbs(padded, null, RaggedBatch.of(valid), row, pos, target, changes)) {
                ll += lp;
            }
            count += selected;
        }
        return new double[] {count == 0 ? Double.NaN : Math.exp(-ll / count), count};
    }

    private static float[] randomUnit(SplittableRandom rng, int width) {
        float[] v = new float[width];
        for (int j = 0; j < width; j++) {
            v[j] = (float) rng.nextGaussian();
        }
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return scale(v, 1 / Math.sqrt(s));
    }

    private static float[] scale(float[] v, double f) {
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = (float) (v[j] * f);
        }
        return out;
    }
}
