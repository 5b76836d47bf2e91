package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.stats.Quantiles;

/**
 * Do two benchmark scores compete or cooperate as models grow, and at what size does that flip — from
 * a table of scores of model families ({@link ScoreTable}).
 *
 * <ul>
 * <li><b>Steps.</b> Within a family, models sorted by size; for each consecutive pair the coupling
 *     γ12 = Δb / Δa (the study "Lying Is Just a Phase", arXiv 2605.18838, eq. 1, with a = HellaSwag and
 *     b = TruthfulQA) and its phase: tax γ12 &lt; −0.1, transition |γ12| ≤ 0.1, bonus γ12 &gt; 0.1 (the
 *     study's thresholds, options here). When |Δa| ≤ {@code minDeltaA} γ12 is undefined and says why.
 *     Its 95 % interval is a parametric bootstrap that draws each of the two models' scores from
 *     Normal(score, stderr) — only when the table gives standard errors; without them there is no
 *     basis for resampling a single pair and the interval is absent, with that reason.
 * <li><b>Population r.</b> Pearson's r of a and b over a family's models, with the Fisher-z 95 %
 *     interval ({@link PearsonInterval}; n ≤ 3 gives no interval).
 * <li><b>Critical size.</b> {@link CriticalSize}: the quadratic vertex and the γ12 zero, side by side.
 * <li><b>Width normalisation.</b> Both scores divided by d_model / d_ref, r recomputed per family, and
 *     beside it a permutation null: the same normalisation applied to the scores permuted (a and b
 *     independently) across the family's models, which keeps each score's values and each model's width
 *     but breaks any relation between them. Its mean and 95th percentile say how much r the division by
 *     a shared width produces by itself — the study notes the normalisation can induce positive
 *     correlation but does not measure it.
 * <li><b>Benchmark-space dimension.</b> With more than two benchmarks: the participation ratio
 *     (Σλ)² / Σλ² of the eigenvalues of the benchmarks' correlation matrix (the covariance of the
 *     standardised score matrix; Gao et al. 2017), for the models below the quadratic-vertex N_c, those
 *     at or above it, and all models. 1 means one direction carries all the spread; k means k
 *     independent benchmarks.
 * </ul>
 */
public final class ScoreCoupling {
    private ScoreCoupling() {}

    /**
     * @param bootstrap        bootstrap replicates (γ12 intervals and both N_c estimates); 0 turns intervals off
     * @param permutations     permutations of the width-normalisation null
     * @param seed             seed of every random draw
     * @param taxBelow         a step is "tax" when γ12 is below this
     * @param bonusAbove       a step is "bonus" when γ12 is above this; between the two: "transition"
     * @param minDeltaA        |Δa| at or below this leaves γ12 undefined (0: only an exact tie)
     * @param widthRef         d_ref of the width normalisation score / (d_model / d_ref)
     * @param vertexLog10Min   replicates' N_c must exceed 10^this (the study: 7)
     * @param vertexLog10Max   … and be below 10^this (the study: 12)
     * @param ncFamilies       families pooled in the N_c estimates; empty: all
     * @param gammaZero        how the γ12 zero is located
     * @param poolSingleSize   keep a family with one model (only in the pooled N_c fits) instead of refusing it
     */
    public record Options(int bootstrap, int permutations, long seed, double taxBelow, double bonusAbove, double minDeltaA,
            double widthRef, double vertexLog10Min, double vertexLog10Max, List<String> ncFamilies,
            CriticalSize.GammaZero gammaZero, boolean poolSingleSize) {
        public Options {
            ncFamilies = List.copyOf(ncFamilies);
            if (bootstrap < 0 || permutations < 0) {
                throw new InputException("--bootstrap and --permutations must be ≥ 0");
            }
            if (!(taxBelow <= bonusAbove)) {
                throw new InputException("--tax-below " + taxBelow + " must not exceed --bonus-above " + bonusAbove);
            }
            if (!(minDeltaA >= 0)) {
                throw new InputException("--min-delta-a " + minDeltaA + " must be ≥ 0");
            }
            if (!(widthRef > 0) || !Double.isFinite(widthRef)) {
                throw new InputException("--width-ref " + widthRef + " must be a positive width");
            }
            if (!(vertexLog10Min < vertexLog10Max)) {
                throw new InputException("--vertex-range: the lower log10 size " + vertexLog10Min + " must be below the upper "
                        + vertexLog10Max);
            }
        }

        /** The study's procedure: 10,000 resamples, thresholds ±0.1, d_ref 512, vertex in 10^7–10^12. */
        public static Options defaults() {
            return new Options(10_000, 10_000, 0, -0.1, 0.1, 0, 512, 7, 12, List.of(), CriticalSize.GammaZero.INTERPOLATE, false);
        }

        Map<String, Object> recorded() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bootstrap", bootstrap);
            m.put("permutations", permutations);
            m.put("tax_below", taxBelow);
            m.put("bonus_above", bonusAbove);
            m.put("min_delta_a", minDeltaA);
            m.put("width_ref", widthRef);
            m.put("vertex_log10_range", List.of(vertexLog10Min, vertexLog10Max));
            m.put("nc_families", ncFamilies);
            m.put("gamma_zero", gammaZero.key());
            m.put("pool_single_size", poolSingleSize);
            return m;
        }
    }

    /** One model's scores as plotted. */
    public record ModelScore(String model, double params, double a, double b, Double dModel) {}

    /**
     * One consecutive pair of sizes in a family.
     *
     * @param gamma            Δb / Δa, null when undefined (see note)
     * @param ci95             parametric-bootstrap 95 % interval of γ12, null without standard errors (see note)
     * @param validReplicates  replicates with a defined γ12 (|Δa| above the threshold), null without an interval
     * @param phase            "tax", "transition", "bonus", or "undefined"
     */
    public record Step(String from, String to, double fromParams, double toParams, double deltaA, double deltaB, Double gamma,
            double[] ci95, Integer validReplicates, String phase, String note) {
        /** log10 of the geometric mean of the two sizes: where the step sits on a size axis. */
        public double logSize() {
            return 0.5 * (Math.log10(fromParams) + Math.log10(toParams));
        }
    }

    /** The width-normalisation null: r of permuted, normalised scores. */
    public record WidthNull(double mean, double p95, int permutations, double pAtLeastObserved) {}

    /**
     * One family.
     *
     * @param r                Pearson r of a and b over the family's models, null when undefined
     * @param rCi95            its Fisher-z 95 % interval, null for n ≤ 3
     * @param rWidthNormalized r after dividing both scores by d_model / d_ref, null without widths
     * @param rWidthNull       the permutation null of that r, null without widths
     * @param notes            why anything above is absent
     */
    public record Family(String family, List<ModelScore> models, List<Step> steps, Double r, double[] rCi95,
            Double rWidthNormalized, WidthNull rWidthNull, List<String> notes) {}

    /** Participation ratio of one group's benchmark correlation matrix. */
    public record Dimension(String group, int models, List<String> benchmarks, Double participationRatio, String note) {}

    public record Result(String a, String b, List<Family> families, List<CriticalSize.Estimate> criticalSize,
            List<Dimension> benchmarkDimension, Provenance provenance) {}

    public static Result analyze(ScoreTable table, Options o) {
        Map<String, List<ScoreTable.Row>> byFamily = table.families();
        for (Map.Entry<String, List<ScoreTable.Row>> e : byFamily.entrySet()) {
            if (e.getValue().size() == 1 && !o.poolSingleSize()) {
                ScoreTable.Row only = e.getValue().get(0);
                throw new InputException(table.source() + ": " + only.where() + ": family '" + InputException.quote(e.getKey())
                        + "' has one model ('" + InputException.quote(only.model()) + "'); γ12 and r need at least two sizes — "
                        + "drop it, or pass --single-size pool to use it only in the pooled critical-size fits");
            }
        }
        for (String f : o.ncFamilies()) {
            if (!byFamily.containsKey(f)) {
                throw new InputException("--nc-families: no family '" + InputException.quote(f) + "' in " + table.source()
                        + " (families: " + String.join(", ", byFamily.keySet()) + ")");
            }
        }
        List<Family> families = new ArrayList<>();
        List<double[]> pooledSteps = new ArrayList<>(); // {logSize, gamma}
        int fi = 0;
        for (Map.Entry<String, List<ScoreTable.Row>> e : byFamily.entrySet()) {
            Family f = family(table, e.getKey(), e.getValue(), o, fi++);
            families.add(f);
            if (o.ncFamilies().isEmpty() || o.ncFamilies().contains(f.family())) {
                for (Step s : f.steps()) {
                    if (s.gamma() != null) {
                        pooledSteps.add(new double[] {s.logSize(), s.gamma()});
                    }
                }
            }
        }
        List<ScoreTable.Row> pooled = table.rows().stream()
                .filter(r -> o.ncFamilies().isEmpty() || o.ncFamilies().contains(r.family())).toList();
        if (pooled.size() < 3) {
            throw new InputException(table.source() + ": " + pooled.size() + " models for the quadratic-vertex critical size; "
                    + "a parabola needs at least 3 models of 3 different sizes");
        }
        double[] params = pooled.stream().mapToDouble(ScoreTable.Row::params).toArray();
        if (QuadraticFit.distinct(params) < 3) {
            throw new InputException(table.source() + ": the models pooled for the critical size have "
                    + QuadraticFit.distinct(params) + " distinct sizes; a parabola in log size needs at least 3");
        }
        double[] b = pooled.stream().mapToDouble(ScoreTable.Row::b).toArray();
        CriticalSize.Estimate quad = CriticalSize.quadraticVertex(params, b, o.bootstrap(), o.seed(), o.vertexLog10Min(),
                o.vertexLog10Max());
        CriticalSize.Estimate zero = CriticalSize.gammaZero(pooledSteps.stream().mapToDouble(p -> p[0]).toArray(),
                pooledSteps.stream().mapToDouble(p -> p[1]).toArray(), o.gammaZero(), o.bootstrap(), o.seed(),
                o.vertexLog10Min(), o.vertexLog10Max());
        List<Dimension> dims = table.also().isEmpty() ? List.of() : dimensions(table, quad.value());
        Provenance prov = Provenance.of("phase.scores", List.of(table.input()), o.recorded(), o.seed());
        return new Result(table.a(), table.b(), families, List.of(quad, zero), dims, prov);
    }

    private static Family family(ScoreTable table, String name, List<ScoreTable.Row> rows, Options o, int familyIndex) {
        List<String> notes = new ArrayList<>();
        List<ModelScore> models = rows.stream()
                .map(r -> new ModelScore(r.model(), r.params(), r.a(), r.b(), Double.isNaN(r.dModel()) ? null : r.dModel())).toList();
        if (rows.size() == 1) {
            notes.add("one size: no steps and no r; used only in the pooled critical-size fits");
            return new Family(name, models, List.of(), null, null, null, null, notes);
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i + 1 < rows.size(); i++) {
            steps.add(step(table, rows.get(i), rows.get(i + 1), o, familyIndex, i));
        }
        double[] a = rows.stream().mapToDouble(ScoreTable.Row::a).toArray();
        double[] b = rows.stream().mapToDouble(ScoreTable.Row::b).toArray();
        PearsonInterval r = PearsonInterval.of(a, b, 0.95);
        if (r.note() != null) {
            notes.add("r: " + r.note());
        }
        Double rw = null;
        WidthNull wnull = null;
        if (!table.hasWidth()) {
            notes.add("width normalisation: no d_model column");
        } else {
            double[] w = rows.stream().mapToDouble(x -> x.dModel() / o.widthRef()).toArray();
            double observed = PearsonInterval.pearson(divide(a, w), divide(b, w));
            if (Double.isNaN(observed)) {
                notes.add("width normalisation: a normalised score does not vary");
            } else {
                rw = observed;
                wnull = widthNull(a, b, w, observed, o.permutations(), o.seed(), familyIndex);
                if (wnull == null) {
                    notes.add("width normalisation: no permutations drawn (--permutations 0)");
                }
            }
        }
        return new Family(name, models, steps, finite(r.r()), r.ci(), rw, wnull, notes);
    }

    private static Step step(ScoreTable table, ScoreTable.Row lo, ScoreTable.Row hi, Options o, int familyIndex, int stepIndex) {
        double da = hi.a() - lo.a();
        double db = hi.b() - lo.b();
        if (!(Math.abs(da) > o.minDeltaA())) {
            String why = "Δ" + table.a() + " = " + da + (o.minDeltaA() > 0 ? " is within ±" + o.minDeltaA() + " (--min-delta-a)" : " (a tie)")
                    + ": γ12 = Δ" + table.b() + "/Δ" + table.a() + " is undefined";
            return new Step(lo.model(), hi.model(), lo.params(), hi.params(), da, db, null, null, null, "undefined", why);
        }
        double gamma = db / da;
        double[] ci = null;
        Integer valid = null;
        String note = null;
        if (!table.hasStderr()) {
            note = "no interval: the table gives no standard errors of the scores, and a single pair of models has nothing "
                    + "else to resample (give --a-stderr-col / --b-stderr-col)";
        } else if (o.bootstrap() > 0) {
            double[] g = new double[o.bootstrap()];
            int n = 0;
            for (int rep = 0; rep < o.bootstrap(); rep++) {
                SplittableRandom rng = new SplittableRandom(mix(o.seed(), familyIndex * 1_000_003L + stepIndex, rep));
                double a0 = lo.a() + lo.aStderr() * rng.nextGaussian();
                double a1 = hi.a() + hi.aStderr() * rng.nextGaussian();
                double b0 = lo.b() + lo.bStderr() * rng.nextGaussian();
                double b1 = hi.b() + hi.bStderr() * rng.nextGaussian();
                if (Math.abs(a1 - a0) > o.minDeltaA()) {
                    g[n++] = (b1 - b0) / (a1 - a0);
                }
            }
            valid = n;
            if (n > 0) {
                ci = Quantiles.percentileInterval(Arrays.copyOf(g, n), 0.95);
            } else {
                note = "no interval: no replicate had a defined γ12";
            }
        } else {
            note = "no interval: --bootstrap 0";
        }
        return new Step(lo.model(), hi.model(), lo.params(), hi.params(), da, db, gamma, ci, valid, phase(gamma, o), note);
    }

    static String phase(double gamma, Options o) {
        return gamma < o.taxBelow() ? "tax" : gamma > o.bonusAbove() ? "bonus" : "transition";
    }

    /**
     * The permutation null of the normalised r: a and b permuted independently across the models, each
     * divided by the model's own width factor {@code w}.
     */
    static WidthNull widthNull(double[] a, double[] b, double[] w, double observed, int permutations, long seed, int familyIndex) {
        if (permutations == 0) {
            return null;
        }
        int n = a.length;
        SplittableRandom rng = new SplittableRandom(mix(seed, 7_777_777L + familyIndex, 0));
        double[] pa = a.clone();
        double[] pb = b.clone();
        double[] na = new double[n];
        double[] nb = new double[n];
        double[] rs = new double[permutations];
        int kept = 0;
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            shuffle(pa, rng);
            shuffle(pb, rng);
            for (int i = 0; i < n; i++) {
                na[i] = pa[i] / w[i];
                nb[i] = pb[i] / w[i];
            }
            double r = PearsonInterval.pearson(na, nb);
            if (!Double.isNaN(r)) {
                rs[kept++] = r;
                if (r >= observed) {
                    atLeast++;
                }
            }
        }
        if (kept == 0) {
            return null;
        }
        double[] s = Arrays.copyOf(rs, kept);
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(Double.NaN);
        return new WidthNull(mean, Quantiles.quantile(s, 0.95), kept, (atLeast + 1.0) / (kept + 1.0));
    }

    private static List<Dimension> dimensions(ScoreTable table, Double nc) {
        List<String> names = new ArrayList<>(List.of(table.a(), table.b()));
        names.addAll(table.also());
        List<Dimension> out = new ArrayList<>();
        if (nc == null) {
            out.add(new Dimension("below N_c", 0, names, null, "no quadratic-vertex N_c to split the models at"));
            out.add(new Dimension("above N_c", 0, names, null, "no quadratic-vertex N_c to split the models at"));
        } else {
            out.add(dimension("below N_c", table.rows().stream().filter(r -> r.params() < nc).toList(), names));
            out.add(dimension("above N_c", table.rows().stream().filter(r -> r.params() >= nc).toList(), names));
        }
        out.add(dimension("all", table.rows(), names));
        return out;
    }

    /**
     * PR = (tr C)² / ‖C‖²_F of the correlation matrix C of the group's benchmark columns — the ratio
     * {@code geometry.ParticipationRatio} computes for float32 activation clouds through BLAS; a few
     * benchmark scores per model need neither, and keep double precision.
     */
    static Dimension dimension(String group, List<ScoreTable.Row> rows, List<String> names) {
        int n = rows.size();
        int k = names.size();
        if (n < 3) {
            return new Dimension(group, n, names, null, n + " models: a correlation matrix needs at least 3");
        }
        double[][] z = new double[k][n];
        for (int i = 0; i < n; i++) {
            ScoreTable.Row r = rows.get(i);
            z[0][i] = r.a();
            z[1][i] = r.b();
            for (int j = 2; j < k; j++) {
                z[j][i] = r.also()[j - 2];
            }
        }
        for (int j = 0; j < k; j++) {
            double m = Arrays.stream(z[j]).average().orElse(0);
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += (z[j][i] - m) * (z[j][i] - m);
            }
            if (!(ss > 0)) {
                return new Dimension(group, n, names, null, "benchmark '" + names.get(j) + "' does not vary in this group");
            }
            double sd = Math.sqrt(ss / (n - 1));
            for (int i = 0; i < n; i++) {
                z[j][i] = (z[j][i] - m) / sd;
            }
        }
        double trace = 0;
        double frob = 0;
        for (int p = 0; p < k; p++) {
            for (int q = 0; q < k; q++) {
                double c = 0;
                for (int i = 0; i < n; i++) {
                    c += z[p][i] * z[q][i];
                }
                c /= n - 1;
                frob += c * c;
                if (p == q) {
                    trace += c;
                }
            }
        }
        return new Dimension(group, n, names, trace * trace / frob, null);
    }

    private static double[] divide(double[] v, double[] w) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / w[i];
        }
        return out;
    }

    private static void shuffle(double[] v, SplittableRandom rng) {
        for (int i = v.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A seed for draw stream {@code (stream, replicate)} of {@code seed}: the same numbers whatever runs first. */
    static long mix(long seed, long stream, long replicate) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ stream * 0xBF58476D1CE4E5B9L ^ replicate * 0x94D049BB133111EBL).nextLong();
    }
}
