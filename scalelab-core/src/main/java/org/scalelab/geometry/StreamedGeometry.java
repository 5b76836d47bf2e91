package org.scalelab.geometry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.Progress;

/**
 * The streamed engine: the geometry of one group from passes over its blocks, so that a group
 * larger than memory is analysed holding one block of rows at a time (plus what each metric keeps).
 * The exact metrics are the in-memory engine's numbers, computed the same way in one pass: the
 * covariance ({@link StreamingCovariance}, hence participation ratio, d90/d95 and the explained
 * variance), alignment, step cosine (each trajectory's rows are consecutive, so both run along the
 * rows, a trajectory crossing from one block to the next) and oscillation coherence (its
 * per-trajectory moments, read with the group). TwoNN, tangling and the silhouette (of given labels,
 * or of k-means with k chosen by silhouette) compare points with all others: they come from
 * {@link SampledTwoNN}, {@link SampledTangling}, {@link SampledSilhouette} and
 * {@link ClusterSelection#of(PointBlocks, ClusterSelection.Options, int, String[])} — the in-memory
 * values up to their exact limits, above them a seeded sample scored against every point (the
 * interval is noted in the reasons) and streamed Lloyd passes. The null baselines and the bootstrap
 * intervals are null with the reason {@link #NOT_YET}.
 */
public final class StreamedGeometry {
    private StreamedGeometry() {}

    /** The reason of every metric the streamed engine does not compute. */
    public static final String NOT_YET = "not computed out of core yet";

    /** The exact metrics of one pass: the covariance (null below 2 points), alignment and step cosine. */
    record Exact(Covariance covariance, MetricValue alignment, MetricValue stepCosine) {}

    /** One pass over {@code points} in blocks of {@code blockRows} rows; each block is one step of {@code task} (may be null). */
    static Exact exact(PointBlocks points, int blockRows, Progress.Task task) {
        long n = points.size();
        int d = points.dimension();
        StreamingCovariance cov = n >= 2 ? new StreamingCovariance(n, d) : null;
        long[] starts = points.trajectoryStarts();
        Trajectories walk = new Trajectories(starts, n, d);
        points.forEachBlock(blockRows, (first, count, rows) -> {
            if (cov != null) {
                cov.add(rows, count);
            }
            walk.add(first, count, rows);
            if (task != null) {
                task.step();
            }
        });
        MetricValue alignment = starts.length == 0 ? MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)")
                : walk.alignment();
        MetricValue stepCosine = starts.length == 0 ? MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)")
                : walk.stepCosine();
        return new Exact(cov == null ? null : cov.result(), alignment, stepCosine);
    }

    /** Blocks one pass over {@code points} makes with {@code blockRows} rows each (for progress). */
    static long blocks(PointBlocks points, int blockRows) {
        return (points.size() + blockRows - 1) / blockRows;
    }

    /** The group {@code g} streamed from its shards in blocks of {@code blockRows} rows, with a progress task over the blocks. */
    public static GeometryAnalysis.Group group(ActivationGroups.Unread g, GeometryAnalysis.Options o, int blockRows) {
        return group(g, o, blockRows, null);
    }

    /** As {@link #group(ActivationGroups.Unread, GeometryAnalysis.Options, int)}, with {@code engine} (if not null) as the first note of its reasons. */
    static GeometryAnalysis.Group group(ActivationGroups.Unread g, GeometryAnalysis.Options o, int blockRows, String engine) {
        PointBlocks points = new Passes(g.blocks(), "geometry " + g.name() + " (streamed)");
        Exact exact = exact(points, blockRows, null);
        return group(g, points, exact, o, engine, blockRows);
    }

    static GeometryAnalysis.Group group(ActivationGroups.Unread g, PointBlocks points, Exact exact, GeometryAnalysis.Options o, String engine,
            int blockRows) {
        Map<String, String> reasons = new LinkedHashMap<>();
        if (engine != null) {
            reasons.put("engine", engine);
        }
        if (g.dropped() != null) {
            reasons.put("steps", g.dropped());
        }
        Covariance cov = exact.covariance();
        Map<String, MetricValue> v = new LinkedHashMap<>();
        double[] scree = GeometryAnalysis.covarianceMetrics(cov, points.size(), o, v);
        SampledMetric<MetricValue> twonn = SampledTwoNN.of(points, SampledTwoNN.DEFAULT_EXACT_MAX, SampledTwoNN.DEFAULT_SAMPLE, o.seed(),
                o.twonnDiscardFraction(), o.distances(), blockRows);
        v.put("twonn", twonn.result());
        v.put("alignment", exact.alignment());
        String[] tanglingWhy = new String[1];
        SampledMetric<TrajectoryTangling.Summary> tangling = tangling(points, cov, o, blockRows, tanglingWhy);
        TrajectoryTangling.Summary t = tangling == null ? null : tangling.result();
        v.put("tangling", t == null ? MetricValue.missing(tanglingWhy[0]) : MetricValue.of(t.mean()));
        v.put("step_cosine", exact.stepCosine());
        String[] silhouetteWhy = new String[1];
        Silhouette.Estimate sil = null;
        String silhouetteSource = null;
        Integer k = null;
        Map<Integer, Double> byK = null;
        if (points.labels() != null) {
            silhouetteSource = "labels";
            sil = SampledSilhouette.estimate(points, o.distances(), o.silhouetteExactMax(), o.silhouetteSample(), o.seed(), blockRows,
                    silhouetteWhy);
        } else if (o.kMax() == 0) {
            silhouetteWhy[0] = "no labels given and k-means is off (k-max 0)";
        } else if (points.size() < 3) {
            silhouetteSource = "kmeans";
            silhouetteWhy[0] = "k-means silhouette needs at least 3 points, got " + points.size();
        } else {
            // As in memory: k-means for every k (streamed Lloyd passes above the exact size), k chosen by silhouette.
            silhouetteSource = "kmeans";
            ClusterSelection sel = ClusterSelection.of(points, new ClusterSelection.Options(o.kMin(), o.kMax(), o.silhouetteExactMax(),
                    o.silhouetteSample(), o.distances(), o.seed()), blockRows, silhouetteWhy);
            if (sel != null) {
                sil = sel.silhouette();
                k = sel.k();
                byK = sel.byK();
            }
        }
        v.put("silhouette", sil == null ? MetricValue.missing(silhouetteWhy[0]) : MetricValue.of(sil.value()));
        for (Map.Entry<String, MetricValue> e : v.entrySet()) {
            if (!e.getValue().present()) {
                reasons.put(e.getKey(), e.getValue().reason());
            }
        }
        OscillationCoherence.Moments[] moments = g.coherence();
        MetricValue coherence = moments == null ? MetricValue.missing(g.coherenceReason()) : OscillationCoherence.of(moments);
        if (!coherence.present()) {
            reasons.put("oscillation_coherence", coherence.reason());
        }
        Map<String, Map<String, GeometryAnalysis.Baseline>> baselines = new LinkedHashMap<>();
        if (o.nullReplicates() >= 2) {
            reasons.put("baselines", "null baselines are " + NOT_YET);
        }
        if (coherence.present()) {
            baselines.put(GeometryAnalysis.PERMUTED_PAIRING, Map.of("oscillation_coherence", OscillationCoherence.permutedPairing(moments)));
        }
        if (o.bootstrapReplicates() > 0) {
            reasons.put("bootstrap", "bootstrap intervals are " + NOT_YET);
        }
        if (!twonn.exact() && twonn.result().present()) {
            reasons.put("twonn_sample", twonn.note("points"));
        }
        if (tangling != null && !tangling.exact()) {
            reasons.put("tangling_sample", tangling.note("times") + "; " + SampledTangling.SAMPLE_SUMMARY);
        }
        List<Double> perTrajectory = null;
        if (t != null) {
            perTrajectory = new java.util.ArrayList<>();
            for (double x : t.perTrajectoryMean()) {
                perTrajectory.add(Double.isNaN(x) ? null : x);
            }
        }
        double[] silCi = sil == null || sil.exact() ? null : new double[] {sil.ciLow(), sil.ciHigh()};
        return new GeometryAnalysis.Group(g.name(), g.model(), g.model() == null ? null : g.parameterCount(), g.domain(), g.label(), g.hook(),
                Math.toIntExact(points.size()), points.dimension(), points.trajectoryStarts().length,
                v.get("participation_ratio").value(), toInt(v.get("d90")), toInt(v.get("d95")),
                v.get("twonn").value(), v.get("alignment").value(),
                t == null ? null : t.mean(), t == null ? null : t.median(), t == null ? null : t.p90(), t == null ? null : t.epsilon(), perTrajectory,
                v.get("step_cosine").value(), sil == null ? null : sil.value(), silhouetteSource, silCi, k, byK,
                coherence.value(), scree, reasons, baselines, 0, Map.of(), g.unitName());
    }

    /**
     * Tangling as in memory — ε from the covariance already computed, null with the in-memory reason
     * above {@code tanglingMaxTimes} times — each time scored against all times by {@link SampledTangling}
     * (exact up to its exact limit, a seeded sample above).
     */
    private static SampledMetric<TrajectoryTangling.Summary> tangling(PointBlocks points, Covariance cov, GeometryAnalysis.Options o,
            int blockRows, String[] why) {
        long[] starts = points.trajectoryStarts();
        long m = 0;
        for (int k = 0; k < starts.length; k++) {
            long end = k + 1 < starts.length ? starts[k + 1] : points.size();
            m += Math.max(0, end - starts[k] - 1);
        }
        if (starts.length > 0 && m > o.tanglingMaxTimes()) {
            why[0] = "tangling compares all " + m + " times pairwise, above the limit of " + o.tanglingMaxTimes()
                    + "; raise it (--tangling-max-times) or analyse fewer trajectories";
            return null;
        }
        Double eps = o.tanglingEpsilon() != null ? o.tanglingEpsilon() : cov == null ? null : o.tanglingEpsilonFraction() * cov.trace();
        if (eps == null && starts.length > 0) {
            why[0] = "needs at least 2 points for the default epsilon";
            return null;
        }
        return SampledTangling.of(points, eps, SampledTangling.DEFAULT_EXACT_MAX, SampledTangling.DEFAULT_SAMPLE, o.seed(), o.distances(),
                blockRows, why);
    }

    /**
     * The points with a progress task per pass: each {@code forEachBlock} is one pass over the shards,
     * shown as its own task (the metrics make different numbers of passes), one step a block.
     */
    private static final class Passes implements PointBlocks {
        private final PointBlocks points;
        private final String name;
        private int pass;

        Passes(PointBlocks points, String name) {
            this.points = points;
            this.name = name;
        }

        @Override
        public int dimension() {
            return points.dimension();
        }

        @Override
        public long size() {
            return points.size();
        }

        @Override
        public long[] trajectoryStarts() {
            return points.trajectoryStarts();
        }

        @Override
        public int[] labels() {
            return points.labels();
        }

        @Override
        public String source() {
            return points.source();
        }

        @Override
        public void forEachBlock(int maxRows, Block visitor) {
            pass++;
            try (Progress.Task task = Progress.start(name + ", pass " + pass, (points.size() + maxRows - 1) / maxRows)) {
                points.forEachBlock(maxRows, (first, count, rows) -> {
                    visitor.accept(first, count, rows);
                    task.step();
                });
            }
        }
    }

    private static Integer toInt(MetricValue v) {
        return v.present() ? (int) Math.round(v.value()) : null;
    }

    /**
     * Alignment and step cosine along the rows: trajectory k is rows [starts[k], starts[k+1]), so
     * one walk keeps each trajectory's first row (for its displacement) and its last two rows (for
     * the next step pair), across blocks. Sums run in trajectory and row order, as the in-memory
     * {@link TrajectoryAlignment} and {@link StepCosine} do.
     */
    private static final class Trajectories {
        private final long[] starts;
        private final long n;
        private final int d;
        private int k = -1; // the trajectory of the row being read
        private long end; // one past its last row
        private long indexInTrajectory;
        private final float[] first;
        private float[] prev2;
        private float[] prev1;
        private final double[] directionSum;
        private int directions;
        private double cosineSum;
        private long pairs;

        Trajectories(long[] starts, long n, int d) {
            this.starts = starts;
            this.n = n;
            this.d = d;
            this.first = new float[d];
            this.prev2 = new float[d];
            this.prev1 = new float[d];
            this.directionSum = new double[d];
        }

        void add(long firstRow, int count, float[] rows) {
            if (starts.length == 0) {
                return;
            }
            for (int i = 0; i < count; i++) {
                long r = firstRow + i;
                while (k < 0 || r >= end) {
                    k++;
                    end = k + 1 < starts.length ? starts[k + 1] : n;
                    indexInTrajectory = 0;
                }
                int base = i * d;
                if (indexInTrajectory == 0) {
                    System.arraycopy(rows, base, first, 0, d);
                }
                if (indexInTrajectory >= 2) {
                    double dot = 0;
                    double na = 0;
                    double nb = 0;
                    for (int j = 0; j < d; j++) {
                        double a = (double) prev1[j] - prev2[j];
                        double b = (double) rows[base + j] - prev1[j];
                        dot += a * b;
                        na += a * a;
                        nb += b * b;
                    }
                    if (na > 0 && nb > 0) {
                        cosineSum += dot / Math.sqrt(na * nb);
                        pairs++;
                    }
                }
                if (r == end - 1 && indexInTrajectory >= 1) {
                    direction(rows, base);
                }
                float[] t = prev2;
                prev2 = prev1;
                prev1 = t;
                System.arraycopy(rows, base, prev1, 0, d);
                indexInTrajectory++;
            }
        }

        /** The unit displacement of the trajectory ending at {@code rows[base..]}, added to the sum (zero displacement left out). */
        private void direction(float[] rows, int base) {
            double[] u = new double[d];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                u[j] = (double) rows[base + j] - first[j];
                norm += u[j] * u[j];
            }
            if (norm == 0) {
                return;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                directionSum[j] += u[j] / norm;
            }
            directions++;
        }

        /** As {@link TrajectoryAlignment#weighted} with every count 1: (‖Σ u‖² − K) / (K² − K). */
        MetricValue alignment() {
            if (directions < 2) {
                return MetricValue.missing("alignment needs at least 2 trajectories with a non-zero displacement, got " + directions);
            }
            double s2 = 0;
            for (double v : directionSum) {
                s2 += v * v;
            }
            long same = directions;
            return MetricValue.of((s2 - same) / ((double) directions * directions - same));
        }

        MetricValue stepCosine() {
            if (pairs == 0) {
                return MetricValue.missing("no trajectory has 3 points with two non-zero consecutive steps");
            }
            return MetricValue.of(cosineSum / pairs);
        }
    }

    /**
     * Rows per block of the streamed pass: what the bound allows, but no more than one chunk of the
     * covariance (64 MB of rows): larger blocks would only hold more memory, the pass gains nothing.
     */
    static int passRows(MemoryBound bound, int width) {
        return Math.min(bound.rowsPerBlock(width), Math.max(1, Covariance.CHUNK_FLOATS / width));
    }

    /** Engines as results name them. */
    public static final String IN_MEMORY = "in memory";
    public static final String STREAMED = "streamed";

    /** What {@link #analyze} returns: the result, and each group's input for the renderer (streamed ones without points). */
    public record Run(GeometryAnalysis.Result result, List<ActivationGroups.Input> rendered) {}

    /**
     * Every group under a memory bound: a group that {@link MemoryBound#fits} runs in memory exactly as
     * {@link GeometryAnalysis#analyze(GeometryAnalysis.Groups, GeometryAnalysis.Options)} runs it; a
     * larger one is streamed in blocks of {@link #passRows} rows. The provenance says
     * the bound ({@code memory}) and each group's engine ({@code engines}, group name → engine).
     */
    public static Run analyze(List<ActivationGroups.Unread> groups, List<org.scalelab.Provenance.Input> inputs, boolean compareSizes,
            GeometryAnalysis.Options options, MemoryBound bound) {
        List<GeometryAnalysis.Outcome> outcomes = new java.util.ArrayList<>();
        List<ActivationGroups.Input> rendered = new java.util.ArrayList<>();
        Map<String, String> engines = new LinkedHashMap<>();
        for (ActivationGroups.Unread g : groups) {
            int d = g.dimension();
            if (bound.fits(g.points(), d)) {
                ActivationGroups.Input in = g.load();
                outcomes.add(GeometryAnalysis.analyzeGroup(in, options));
                rendered.add(in);
                engines.put(g.name(), IN_MEMORY);
            } else {
                int rows = passRows(bound, d);
                String note = "streamed from the shards in blocks of " + rows + " rows (memory bound " + bound.describe() + ", " + g.points()
                        + " points of " + d + " values do not fit); the exact metrics equal the in-memory engine's";
                GeometryAnalysis.Group streamed = group(g, options, rows, note);
                outcomes.add(new GeometryAnalysis.Outcome(streamed, Map.of()));
                rendered.add(g.withoutPoints());
                engines.put(g.name(), STREAMED);
            }
        }
        List<PhaseVerdict.Comparison> comparisons = compareSizes ? PhaseVerdict.compare(outcomes, options.phase()) : List.of();
        Map<String, Object> opts = GeometryAnalysis.provenanceOptions(options, compareSizes);
        if (!groups.isEmpty()) {
            ActivationGroups.Unread first = groups.get(0);
            opts.put("unit", first.unit().label());
            if (first.unit() == StepPooling.Unit.STEP) {
                opts.put("pool", first.pool().label());
            }
        }
        opts.put("memory", bound.describe());
        opts.put("engines", engines);
        GeometryAnalysis.Result r = new GeometryAnalysis.Result(outcomes.stream().map(GeometryAnalysis.Outcome::group).toList(), comparisons,
                org.scalelab.Provenance.of("geometry", inputs, opts, options.seed()));
        return new Run(r, rendered);
    }
}
