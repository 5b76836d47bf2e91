package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * k-means (Lloyd 1982) seeded with greedy k-means++ (Arthur &amp; Vassilvitskii 2007; the greedy
 * variant draws 2 + ⌊ln k⌋ candidates per centre and keeps the one that lowers the potential most,
 * as scikit-learn's {@code _kmeans_plusplus}). Convergence as scikit-learn's Lloyd: stop when no
 * label changes, or when the summed squared centre shift is at most {@code tolerance} × the mean
 * per-feature variance of the data.
 *
 * <p>Work is in mean-centred coordinates (as scikit-learn, which centres a copy of X first), as float32,
 * one chunk of rows at a time. Each row's nearest centre, and every distance of the seeding, is exact:
 * a float32 GEMM with its error bound, the centres that could be nearest measured again as
 * Σ (x_c − c_c)² in float64 ({@link Centres}), the first centre winning ties; so labels do not depend on
 * how a GEMM rounds, and the Spark engine, whose kernel ({@link NeighbourTiles}) gives the same exact
 * answers, finds the same ones — unless a row lies within rounding of a tie: the engines add the mean,
 * the cluster sums and the seeding potentials in other orders (blocks there, chunks here), which can move a
 * centred value or a centroid by one float32 ulp.
 * The update step sums each cluster's rows in float64. The reported inertia Σ‖x − c‖² is float64.
 */
public final class KMeans {
    private KMeans() {}

    /** Rows per distance and update step; a streamed fit reads its rows in the same chunks. */
    static final int CHUNK_ROWS = 2048;

    /** Columns per task of the cluster sums. */
    private static final int SUM_COLUMNS = 256;

    /**
     * Rows × centres × columns below which a chunk's rows are not split across the common pool: on the
     * small sets of a null model's replicates the fork cost more than the work (measured on the demo).
     */
    private static final long PARALLEL_WORK = 1 << 20;

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

    /**
     * {@code fit.apply(f)} for f = 0 … count − 1, each on its own thread, all at once: fits that wait on one
     * another's reads (a streamed set's shared passes) or on a cluster's jobs. The first fit to fail ends
     * the call: the others are interrupted and awaited (up to a minute), and its exception is thrown as it
     * was (a Spark job's {@code SparkException} too, which is checked in Java's eyes).
     */
    public static Fit[] sideBySide(int count, java.util.function.IntFunction<Fit> fit) {
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, count), r -> {
            Thread t = new Thread(r, "scalelab-kmeans");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.CompletionService<Integer> done = new java.util.concurrent.ExecutorCompletionService<>(threads);
        Fit[] out = new Fit[count];
        try {
            for (int f = 0; f < count; f++) {
                int which = f;
                done.submit(() -> {
                    out[which] = fit.apply(which);
                    return which;
                });
            }
            for (int f = 0; f < count; f++) {
                done.take().get(); // in the order they finish: a failure is seen at once
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("k-means interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw KMeans.<RuntimeException>unchecked(e.getCause());
        } finally {
            threads.shutdownNow();
            try {
                threads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Throws {@code t} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E unchecked(Throwable t) throws E {
        throw (E) t;
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

    /** The centres [k, d] of a buffer as an array (held rows of {@link NeighbourTiles}). */
    private static float[] held(FloatBuffer centres, int k, int d) {
        float[] c = new float[k * d];
        centres.get(0, c);
        return c;
    }

    private static Fit lloyd(Rows x, int k, FloatBuffer centres, Options o) {
        int n = x.n;
        int d = x.d;
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double tolAbs = o.tolerance() * x.meanVariance;
        int[] nearest = new int[Math.min(n, CHUNK_ROWS)];
        double[] dist = new double[Math.min(n, CHUNK_ROWS)];
        float[] chunk = new float[Math.min(n, CHUNK_ROWS) * d];
        boolean[] changed = new boolean[1];
        double[] sums = new double[k * d];
        double[] chunkSums = new double[k * d];
        int[] counts = new int[k];
        double[] minDist = new double[n]; // each row's exact distance to its centre, measured only to refill an empty cluster
        int iterations = 0;
        boolean converged = false;
        Centres near = new Centres(x, held(centres, k, d));
        while (iterations < o.maxIterations()) {
            iterations++;
            Arrays.fill(sums, 0);
            Arrays.fill(counts, 0);
            changed[0] = false;
            near.move(held(centres, k, d));
            x.forEachChunk((start, m, rows) -> {
                near.nearest(start, m, rows, nearest, dist, false);
                rows.get(0, chunk, 0, m * d);
                Arrays.fill(chunkSums, 0);
                for (int i = 0; i < m; i++) {
                    int best = nearest[i];
                    if (labels[start + i] != best) {
                        changed[0] = true;
                        labels[start + i] = best;
                    }
                    counts[best]++;
                }
                // The cluster sums, rows in order for every column, columns in blocks on the common pool.
                IntStream.range(0, (d + SUM_COLUMNS - 1) / SUM_COLUMNS).parallel().forEach(b -> {
                    int to = Math.min(d, (b + 1) * SUM_COLUMNS);
                    for (int i = 0; i < m; i++) {
                        int at = nearest[i] * d;
                        for (int j = b * SUM_COLUMNS; j < to; j++) {
                            chunkSums[at + j] += chunk[i * d + j];
                        }
                    }
                });
                for (int i = 0; i < k * d; i++) {
                    sums[i] += chunkSums[i];
                }
            });
            if (!changed[0]) {
                converged = true; // strict convergence: the same labels give the same centres
                break;
            }
            if (Arrays.stream(counts).anyMatch(c -> c == 0)) {
                exactDistances(x, held(centres, k, d), labels, minDist);
                relocateEmpty(x, sums, counts, minDist, labels, k);
            }
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
                assign(x, near.move(held(centres, k, d)), labels);
                break;
            }
        }
        if (!converged) {
            assign(x, near.move(held(centres, k, d)), labels);
        }
        float[] c = held(centres, k, d);
        double inertia = exactInertia(x, c, labels);
        for (int i = 0; i < k * d; i++) {
            c[i] = (float) (c[i] + x.mean[i % d]); // back from centred coordinates
        }
        return new Fit(k, labels, inertia, iterations, converged, c);
    }

    /** Every row's exact squared distance to its centre into {@code out}: one more pass, only when a cluster is empty. */
    private static void exactDistances(Rows x, float[] centres, int[] labels, double[] out) {
        int d = x.d;
        x.forEachChunkConcurrently((start, m, rows) -> {
            float[] row = new float[d];
            for (int i = 0; i < m; i++) {
                rows.get(i * d, row, 0, d);
                out[start + i] = NeighbourTiles.exactSquared(centres, labels[start + i] * d, row, 0, d);
            }
        });
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

    /** Each row's nearest centre (exact, the first on ties) into labels. */
    private static void assign(Rows x, Centres near, int[] labels) {
        int[] nearest = new int[Math.min(x.n, CHUNK_ROWS)];
        double[] dist = new double[Math.min(x.n, CHUNK_ROWS)];
        x.forEachChunk((start, m, rows) -> {
            near.nearest(start, m, rows, nearest, dist, false);
            System.arraycopy(nearest, 0, labels, start, m);
        });
    }

    /**
     * Held centres [k, d] (centred coordinates) met by chunks of centred rows: the exact squared distances
     * k-means decides on, from one float32 GEMM per chunk. ‖x‖² + ‖c‖² − 2x·c, the cross term by
     * {@code cblas_sgemm} on the float32 rows as they are, is within {@link Float32Bound}'s E of
     * Σ (x_c − c_c)² in float64 (the rows are float32 already, so its rounding term is to spare); a centre
     * whose bound could change the answer is measured again exactly ({@link NeighbourTiles#exactSquared}).
     * So the answers are {@link NeighbourTiles#nearest}'s and {@link NeighbourTiles#capped}'s, which the
     * Spark engine uses, without the copy of every row those make, centred again on the held rows: these rows
     * were centred once for the whole fit (that copy would be two thirds of a fit's time at d = 4,096).
     */
    private static final class Centres {
        private final Rows x;
        private final int k;
        private final int d;
        private final float[] values;
        private final FloatBuffer buffer;
        private final double[] squared; // ‖c‖² in float64
        private final double[] norm; // ‖c‖
        private final Float32Bound bound;
        private final FloatBuffer cross;
        private final float[] products; // the cross terms as an array: read k times a row

        Centres(Rows x, float[] values) {
            this.x = x;
            this.d = x.d;
            this.k = values.length / d;
            this.values = values.clone();
            this.buffer = Blas.floats(values.length);
            this.squared = new double[k];
            this.norm = new double[k];
            this.bound = new Float32Bound(d);
            int rows = Math.min(x.n, CHUNK_ROWS);
            this.cross = Blas.floats((long) rows * k);
            this.products = new float[rows * k];
            move(values);
        }

        /** The same k centres moved to {@code to} [k, d] (a Lloyd step's): the buffers are reused. */
        Centres move(float[] to) {
            System.arraycopy(to, 0, values, 0, values.length);
            buffer.put(0, values);
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double v = values[c * d + j];
                    s += v * v;
                }
                squared[c] = s;
                norm[c] = Math.sqrt(s);
            }
            return this;
        }

        /** The chunk's m rows, on the common pool when their work (m k d) is worth the fork. */
        private IntStream rows(int m) {
            IntStream range = IntStream.range(0, m);
            return (long) m * k * d >= PARALLEL_WORK ? range.parallel() : range;
        }

        /** The GEMM of the chunk's m rows against the centres, into {@link #products}. */
        private void measure(int m, FloatBuffer rows) {
            Blas.productNTf(rows, m, buffer, k, d, -2f, cross);
            cross.get(0, products, 0, m * k);
        }

        /**
         * Σ (c_j − x_j)² in float64 of centre c and chunk row i, read where it lies: the arithmetic, and so the
         * bits, of {@link NeighbourTiles#exactSquared} (the Spark engine's), without copying the chunk.
         */
        private double exact(int c, FloatBuffer rows, int i) {
            double s = 0;
            int a = c * d;
            int b = i * d;
            for (int j = 0; j < d; j++) {
                double v = (double) values[a + j] - rows.get(b + j);
                s += v * v;
            }
            return s;
        }

        /** Row i of the chunk's float32 squared distance to centre c (not clipped). */
        private double approximate(int start, int i, int c) {
            return x.norms[start + i] + squared[c] + products[i * k + c];
        }

        /**
         * Each chunk row's nearest centre (the first on ties) into label[i], its exact squared distance into
         * distance[i]. With {@code exact} false a row
         * whose bound leaves one centre is not measured: its distance is NaN (Lloyd's steps need the
         * distances only to refill an empty cluster, {@link #exactDistances}).
         */
        void nearest(int start, int m, FloatBuffer rows, int[] label, double[] distance, boolean exact) {
            measure(m, rows);
            rows(m).forEach(i -> {
                double own = x.norms[start + i];
                double root = Math.sqrt(own);
                int at = i * k;
                double ceiling = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    ceiling = Math.min(ceiling, own + squared[c] + products[at + c] + bound.forNorms(root, norm[c]));
                }
                int candidates = 0;
                int only = -1;
                for (int c = 0; c < k; c++) {
                    if (own + squared[c] + products[at + c] - bound.forNorms(root, norm[c]) <= ceiling) {
                        candidates++;
                        only = c;
                    }
                }
                if (!exact && candidates == 1) {
                    label[i] = only;
                    distance[i] = Double.NaN;
                    return;
                }
                int best = -1;
                double bestD = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    if (own + squared[c] + products[at + c] - bound.forNorms(root, norm[c]) <= ceiling) {
                        double e = exact(c, rows, i);
                        if (e < bestD) {
                            bestD = e;
                            best = c;
                        }
                    }
                }
                label[i] = best;
                distance[i] = bestD;
            });
        }

        /**
         * Adds to low[c] and high[c] the chunk's Σ min(cap, max(0, d̃² − E)) and Σ min(cap, d̃² + E) for each
         * centre c: bounds on its share of the potential (rows in order, so the sums do not depend on threads).
         */
        void potentialBounds(int start, int m, FloatBuffer rows, double[] cap, double[] low, double[] high) {
            measure(m, rows);
            double[] lows = new double[m * k];
            double[] highs = new double[m * k];
            rows(m).forEach(i -> {
                double limit = cap[start + i];
                double root = Math.sqrt(x.norms[start + i]);
                for (int c = 0; c < k; c++) {
                    double v = approximate(start, i, c);
                    double e = bound.forNorms(root, norm[c]);
                    lows[i * k + c] = Math.min(limit, Math.max(0, v - e));
                    highs[i * k + c] = Math.min(limit, v + e);
                }
            });
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < k; c++) {
                    low[c] += lows[i * k + c];
                    high[c] += highs[i * k + c];
                }
            }
        }

        /** out[c][start + i] = min(cap[start + i], exact squared distance of centre c and chunk row i), for the centres {@code open}. */
        void capped(int start, int m, FloatBuffer rows, double[] cap, boolean[] open, double[][] out) {
            measure(m, rows);
            rows(m).forEach(i -> {
                double limit = cap[start + i];
                double root = Math.sqrt(x.norms[start + i]);
                for (int c = 0; c < k; c++) {
                    if (!open[c]) {
                        continue;
                    }
                    out[c][start + i] = approximate(start, i, c) - bound.forNorms(root, norm[c]) < limit
                            ? Math.min(limit, exact(c, rows, i))
                            : limit;
                }
            });
        }
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

    /**
     * Greedy k-means++ seeding; returns the centres [k, d]. Distances are exact (float64 over the float32
     * centred rows, {@link NeighbourTiles}), so the potentials, and where each draw lands, do not depend on
     * how a GEMM rounds.
     */
    private static FloatBuffer plusPlus(Rows x, int k, SplittableRandom random) {
        int n = x.n;
        int d = x.d;
        int trials = 2 + (int) Math.log(k);
        FloatBuffer centres = Blas.floats((long) k * d);
        float[] row = new float[d];
        int first = random.nextInt(n);
        x.row(first, row);
        centres.put(0, row, 0, d);
        float[] candidates = new float[trials * d];
        double[] closest = distancesTo(x, row);
        Centres near = new Centres(x, candidates); // the candidates of each step in turn
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
            // The candidate of least exact potential Σ min(D², d²) (the first on ties): decided from the
            // potentials' bounds when they leave one, measured exactly for those they leave otherwise.
            near.move(candidates);
            boolean[] open = openCandidates(x, near, closest);
            int best = -1;
            double[] bestCapped = null;
            double bestPot = Double.POSITIVE_INFINITY;
            double[][] capped = cappedDistances(x, near, open, closest);
            for (int t = 0; t < trials; t++) {
                if (capped[t] != null) {
                    double s = sum(capped[t]);
                    if (best < 0 || s < bestPot) {
                        bestPot = s;
                        best = t;
                        bestCapped = capped[t];
                    }
                }
            }
            closest = bestCapped;
            potential = bestPot;
            centres.put(c * d, candidates, best * d, d);
        }
        return centres;
    }

    /** Every point's exact squared distance to one centre. */
    private static double[] distancesTo(Rows x, float[] centre) {
        double[] out = new double[x.n];
        Centres near = new Centres(x, centre);
        int[] label = new int[Math.min(x.n, CHUNK_ROWS)];
        double[] dist = new double[Math.min(x.n, CHUNK_ROWS)];
        x.forEachChunk((start, m, rows) -> {
            near.nearest(start, m, rows, label, dist, true);
            System.arraycopy(dist, 0, out, start, m);
        });
        return out;
    }

    /**
     * The candidates whose exact potential Σ_i min(cap[i], d²_ti) may be the least: every candidate's
     * potential lies between the sums of min(cap, max(0, d̃² − E)) and min(cap, d̃² + E) over the float32
     * distances d̃² and their bounds E (widened by the sums' own rounding, n · 2⁻⁵² relative), so a
     * candidate whose lower sum is above another's upper sum cannot win. One pass, nothing measured
     * exactly; usually one candidate is left.
     */
    private static boolean[] openCandidates(Rows x, Centres near, double[] cap) {
        int trials = near.k;
        double[] low = new double[trials];
        double[] high = new double[trials];
        x.forEachChunk((start, m, rows) -> near.potentialBounds(start, m, rows, cap, low, high));
        double slack = x.n * 0x1p-52;
        double ceiling = Double.POSITIVE_INFINITY;
        for (int t = 0; t < trials; t++) {
            ceiling = Math.min(ceiling, high[t] * (1 + slack));
        }
        boolean[] open = new boolean[trials];
        for (int t = 0; t < trials; t++) {
            open[t] = low[t] * (1 - slack) <= ceiling;
        }
        return open;
    }

    /**
     * [candidate t][point i] = min(cap[i], exact squared distance of candidate t and point i) for the
     * candidates {@code open} (null for the others): each one's share of the potential were it chosen
     * (as {@link NeighbourTiles#capped}).
     */
    private static double[][] cappedDistances(Rows x, Centres near, boolean[] open, double[] cap) {
        double[][] out = new double[near.k][];
        for (int t = 0; t < near.k; t++) {
            out[t] = open[t] ? new double[x.n] : null;
        }
        x.forEachChunk((start, m, rows) -> near.capped(start, m, rows, cap, open, out));
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
