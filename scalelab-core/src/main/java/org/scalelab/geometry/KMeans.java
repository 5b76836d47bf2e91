package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * k-means (Lloyd 1982) seeded with greedy k-means++ (Arthur &amp; Vassilvitskii 2007; the greedy
 * variant draws 2 + ⌊ln k⌋ candidates per centre and keeps the one that lowers the potential most,
 * as scikit-learn's {@code _kmeans_plusplus}). Convergence as scikit-learn's Lloyd: stop when no
 * label changes, or when the summed squared centre shift is at most {@code tolerance} × the mean
 * per-feature variance of the data.
 *
 * <p>Work is in mean-centred coordinates (as scikit-learn, which centres a copy of X first), one
 * chunk of rows at a time: the distance step is ‖x‖² + ‖c‖² − 2 X Cᵀ
 * (sgemm [rows, k]), the update step sums each cluster's rows as Oᵀ X with the one-hot assignment
 * O [rows, k] (sgemm). The reported inertia Σ‖x − c‖² is recomputed in float64 at the end.
 */
public final class KMeans {
    private KMeans() {}

    /** Rows per distance and update step; a streamed fit reads its rows in the same chunks. */
    static final int CHUNK_ROWS = 2048;

    /** @param restarts seeds tried (best inertia kept), as scikit-learn's {@code n_init} */
    public record Options(int maxIterations, double tolerance, int restarts) {
        public Options {
            if (maxIterations < 1 || restarts < 1 || !(tolerance >= 0)) {
                throw new IllegalArgumentException("k-means needs maxIterations ≥ 1, restarts ≥ 1, tolerance ≥ 0");
            }
        }

        /** scikit-learn's defaults: max_iter 300, tol 1e-4, n_init 1 (its "auto" for k-means++). */
        public static Options defaults() {
            return new Options(300, 1e-4, 1);
        }
    }

    /** A clustering: labels in 0..k−1, centroids [k, d] row-major, inertia Σ‖x − c(x)‖². */
    public record Fit(int k, int[] labels, double inertia, int iterations, boolean converged, float[] centroids) {}

    public static Fit fit(PointSet p, int k, long seed) {
        return fit(p, k, seed, Options.defaults());
    }

    public static Fit fit(PointSet p, int k, long seed, Options o) {
        int n = p.size();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-means needs 1 ≤ k ≤ n = " + n + ", got k = " + k);
        }
        return fit(new HeldRows(p), k, seed, o);
    }

    /** The fit over rows held or streamed: the same seeding, steps and arithmetic either way. */
    static Fit fit(Rows rows, int k, long seed, Options o) {
        Fit best = null;
        for (int r = 0; r < o.restarts(); r++) {
            Fit f = lloyd(rows, k, plusPlus(rows, k, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + r)), o);
            if (best == null || f.inertia() < best.inertia()) {
                best = f;
            }
        }
        return best;
    }

    /** Lloyd from the given initial centres [k, d] row-major (no seeding): for cross-checks with scikit-learn's {@code init=array}. */
    static Fit fitFrom(PointSet p, float[] initial, Options o) {
        Rows rows = new HeldRows(p);
        int d = p.dimension();
        int k = initial.length / d;
        FloatBuffer centres = Blas.floats((long) k * d);
        for (int i = 0; i < k * d; i++) {
            centres.put(i, (float) (initial[i] - rows.mean[i % d]));
        }
        return lloyd(rows, k, centres, o);
    }

    /**
     * The mean-centred rows k-means works on (scikit-learn also centres a copy of X), as float32,
     * with their squared norms; visited in chunks of {@value #CHUNK_ROWS} rows, so that rows held
     * ({@link HeldRows}) and rows streamed from blocks give the same GEMMs on the same values.
     * The mean is summed chunk by chunk and the chunks' sums added in order, the norms row by row.
     */
    abstract static class Rows {
        final int n;
        final int d;
        double[] mean;
        double[] norms; // ‖x − μ‖² of the float32 centred rows
        double meanVariance;

        Rows(int n, int d) {
            this.n = n;
            this.d = d;
        }

        /** Visits the centred rows in order, chunk [start, start + m) as a buffer [m, d] valid during the call. */
        abstract void forEachChunk(ChunkVisitor visitor);

        /** As {@link #forEachChunk}, but chunks may arrive in any order and at once (a visitor that only writes its own chunk's slots). */
        void forEachChunkConcurrently(ChunkVisitor visitor) {
            forEachChunk(visitor);
        }

        /** Centred rows {@code which} (any order, repeats allowed) into dst [which.length, d]. */
        abstract void rows(int[] which, float[] dst);

        /** Centred row i into dst. */
        void row(int i, float[] dst) {
            rows(new int[] {i}, dst);
        }

        /** Sets meanVariance from the norms: mean over features of np.var(X, axis=0) = Σ‖x − μ‖² / (n d). */
        void measureSpread() {
            double total = 0;
            for (double v : norms) {
                total += v;
            }
            this.meanVariance = total / n / d;
        }
    }

    /** One chunk of centred rows. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(int start, int m, FloatBuffer rows);
    }

    /**
     * The rows of a point set, mean-centred once into one float32 copy, so every later pass is a BLAS
     * call on a zero-copy slice.
     */
    private static final class HeldRows extends Rows {
        final FloatBuffer centred; // [n, d]

        HeldRows(PointSet p) {
            super(p.size(), p.dimension());
            FloatBuffer data = p.buffer();
            int n = this.n;
            int d = this.d;
            double[] mean;
            double[] norms;
            int parts = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
            double[][] colSums = new double[parts][];
            IntStream.range(0, parts).parallel().forEach(c -> {
                double[] sum = new double[d];
                float[] row = new float[d];
                for (int i = c * CHUNK_ROWS; i < Math.min(n, (c + 1) * CHUNK_ROWS); i++) {
                    data.get(i * d, row, 0, d);
                    for (int j = 0; j < d; j++) {
                        sum[j] += row[j];
                    }
                }
                colSums[c] = sum;
            });
            mean = new double[d];
            this.mean = mean;
            for (double[] sum : colSums) {
                for (int j = 0; j < d; j++) {
                    mean[j] += sum[j] / n;
                }
            }
            this.centred = PointSet.allocate((long) n * d);
            norms = new double[n];
            this.norms = norms;
            IntStream.range(0, parts).parallel().forEach(c -> {
                float[] row = new float[d];
                for (int i = c * CHUNK_ROWS; i < Math.min(n, (c + 1) * CHUNK_ROWS); i++) {
                    data.get(i * d, row, 0, d);
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        row[j] = (float) (row[j] - mean[j]);
                        s += (double) row[j] * row[j];
                    }
                    norms[i] = s;
                    centred.put(i * d, row, 0, d);
                }
            });
            measureSpread();
        }

        @Override
        void forEachChunk(ChunkVisitor visitor) {
            for (int start = 0; start < n; start += CHUNK_ROWS) {
                int m = Math.min(CHUNK_ROWS, n - start);
                visitor.visit(start, m, centred.slice(start * d, m * d));
            }
        }

        @Override
        void forEachChunkConcurrently(ChunkVisitor visitor) {
            IntStream.range(0, (n + CHUNK_ROWS - 1) / CHUNK_ROWS).parallel().forEach(c -> {
                int start = c * CHUNK_ROWS;
                int m = Math.min(CHUNK_ROWS, n - start);
                visitor.visit(start, m, centred.slice(start * d, m * d));
            });
        }

        @Override
        void rows(int[] which, float[] dst) {
            for (int r = 0; r < which.length; r++) {
                centred.get(which[r] * d, dst, r * d, d);
            }
        }
    }

    private static double[] centreNorms(FloatBuffer centres, int k, int d) {
        double[] cn = new double[k];
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = centres.get(c * d + j);
                s += v * v;
            }
            cn[c] = s;
        }
        return cn;
    }

    private static Fit lloyd(Rows x, int k, FloatBuffer centres, Options o) {
        int n = x.n;
        int d = x.d;
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double tolAbs = o.tolerance() * x.meanVariance;
        int chunk = Math.min(n, CHUNK_ROWS);
        FloatBuffer cross = Blas.floats((long) chunk * k);
        FloatBuffer onehot = Blas.floats((long) chunk * k);
        boolean[] changed = new boolean[1];
        FloatBuffer partial = Blas.floats((long) k * d);
        double[] sums = new double[k * d];
        int[] counts = new int[k];
        double[] minDist = new double[n];
        int iterations = 0;
        boolean converged = false;
        while (iterations < o.maxIterations()) {
            iterations++;
            Arrays.fill(sums, 0);
            Arrays.fill(counts, 0);
            changed[0] = false;
            double[] cn = centreNorms(centres, k, d);
            x.forEachChunk((start, m, rows) -> {
                Blas.productNTf(rows, m, centres, k, d, -2f, cross);
                for (int i = 0; i < m * k; i++) {
                    onehot.put(i, 0f);
                }
                for (int i = 0; i < m; i++) {
                    int best = nearest(x, start + i, cn, cross, i, k);
                    double bestD = x.norms[start + i] + cn[best] + cross.get(i * k + best);
                    if (labels[start + i] != best) {
                        changed[0] = true;
                        labels[start + i] = best;
                    }
                    minDist[start + i] = Math.max(0, bestD);
                    counts[best]++;
                    onehot.put(i * k + best, 1f);
                }
                Blas.productTNf(onehot, m, k, rows, d, partial);
                for (int i = 0; i < k * d; i++) {
                    sums[i] += partial.get(i);
                }
            });
            if (!changed[0]) {
                converged = true; // strict convergence: the same labels give the same centres
                break;
            }
            relocateEmpty(x, sums, counts, minDist, labels, k);
            double shift = 0;
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    double nv = sums[c * d + j] / counts[c];
                    double diff = nv - centres.get(c * d + j);
                    shift += diff * diff;
                    centres.put(c * d + j, (float) nv);
                }
            }
            if (shift <= tolAbs) {
                converged = true;
                assign(x, centres, k, labels, cross);
                break;
            }
        }
        if (!converged) {
            assign(x, centres, k, labels, cross);
        }
        float[] c = new float[k * d];
        centres.get(0, c);
        double inertia = exactInertia(x, c, labels);
        for (int i = 0; i < k * d; i++) {
            c[i] = (float) (c[i] + x.mean[i % d]); // back from centred coordinates
        }
        return new Fit(k, labels, inertia, iterations, converged, c);
    }

    /**
     * An empty cluster takes the point farthest from its own centre (scikit-learn does the same),
     * so k clusters stay k; that point leaves its old cluster's sums.
     */
    private static void relocateEmpty(Rows x, double[] sums, int[] counts, double[] minDist, int[] labels, int k) {
        int d = x.d;
        float[] row = new float[d];
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                continue;
            }
            int far = -1;
            for (int i = 0; i < x.n; i++) {
                if (counts[labels[i]] > 1 && (far < 0 || minDist[i] > minDist[far])) {
                    far = i;
                }
            }
            if (far < 0) {
                throw new IllegalStateException("k-means: no point can fill an empty cluster (k > distinct points?)");
            }
            x.row(far, row);
            int old = labels[far];
            for (int j = 0; j < d; j++) {
                sums[old * d + j] -= row[j];
                sums[c * d + j] = row[j];
            }
            counts[old]--;
            counts[c] = 1;
            labels[far] = c;
            minDist[far] = 0;
        }
    }

    private static void assign(Rows x, FloatBuffer centres, int k, int[] labels, FloatBuffer cross) {
        double[] cn = centreNorms(centres, k, x.d);
        x.forEachChunk((start, m, rows) -> {
            Blas.productNTf(rows, m, centres, k, x.d, -2f, cross);
            for (int i = 0; i < m; i++) {
                labels[start + i] = nearest(x, start + i, cn, cross, i, k);
            }
        });
    }

    /**
     * The centre nearest to row {@code row}: squared distance ‖x‖² + ‖c‖² − 2x·c, with −2x·c in {@code cross}
     * (row {@code i} of the chunk's product); the first centre wins ties.
     */
    private static int nearest(Rows x, int row, double[] cn, FloatBuffer cross, int i, int k) {
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double v = x.norms[row] + cn[c] + cross.get(i * k + c);
            if (v < bestD) {
                bestD = v;
                best = c;
            }
        }
        return best;
    }

    /**
     * Σ‖x − c(x)‖² in float64 (centred rows and centres): each chunk's sum row by row, the chunks' sums
     * added in order, so held rows (chunks in parallel) and streamed rows give the same bits.
     */
    private static double exactInertia(Rows x, float[] centres, int[] labels) {
        int d = x.d;
        double[] chunkSums = new double[(x.n + CHUNK_ROWS - 1) / CHUNK_ROWS];
        x.forEachChunkConcurrently((start, m, rows) -> {
            float[] row = new float[d];
            double s = 0;
            for (int i = 0; i < m; i++) {
                rows.get(i * d, row, 0, d);
                int base = labels[start + i] * d;
                for (int j = 0; j < d; j++) {
                    double diff = (double) row[j] - centres[base + j];
                    s += diff * diff;
                }
            }
            chunkSums[start / CHUNK_ROWS] = s;
        });
        double total = 0;
        for (double v : chunkSums) {
            total += v;
        }
        return total;
    }

    /** Greedy k-means++ seeding; returns the centres [k, d]. */
    private static FloatBuffer plusPlus(Rows x, int k, SplittableRandom random) {
        int n = x.n;
        int d = x.d;
        int trials = 2 + (int) Math.log(k);
        FloatBuffer centres = Blas.floats((long) k * d);
        FloatBuffer cand = Blas.floats((long) trials * d);
        float[] row = new float[d];
        int first = random.nextInt(n);
        x.row(first, row);
        centres.put(0, row, 0, d);
        float[] candidates = new float[trials * d];
        double[] closest = distancesTo(x, centres, 1)[0];
        double potential = sum(closest);
        double[] cumulative = new double[n];
        for (int c = 1; c < k; c++) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += closest[i];
                cumulative[i] = acc;
            }
            int[] picks = new int[trials];
            for (int t = 0; t < trials; t++) {
                int idx;
                if (potential > 0) {
                    double r = random.nextDouble() * potential;
                    idx = Arrays.binarySearch(cumulative, r);
                    idx = Math.min(n - 1, idx >= 0 ? idx + 1 : -idx - 1);
                } else {
                    idx = random.nextInt(n);
                }
                picks[t] = idx;
            }
            x.rows(picks, candidates);
            cand.put(0, candidates, 0, trials * d);
            double[][] dist = distancesTo(x, cand, trials);
            int best = 0;
            double bestPot = Double.POSITIVE_INFINITY;
            for (int t = 0; t < trials; t++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += Math.min(closest[i], dist[t][i]);
                }
                if (s < bestPot) {
                    bestPot = s;
                    best = t;
                }
            }
            for (int i = 0; i < n; i++) {
                closest[i] = Math.min(closest[i], dist[best][i]);
            }
            potential = bestPot;
            centres.put(c * d, candidates, best * d, d);
        }
        return centres;
    }

    /** Squared distances [m][n] from every point to the first m rows of {@code centres} (sgemm chunks, clipped at 0). */
    private static double[][] distancesTo(Rows x, FloatBuffer centres, int m) {
        double[][] out = new double[m][x.n];
        double[] cn = centreNorms(centres, m, x.d);
        int chunk = Math.min(x.n, CHUNK_ROWS);
        FloatBuffer cross = Blas.floats((long) chunk * m);
        x.forEachChunk((start, rows, values) -> {
            Blas.productNTf(values, rows, centres, m, x.d, -2f, cross);
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < m; c++) {
                    out[c][start + i] = Math.max(0, x.norms[start + i] + cn[c] + cross.get(i * m + c));
                }
            }
        });
        return out;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
