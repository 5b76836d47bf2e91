package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.stats.Quantiles;

/**
 * Coupling of two capabilities inside models: does the direction that separates capability A's two
 * classes (e.g. true vs false statements) point along, against or across the direction that
 * separates B's (e.g. correct vs corrupted reasoning), per model size and layer?
 *
 * <p>Per size and hook:
 * <ul>
 *   <li><b>centred cosine</b> between A's and B's difference-of-means directions (mean(positive) −
 *       mean(negative)); a mean the two classes share cancels, so it measures the capabilities, not
 *       the residual stream's common offset;</li>
 *   <li>its <b>bootstrap interval</b> over prompts: each class of each capability resampled with
 *       replacement, its size kept;</li>
 *   <li>a <b>label-shuffled null</b>: A's and B's labels permuted independently (class sizes kept)
 *       and the cosine recomputed; reported as the 95th percentile of the null's |cosine| and a
 *       two-sided permutation p-value (1 + #{|null| ≥ |observed|}) / (R + 1) (Phipson &amp; Smyth 2010);</li>
 *   <li>the <b>uncentred cosine</b> between the mean hidden states of A's and B's prompt sets, printed
 *       beside it as a warning: residual streams share a large mean direction, so it is near +1 for
 *       almost any two prompt sets and says nothing about the capabilities;</li>
 *   <li><b>probe transfer</b>: an L2 logistic probe fit on A's points, read on B's points: raw
 *       accuracy with the convention that A's positive class predicts B's positive class (below 0.5
 *       means B's classes are read in the opposite orientation; no max(acc, 1 − acc) folding); its
 *       interval bootstraps B's points (the probe is fit once);</li>
 *   <li>a {@link CouplingVerdict}.</li>
 * </ul>
 * Head coupling ({@link HeadCoupling}) projects each attention head's class-difference write on
 * each capability's direction; the sign change across sizes ({@link SignChange}) locates where the
 * coupling flips, with a bootstrap interval.
 */
public final class CapabilityCoupling {
    private CapabilityCoupling() {}

    /**
     * @param resamples     bootstrap replicates and label shuffles per size and layer
     * @param headResamples label shuffles per head test
     * @param level         confidence of the intervals; the heads' false discovery rate is 1 − level
     * @param c             inverse L2 strength of the transfer probe (sklearn's C)
     * @param seed          every resample and shuffle derives from it
     */
    public record Options(int resamples, int headResamples, double level, double c, long seed) {
        public Options {
            if (resamples < 20) {
                throw new InputException("--resamples must be at least 20 (intervals and nulls need them), got " + resamples);
            }
            if (headResamples < 20) {
                throw new InputException("--head-resamples must be at least 20, got " + headResamples);
            }
            if (!(level > 0.5 && level < 1)) {
                throw new InputException("--level must lie in (0.5, 1), got " + level);
            }
            if (!(c > 0) || !Double.isFinite(c)) {
                throw new InputException("--c (the probe's inverse regularisation) must be positive, got " + c);
            }
        }

        public static Options defaults() {
            return new Options(1000, 1000, 0.95, 1.0, 0);
        }
    }

    /** A's and B's points of one model at one hook (each a pooled vector per prompt). */
    public record LayerPoints(String hook, LabelledPoints a, LabelledPoints b) {}

    /**
     * A's and B's points at {@code blocks.<layer>.attn.hook_result}: each row is the prompt's pooled
     * per-head output, [heads × d_model] flattened head-major (the row shape the activation set lists).
     */
    public record HeadPoints(int layer, int heads, LabelledPoints a, LabelledPoints b) {}

    /** One model size: its layers, and its per-head writes when captured (may be empty). */
    public record SizePoints(String model, long parameterCount, List<LayerPoints> layers, List<HeadPoints> heads) {
        public SizePoints {
            layers = List.copyOf(layers);
            heads = heads == null ? List.of() : List.copyOf(heads);
        }
    }

    public record Input(List<SizePoints> sizes) {
        public Input {
            sizes = List.copyOf(sizes);
        }
    }

    /**
     * One size at one hook.
     *
     * @param centredCosine          cosine between A's and B's difference-of-means directions
     * @param ci                     its bootstrap percentile interval at the options' level
     * @param nullP95                95th percentile of |centred cosine| under label shuffles
     * @param uncentredCosine        cosine between the mean hidden states of A's and B's prompts (the trap)
     * @param probeTransferAccuracy  A's probe read on B's points, raw (A positive ↦ B positive)
     * @param probeTransferCi        its bootstrap interval over B's points
     * @param pValue                 two-sided permutation p-value of the centred cosine
     * @param nA                     A's points (both classes)
     * @param nB                     B's points
     */
    public record LayerCoupling(String hook, int layer, double centredCosine, double[] ci, double nullP95, double uncentredCosine,
                                double probeTransferAccuracy, double[] probeTransferCi, CouplingVerdict verdict, double pValue,
                                int nA, int nB) {}

    public record SizeCoupling(String model, long parameterCount, List<LayerCoupling> layers) {}

    /**
     * One attention head's writes: its class-difference output (mean over positive prompts − mean over
     * negative prompts of the head's write to the residual stream) projected on the capability's unit
     * direction at the same layer, for A with A's prompts and for B with B's prompts. Each projection is
     * tested against label shuffles (labels permuted, the direction and the head's difference recomputed
     * together), two-sided; {@code significantA}/{@code B} after a Benjamini–Hochberg correction over all
     * heads of the model at false discovery rate 1 − level. {@code kind}: {@code cooperative} when both are
     * significant and push their capability the same way (each relative to its null's median),
     * {@code competing} when both are significant and opposite, else {@code neutral}.
     */
    public record HeadCoupling(String model, long parameterCount, int layer, int head, double projectionA, double nullMedianA, double pA,
                               boolean significantA, double projectionB, double nullMedianB, double pB, boolean significantB, String kind) {}

    /** The sign change of one hook's centred cosine across sizes (hooks present in every size). */
    public record LayerCrossing(String hook, String from, String to, String direction, double log10Parameters, double[] log10Ci,
                                int validReplicates) {}

    /**
     * Where the coupling changes sign across sizes, on the median over layers of each size's centred
     * cosine: the crossing is the zero of the straight line between two consecutive sizes of opposite
     * sign, in log10 parameters; when several pairs change sign, the one with the largest jump. Each
     * bootstrap replicate (the same replicate index at every layer, so the median is of one resample of
     * the prompts) gives its own crossing of the same direction nearest the observed one; replicates
     * without one are not valid. {@code from} is null when nothing changes sign.
     *
     * @param direction {@code antagonistic→cooperative} (negative to positive) or the reverse
     * @param hook      the hook whose own crossing has the largest jump, or null
     */
    public record SignChange(String from, String to, long fromParameters, long toParameters, String direction, double log10Parameters,
                             double[] log10Ci, int validReplicates, int replicates, int crossings, String hook, List<LayerCrossing> layers,
                             String note) {}

    public record Result(List<SizeCoupling> sizes, List<HeadCoupling> heads, SignChange signChange, Options options) {
        /** Heads classified competing in {@code model}. */
        public long competingHeads(String model) {
            return heads.stream().filter(h -> h.model().equals(model) && h.kind().equals("competing")).count();
        }
    }

    private static final Pattern LAYER = Pattern.compile("^blocks\\.(\\d+)\\.");

    /** The block index in a TransformerLens hook name ({@code blocks.3.hook_resid_post} → 3), or −1. */
    public static int layerOf(String hook) {
        Matcher m = LAYER.matcher(hook);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public static Result analyze(Input in, Options o) {
        if (in.sizes().isEmpty()) {
            throw new InputException("coupling needs at least one model size");
        }
        List<SizePoints> sizes = new ArrayList<>(in.sizes());
        sizes.sort(Comparator.comparingLong(SizePoints::parameterCount));
        List<SizeCoupling> out = new ArrayList<>();
        Map<String, Map<String, double[]>> replicates = new LinkedHashMap<>();
        List<HeadCoupling> heads = new ArrayList<>();
        long steps = 0;
        for (SizePoints s : sizes) {
            steps += s.layers().size() + s.heads().size();
        }
        try (Progress.Task progress = Progress.start("phase coupling", steps)) {
            for (SizePoints s : sizes) {
                if (s.layers().isEmpty()) {
                    throw new InputException(s.model() + ": no hook to analyse");
                }
                Weights wA = Weights.of(s.layers().get(0).a(), o, 1);
                Weights wB = Weights.of(s.layers().get(0).b(), o, 2);
                List<LayerCoupling> layers = new ArrayList<>();
                Map<String, double[]> reps = new LinkedHashMap<>();
                for (LayerPoints lp : s.layers()) {
                    check(s, lp);
                    double[][] boot = new double[1][];
                    layers.add(layer(lp, wA, wB, o, boot));
                    reps.put(lp.hook(), boot[0]);
                    progress.step();
                }
                out.add(new SizeCoupling(s.model(), s.parameterCount(), List.copyOf(layers)));
                replicates.put(s.model(), reps);
                List<HeadCoupling> sizeHeads = new ArrayList<>();
                List<double[]> rawA = new ArrayList<>();
                List<double[]> rawB = new ArrayList<>();
                for (HeadPoints hp : s.heads()) {
                    LayerPoints lp = s.layers().stream().filter(l -> layerOf(l.hook()) == hp.layer()).findFirst()
                            .orElseThrow(() -> new InputException(s.model() + ": head coupling at layer " + hp.layer()
                                    + " needs a residual hook of block " + hp.layer() + " among --hook (e.g. blocks." + hp.layer() + ".hook_resid_post)"));
                    rawA.addAll(HeadWrites.test(lp.a(), hp.a(), hp.heads(), o.headResamples(), o.seed() + 31L * hp.layer() + 3));
                    rawB.addAll(HeadWrites.test(lp.b(), hp.b(), hp.heads(), o.headResamples(), o.seed() + 31L * hp.layer() + 4));
                    progress.step();
                }
                if (!rawA.isEmpty()) {
                    boolean[] sigA = HeadWrites.benjaminiHochberg(rawA.stream().mapToDouble(r -> r[2]).toArray(), 1 - o.level());
                    boolean[] sigB = HeadWrites.benjaminiHochberg(rawB.stream().mapToDouble(r -> r[2]).toArray(), 1 - o.level());
                    int k = 0;
                    for (HeadPoints hp : s.heads()) {
                        for (int h = 0; h < hp.heads(); h++, k++) {
                            double[] a = rawA.get(k);
                            double[] b = rawB.get(k);
                            String kind = "neutral";
                            if (sigA[k] && sigB[k]) {
                                kind = Math.signum(a[0] - a[1]) == Math.signum(b[0] - b[1]) ? "cooperative" : "competing";
                            }
                            sizeHeads.add(new HeadCoupling(s.model(), s.parameterCount(), hp.layer(), h, a[0], a[1], a[2], sigA[k],
                                    b[0], b[1], b[2], sigB[k], kind));
                        }
                    }
                }
                heads.addAll(sizeHeads);
            }
        }
        return new Result(List.copyOf(out), List.copyOf(heads), SignChanges.find(out, replicates, o.level()), o);
    }

    private static void check(SizePoints s, LayerPoints lp) {
        for (LabelledPoints p : new LabelledPoints[] {lp.a(), lp.b()}) {
            int np = ClassContrasts.count(p.positive());
            if (np == 0 || np == p.size()) {
                throw new InputException(p.set() + ": " + (np == 0 ? "no positive" : "no negative") + " prompt at " + lp.hook()
                        + ": coupling needs both classes of each capability");
            }
        }
        if (lp.a().dimension() != lp.b().dimension()) {
            throw new InputException(s.model() + ": " + lp.hook() + " is " + lp.a().dimension() + " wide in " + lp.a().set() + " but "
                    + lp.b().dimension() + " in " + lp.b().set() + ": A and B must come from the same model");
        }
    }

    /** One capability's contrast weights at one size: observed, bootstrap replicates, label shuffles. */
    private record Weights(boolean[] positive, double[] observed, double[] mean, double[][] bootstrap, double[][] shuffled) {
        static Weights of(LabelledPoints p, Options o, int stream) {
            boolean[] pos = p.positive();
            return new Weights(pos, ClassContrasts.observed(pos), ClassContrasts.mean(pos.length),
                    ClassContrasts.bootstrap(pos, o.resamples(), o.seed() * 4 + stream),
                    ClassContrasts.shuffled(pos, o.resamples(), o.seed() * 4 + stream + 2));
        }

        void requireSame(LabelledPoints p, String hook) {
            if (!Arrays.equals(positive, p.positive())) {
                throw new InputException(p.set() + ": the prompts selected at " + hook + " differ from those at the first hook");
            }
        }
    }

    private static LayerCoupling layer(LayerPoints lp, Weights wA, Weights wB, Options o, double[][] bootOut) {
        wA.requireSame(lp.a(), lp.hook());
        wB.requireSame(lp.b(), lp.hook());
        double[][] xa = lp.a().x();
        double[][] xb = lp.b().x();
        double cos = ClassContrasts.cosine(ClassContrasts.apply(wA.observed(), xa), ClassContrasts.apply(wB.observed(), xb));
        double uncentred = ClassContrasts.cosine(ClassContrasts.apply(wA.mean(), xa), ClassContrasts.apply(wB.mean(), xb));
        double[] boot = cosines(ClassContrasts.apply(wA.bootstrap(), xa), ClassContrasts.apply(wB.bootstrap(), xb));
        double[] nul = cosines(ClassContrasts.apply(wA.shuffled(), xa), ClassContrasts.apply(wB.shuffled(), xb));
        double[] ci = Quantiles.percentileInterval(boot, o.level());
        double[] central = Quantiles.percentileInterval(nul, o.level());
        double[] abs = Arrays.stream(nul).map(Math::abs).filter(Double::isFinite).sorted().toArray();
        double p95 = abs.length == 0 ? Double.NaN : Quantiles.quantile(abs, 0.95);
        int beyond = 0;
        for (double v : abs) {
            beyond += v >= Math.abs(cos) ? 1 : 0;
        }
        double p = (1.0 + beyond) / (1.0 + abs.length);
        CouplingVerdict verdict = CouplingVerdict.of(cos, ci, central[0], central[1]);
        // probe transfer: fit on A, read on B; B's bootstrap replicates reweight the per-prompt hits
        LogisticProbe probe = LogisticProbe.fit(xa, lp.a().positive(), o.c());
        boolean[] yb = lp.b().positive();
        double[] hit = new double[xb.length];
        int nbp = ClassContrasts.count(yb);
        double acc = 0;
        for (int i = 0; i < xb.length; i++) {
            hit[i] = probe.predict(xb[i]) == yb[i] ? 1 : 0;
            acc += hit[i] / xb.length;
        }
        double[] accReps = new double[wB.bootstrap().length];
        for (int r = 0; r < accReps.length; r++) {
            double[] w = wB.bootstrap()[r];
            double s = 0;
            for (int i = 0; i < xb.length; i++) {
                // |w_i| · class size = how often prompt i was drawn
                s += Math.abs(w[i]) * (yb[i] ? nbp : xb.length - nbp) * hit[i];
            }
            accReps[r] = s / xb.length;
        }
        bootOut[0] = boot;
        return new LayerCoupling(lp.hook(), layerOf(lp.hook()), cos, ci, p95, uncentred, acc, Quantiles.percentileInterval(accReps, o.level()),
                verdict, p, xa.length, xb.length);
    }

    private static double[] cosines(double[][] a, double[][] b) {
        double[] out = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            out[r] = ClassContrasts.cosine(a[r], b[r]);
        }
        return out;
    }
}
