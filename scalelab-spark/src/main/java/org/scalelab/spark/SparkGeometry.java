package org.scalelab.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.SparkException;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.Provenance;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.ClusterSelection;
import org.scalelab.geometry.CovarianceMoments;
import org.scalelab.geometry.DistributedEngine;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.MetricValue;
import org.scalelab.geometry.OscillationCoherence;
import org.scalelab.geometry.SampledMetric;
import org.scalelab.geometry.SampledTwoNN;
import org.scalelab.geometry.Silhouette;
import org.scalelab.geometry.SampledTangling;
import org.scalelab.geometry.TrajectoryTangling;
import org.scalelab.geometry.StepPooling;
import org.scalelab.geometry.VarianceSpectrum;

/**
 * Geometry as Spark jobs, giving core's {@link GeometryAnalysis.Result} (the same JSON and renderer
 * as the single-machine engine). One pass over a group's {@link RowBlock}s, tree-aggregated:
 * <ul>
 *   <li>covariance: each task's float64 count, mean and centred second moments
 *       ({@link CovarianceMoments}, its Gram blocks by dsyrk), merged pairwise; the d × d
 *       eigen-decomposition runs once on the driver through core's LAPACK path, giving the
 *       participation ratio, d90/d95 and the explained variance;</li>
 *   <li>alignment and step cosine, per trajectory: a trajectory inside one block is summed there
 *       (its unit displacement, its consecutive-step cosines); one cut by a block boundary sends its
 *       edge rows (first two, last two) to the driver, which joins the pieces in row order;</li>
 *   <li>oscillation coherence: per-trajectory moments of the attention and MLP update norms, read
 *       by the data source ({@link ActivationSource#coherence});</li>
 *   <li>TwoNN ({@link SparkTwoNN}: exact up to {@link SampledTwoNN#DEFAULT_EXACT_MAX} points, above it a
 *       seeded sample scored against all points), tangling ({@link SparkTangling}: null above
 *       {@code --tangling-max-times}, exact up to {@link SampledTangling#DEFAULT_EXACT_MAX} times, above it a
 *       seeded sample of times scored against all times, as the streamed single machine) and the silhouette
 *       of the given labels or of k-means with k chosen by silhouette ({@link SparkSilhouette},
 *       {@link SparkKMeans}) as blocked jobs over the group's rows, kept by the executors meanwhile.</li>
 * </ul>
 * The null baselines and bootstrap intervals, which recompute every metric per replicate, are
 * null with the reason {@value #NOT_YET}, and so {@code --compare-sizes} is refused.
 */
public final class SparkGeometry implements DistributedEngine {
    static final String NOT_YET = "not computed on Spark yet";
    /** Tree depth of the aggregations: partial sums meet in √partitions groups before the driver. */
    private static final int DEPTH = 2;

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public GeometryAnalysis.Result geometry(Request request, GeometryAnalysis.Options options) {
        if (request.compareSizes()) {
            throw new InputException("--compare-sizes needs bootstrap intervals, which are " + NOT_YET + "; run it without --spark");
        }
        EngineSession session = EngineSession.open(request.master(), "scalelab geometry");
        try {
            ActivationSource source = ActivationSource.open(session.spark(), request.sets(),
                    new ActivationSource.Options(request.groups(), request.allowIncomplete(), ActivationSource.Options.DEFAULT_PART_BYTES));
            return analyze(source, options, request.compareSizes());
        } finally {
            session.close();
        }
    }

    /**
     * A task's refusal of its input (a non-finite row, a shard changed since the driver checked it)
     * as the one-line error it was on the executor; any other failure as it came.
     */
    static RuntimeException inputProblem(SparkException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ScaleLabException s) {
                return s;
            }
        }
        return new IllegalStateException(e.getMessage(), e);
    }

    /** Every group of {@code source}, in the single-machine engine's order. */
    public static GeometryAnalysis.Result analyze(ActivationSource source, GeometryAnalysis.Options options, boolean compareSizes) {
        if (compareSizes) {
            throw new InputException("--compare-sizes needs bootstrap intervals, which are " + NOT_YET + "; run it without --spark");
        }
        List<GeometryAnalysis.Group> groups = new ArrayList<>();
        for (ActivationGroups.Layout plan : source.groups()) {
            // Kept by the executors: the nearest-neighbour and k-means jobs pass over the rows many times.
            JavaRDD<RowBlock> blocks = source.blocks(plan.name()).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                groups.add(group(plan, blocks, source.trajectoryStarts(plan.name()), plan.points(), source.coherence(plan.name()), options));
            } catch (Exception e) {
                // Spark's failed job (a SparkException) escapes the Java API undeclared.
                if (e instanceof SparkException failed) {
                    throw inputProblem(failed);
                }
                throw e;
            } finally {
                blocks.unpersist(false);
            }
        }
        Map<String, Object> opts = GeometryAnalysis.provenanceOptions(options, false);
        if (!source.groups().isEmpty()) {
            ActivationGroups.Layout first = source.groups().get(0);
            opts.put("unit", first.unit().label());
            if (first.unit() == StepPooling.Unit.STEP) {
                opts.put("pool", first.pool().label());
            }
        }
        opts.put("engine", "spark");
        if (!source.incomplete().isEmpty()) {
            opts.put("incomplete_inputs", source.incomplete());
        }
        return new GeometryAnalysis.Result(groups, List.of(), Provenance.of("geometry", source.inputs(), opts, options.seed()));
    }

    /**
     * One group's metrics from its blocks.
     *
     * @param starts    where each trajectory starts among the group's rows
     * @param size      the group's rows
     * @param coherence per-trajectory coherence moments, or null (then the plan says why)
     */
    public static GeometryAnalysis.Group group(ActivationGroups.Layout plan, JavaRDD<RowBlock> blocks, long[] starts, long size,
            OscillationCoherence.Moments[] coherence, GeometryAnalysis.Options options) {
        Sums sums = sums(blocks, starts, size);
        long n = sums.moments == null ? 0 : sums.moments.count();
        int d = sums.moments == null ? 0 : sums.moments.dimension();
        Map<String, String> reasons = new LinkedHashMap<>();
        if (plan.dropped() != null) {
            reasons.put("steps", plan.dropped());
        }
        MetricValue pr;
        MetricValue d90;
        MetricValue d95;
        double[] scree = new double[0];
        if (n < 2) {
            String why = "needs at least 2 points, got " + n;
            pr = MetricValue.missing(why);
            d90 = MetricValue.missing(why);
            d95 = MetricValue.missing(why);
        } else {
            pr = sums.moments.participationRatio();
            VarianceSpectrum spectrum = sums.moments.spectrum();
            d90 = spectrum.componentsFor(0.90);
            d95 = spectrum.componentsFor(0.95);
            scree = spectrum.explainedFractions(options.screeComponents());
        }
        MetricValue alignment = sums.alignment(starts.length);
        MetricValue stepCosine = sums.stepCosine(starts.length);
        // TwoNN: exact up to SampledTwoNN's limit (the in-memory engine is exact at every size), above it
        // from a seeded sample scored against all points, its interval among the reasons.
        MetricValue twonn;
        if (n < 3) {
            twonn = MetricValue.missing("TwoNN needs at least 3 points, got " + n);
        } else {
            SampledMetric<MetricValue> t = SparkTwoNN.of(blocks, SampledTwoNN.DEFAULT_EXACT_MAX, SampledTwoNN.DEFAULT_SAMPLE, options.seed(),
                    options.twonnDiscardFraction());
            twonn = t.result();
            if (!t.exact() && twonn.present()) {
                reasons.put("twonn_sample", t.note("points"));
            }
        }
        // Tangling's ε as in memory: the absolute one given, else the fraction of the total variance.
        Double eps = options.tanglingEpsilon() != null ? options.tanglingEpsilon()
                : n < 2 ? null : options.tanglingEpsilonFraction() * sums.moments.trace();
        TrajectoryTangling.Summary tangling = null;
        String[] why = new String[1];
        if (eps == null) {
            why[0] = "needs at least 2 points for the default epsilon";
        } else if (starts.length == 0) {
            why[0] = "no trajectories given (--trajectories FILE.npy with start offsets)";
        } else {
            // As the streamed single machine: exact up to its limit, a seeded sample of times above it.
            SampledMetric<TrajectoryTangling.Summary> t = SparkTangling.of(blocks, eps, options.tanglingMaxTimes(), SampledTangling.DEFAULT_EXACT_MAX,
                    SampledTangling.DEFAULT_SAMPLE, options.seed(), why);
            tangling = t == null ? null : t.result();
            if (t != null && !t.exact()) {
                reasons.put("tangling_sample", t.note("times") + "; " + SampledTangling.SAMPLE_SUMMARY);
            }
        }
        Clustering clustering = clustering(plan, blocks, n, options);
        Map<String, MetricValue> values = new LinkedHashMap<>();
        values.put("participation_ratio", pr);
        values.put("d90", d90);
        values.put("d95", d95);
        values.put("twonn", twonn);
        values.put("alignment", alignment);
        values.put("tangling", tangling == null ? MetricValue.missing(why[0]) : MetricValue.of(tangling.mean()));
        values.put("step_cosine", stepCosine);
        values.put("silhouette", clustering.estimate() == null ? MetricValue.missing(clustering.why())
                : MetricValue.of(clustering.estimate().value()));
        values.forEach((k, v) -> {
            if (!v.present()) {
                reasons.put(k, v.reason());
            }
        });
        MetricValue coherenceValue = coherence == null ? MetricValue.missing(plan.coherenceReason()) : OscillationCoherence.of(coherence);
        if (!coherenceValue.present()) {
            reasons.put("oscillation_coherence", coherenceValue.reason());
        }
        Map<String, Map<String, GeometryAnalysis.Baseline>> baselines = new LinkedHashMap<>();
        if (options.nullReplicates() >= 2) {
            reasons.put("baselines", "the Gaussian and shuffled-steps null models are " + NOT_YET);
        }
        if (coherenceValue.present()) {
            baselines.put(GeometryAnalysis.PERMUTED_PAIRING, Map.of("oscillation_coherence", OscillationCoherence.permutedPairing(coherence)));
        }
        if (options.bootstrapReplicates() > 0) {
            reasons.put("bootstrap", "bootstrap intervals over trajectories are " + NOT_YET);
        }
        if (n > Integer.MAX_VALUE) {
            throw new InputException(plan.name() + ": " + n + " points are more than a result records (2^31 − 1); split the group (--by domain)");
        }
        List<Double> perTrajectory = null;
        if (tangling != null) {
            perTrajectory = new ArrayList<>();
            for (double v : tangling.perTrajectoryMean()) {
                perTrajectory.add(Double.isNaN(v) ? null : v);
            }
        }
        Silhouette.Estimate sil = clustering.estimate();
        double[] silCi = sil == null || sil.exact() ? null : new double[] {sil.ciLow(), sil.ciHigh()};
        return new GeometryAnalysis.Group(plan.name(), plan.model(), plan.model() == null ? null : plan.parameterCount(), plan.domain(),
                plan.label(), plan.hook(), (int) n, d, starts.length, pr.value(), toInt(d90), toInt(d95), twonn.value(), alignment.value(),
                tangling == null ? null : tangling.mean(), tangling == null ? null : tangling.median(), tangling == null ? null : tangling.p90(),
                tangling == null ? null : tangling.epsilon(), perTrajectory, stepCosine.value(), sil == null ? null : sil.value(),
                clustering.source(), silCi, clustering.k(), clustering.byK(), coherenceValue.value(), scree, reasons, baselines, 0,
                new LinkedHashMap<>(), plan.unitName());
    }

    /** The silhouette's clustering, as the in-memory engine chooses it: the given labels, else k-means with k chosen by silhouette. */
    private record Clustering(Silhouette.Estimate estimate, String source, Integer k, Map<Integer, Double> byK, String why) {}

    private static Clustering clustering(ActivationGroups.Layout plan, JavaRDD<RowBlock> blocks, long n, GeometryAnalysis.Options o) {
        String[] why = new String[1];
        boolean labelled = !plan.trajectories().isEmpty() && plan.trajectories().get(0).label() >= 0;
        if (labelled) {
            int[] labels = new int[(int) n];
            int r = 0;
            for (ActivationGroups.LaidOut t : plan.trajectories()) {
                int points = t.stepRowStarts() == null ? t.trajectory().rows() : t.stepRowStarts().length;
                java.util.Arrays.fill(labels, r, r + points, t.label());
                r += points;
            }
            Silhouette.Estimate[] e = SparkSilhouette.estimate(blocks, new int[][] {labels}, o.silhouetteExactMax(), o.silhouetteSample(),
                    o.seed(), why);
            return new Clustering(e == null ? null : e[0], "labels", null, null, why[0]);
        }
        if (o.kMax() == 0) {
            return new Clustering(null, null, null, null, "no labels given and k-means is off (k-max 0)");
        }
        if (n < 3) {
            return new Clustering(null, "kmeans", null, null, "k-means silhouette needs at least 3 points, got " + n);
        }
        ClusterSelection sel = SparkKMeans.select(blocks, new ClusterSelection.Options(o.kMin(), o.kMax(), o.silhouetteExactMax(),
                o.silhouetteSample(), o.distances(), o.seed()), why);
        return sel == null ? new Clustering(null, "kmeans", null, null, why[0])
                : new Clustering(sel.silhouette(), "kmeans", sel.k(), sel.byK(), null);
    }

    private static Integer toInt(MetricValue v) {
        return v.present() ? (int) Math.round(v.value()) : null;
    }

    /** The one pass over a group's blocks. */
    static Sums sums(JavaRDD<RowBlock> blocks, long[] starts, long size) {
        return blocks.treeAggregate(new Sums(), (s, b) -> s.add(b, starts, size), Sums::merge, DEPTH);
    }

    /**
     * What one pass gathers: the covariance moments; the sum of the unit displacements of whole
     * trajectories and how many there were; the step cosines of whole trajectories (sum, pairs);
     * and the pieces of trajectories cut by block boundaries.
     */
    static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;

        CovarianceMoments moments;
        double[] directionSum;
        long directions;
        double cosineSum;
        long cosinePairs;
        final List<Piece> pieces = new ArrayList<>();

        Sums add(RowBlock b, long[] starts, long size) {
            int d = b.dimension();
            if (moments == null) {
                moments = new CovarianceMoments(d);
                directionSum = new double[d];
            } else if (moments.dimension() != d) {
                throw new InputException(b.group() + ": rows of width " + d + " among rows of width " + moments.dimension());
            }
            moments.add(b.rows(), 0, b.count());
            int i = 0;
            while (i < b.count()) {
                int k = b.trajectory()[i];
                int j = i + 1;
                while (j < b.count() && b.trajectory()[j] == k) {
                    j++;
                }
                if (k >= 0) {
                    long first = b.firstRow() + i;
                    long end = k + 1 < starts.length ? starts[k + 1] : size;
                    if (first == starts[k] && b.firstRow() + j == end) {
                        whole(b.rows(), i, j - i, d);
                    } else {
                        pieces.add(Piece.of(k, first, b.rows(), i, j - i, d));
                    }
                }
                i = j;
            }
            return this;
        }

        /** A whole trajectory's rows [from, from + count) of a block. */
        private void whole(float[] rows, int from, int count, int d) {
            Piece p = Piece.of(-1, 0, rows, from, count, d);
            cosineSum += p.cosineSum;
            cosinePairs += p.cosinePairs;
            double[] u = p.direction();
            if (u != null) {
                for (int j = 0; j < d; j++) {
                    directionSum[j] += u[j];
                }
                directions++;
            }
        }

        Sums merge(Sums o) {
            if (o.moments == null) {
                return this;
            }
            if (moments == null) {
                return o;
            }
            moments.merge(o.moments);
            for (int j = 0; j < directionSum.length; j++) {
                directionSum[j] += o.directionSum[j];
            }
            directions += o.directions;
            cosineSum += o.cosineSum;
            cosinePairs += o.cosinePairs;
            pieces.addAll(o.pieces);
            return this;
        }

        /** Joins each cut trajectory's pieces in row order and adds it as a whole one. */
        private void joinPieces() {
            if (pieces.isEmpty()) {
                return;
            }
            pieces.sort(Comparator.comparingInt((Piece p) -> p.trajectory).thenComparingLong(p -> p.firstRow));
            List<Piece> joined = new ArrayList<>();
            Piece current = null;
            for (Piece p : pieces) {
                if (current != null && current.trajectory == p.trajectory) {
                    current = current.then(p);
                } else {
                    if (current != null) {
                        joined.add(current);
                    }
                    current = p;
                }
            }
            joined.add(current);
            pieces.clear();
            for (Piece p : joined) {
                cosineSum += p.cosineSum;
                cosinePairs += p.cosinePairs;
                double[] u = p.direction();
                if (u != null) {
                    for (int j = 0; j < directionSum.length; j++) {
                        directionSum[j] += u[j];
                    }
                    directions++;
                }
            }
        }

        /**
         * Mean pairwise cosine of the trajectories' unit displacements,
         * (‖Σ u_k‖² − K) / (K² − K), as {@code TrajectoryAlignment} computes it.
         */
        MetricValue alignment(int trajectories) {
            if (trajectories == 0) {
                return MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)");
            }
            joinPieces();
            if (directions < 2) {
                return MetricValue.missing("alignment needs at least 2 trajectories with a non-zero displacement, got " + directions);
            }
            double s2 = 0;
            for (double v : directionSum) {
                s2 += v * v;
            }
            return MetricValue.of((s2 - directions) / ((double) directions * directions - directions));
        }

        /** Mean cosine of consecutive steps over every trajectory, as {@code StepCosine} computes it. */
        MetricValue stepCosine(int trajectories) {
            if (trajectories == 0) {
                return MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)");
            }
            joinPieces();
            if (cosinePairs == 0) {
                return MetricValue.missing("no trajectory has 3 points with two non-zero consecutive steps");
            }
            return MetricValue.of(cosineSum / cosinePairs);
        }
    }

    /**
     * Consecutive rows of one trajectory: its first row index, its first two and last two rows (or
     * fewer), its row count, and the sum and count of the step cosines inside it.
     */
    static final class Piece implements Serializable {
        private static final long serialVersionUID = 1L;

        final int trajectory;
        final long firstRow;
        final int count;
        final float[][] head; // the first min(2, count) rows
        final float[][] tail; // the last min(2, count) rows
        double cosineSum;
        long cosinePairs;

        private Piece(int trajectory, long firstRow, int count, float[][] head, float[][] tail) {
            this.trajectory = trajectory;
            this.firstRow = firstRow;
            this.count = count;
            this.head = head;
            this.tail = tail;
        }

        static Piece of(int trajectory, long firstRow, float[] rows, int from, int count, int d) {
            float[][] head = new float[Math.min(2, count)][];
            float[][] tail = new float[Math.min(2, count)][];
            for (int i = 0; i < head.length; i++) {
                head[i] = java.util.Arrays.copyOfRange(rows, (from + i) * d, (from + i + 1) * d);
                int t = from + count - tail.length + i;
                tail[i] = java.util.Arrays.copyOfRange(rows, t * d, (t + 1) * d);
            }
            Piece p = new Piece(trajectory, firstRow, count, head, tail);
            for (int t = from; t + 2 < from + count; t++) {
                p.addCosine(rows, t * d, rows, (t + 1) * d, rows, (t + 2) * d, d);
            }
            return p;
        }

        private void addCosine(float[] a, int ia, float[] b, int ib, float[] c, int ic, int d) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < d; j++) {
                double s = (double) b[ib + j] - a[ia + j];
                double t = (double) c[ic + j] - b[ib + j];
                dot += s * t;
                na += s * s;
                nb += t * t;
            }
            if (na > 0 && nb > 0) {
                cosineSum += dot / Math.sqrt(na * nb);
                cosinePairs++;
            }
        }

        /** This piece followed by {@code next} (the trajectory's next rows): the cosines across the cut are added. */
        Piece then(Piece next) {
            if (next.firstRow != firstRow + count) {
                throw new IllegalStateException("trajectory " + trajectory + ": rows " + (firstRow + count) + " … " + (next.firstRow - 1)
                        + " are missing between two pieces");
            }
            // The rows around the cut, in order: up to two before it, up to two after it.
            List<float[]> around = new ArrayList<>();
            around.addAll(List.of(tail));
            around.addAll(List.of(next.head));
            int before = tail.length;
            float[][] head2 = count >= 2 ? head : joinHead(next);
            float[][] tail2 = next.count >= 2 ? next.tail : joinTail(next);
            Piece out = new Piece(trajectory, firstRow, count + next.count, head2, tail2);
            out.cosineSum = cosineSum + next.cosineSum;
            out.cosinePairs = cosinePairs + next.cosinePairs;
            int d = head[0].length;
            // Triples (t, t+1, t+2) that straddle the cut: those starting at the last two rows before it.
            for (int s = Math.max(0, before - 2); s < before; s++) {
                if (s + 2 < around.size()) {
                    out.addCosine(around.get(s), 0, around.get(s + 1), 0, around.get(s + 2), 0, d);
                }
            }
            return out;
        }

        private float[][] joinHead(Piece next) {
            List<float[]> rows = new ArrayList<>(List.of(head));
            for (float[] r : next.head) {
                if (rows.size() < 2) {
                    rows.add(r);
                }
            }
            return rows.toArray(new float[0][]);
        }

        private float[][] joinTail(Piece next) {
            List<float[]> rows = new ArrayList<>(List.of(tail));
            rows.addAll(List.of(next.tail));
            return rows.subList(Math.max(0, rows.size() - 2), rows.size()).toArray(new float[0][]);
        }

        /** The unit displacement from the first row to the last, or null for one row or none. */
        double[] direction() {
            if (count < 2) {
                return null;
            }
            float[] a = head[0];
            float[] b = tail[tail.length - 1];
            double[] u = new double[a.length];
            double norm = 0;
            for (int j = 0; j < a.length; j++) {
                u[j] = (double) b[j] - a[j];
                norm += u[j] * u[j];
            }
            if (norm == 0) {
                return null;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < a.length; j++) {
                u[j] /= norm;
            }
            return u;
        }
    }
}
