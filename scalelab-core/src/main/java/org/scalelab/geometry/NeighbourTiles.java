package org.scalelab.geometry;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Held rows — a sample of points, a chunk of query rows, k-means' centres — met by blocks of other
 * rows one block at a time: the per-block kernels of the sampled metrics ({@link SampledTwoNN},
 * {@link SampledTangling}, {@link SampledSilhouette}) and of the Spark jobs, which hold a chunk of query
 * rows and meet one block of data per task. Memory does not grow with the blocks: tiles of at most
 * {@value SampleDistances#TILE} × {@value SampleDistances#TILE} distances.
 *
 * <p><b>Exact answers from float32 tiles.</b> Each tile of squared distances is one {@code cblas_sgemm}
 * on float32 rows centred on the held rows' float64 mean ({@link SampleDistances}); each of its values is
 * within {@link Float32Bound} E = 1.01 (2γ_d ‖x'‖‖y'‖ + 3u (‖x'‖ + ‖y'‖)²) of the exact one (u = 2⁻²⁴,
 * γ_d = d u / (1 − d u), ‖x'‖ the centred norms). A pair whose bound could change a decision (a nearest
 * neighbour, the nearest two, a largest ratio, a nearest centre) is measured again exactly: Σ (a_c − b_c)²
 * in float64, column by column in order, over the float32 values ({@link #exactSquared}). Every answer of
 * {@link #nearestTwo}, {@link #highestRatios}, {@link #nearest} and {@link #capped} is therefore the one a
 * float64 loop over every pair gives, to the last bit, whatever the tiles and the block sizes; only the
 * number of pairs measured in float64 depends on them (few, unless the bound is wide against the gaps
 * between neighbours: then more pairs are measured, never a wrong one kept).
 *
 * <p><b>Sums of distances</b> ({@link #distanceSums}, the silhouette's) take every distance, so none can
 * be re-measured: there the tiles are float64 ({@code cblas_dgemm}, {@link #float64}), each squared
 * distance within ~1e-15 × (‖x'‖ + ‖y'‖)² of the direct float64 one, so a sum agrees with a float64
 * loop to ~1e-12 relative (tested to 1e-12).
 *
 * <p><b>Threads.</b> Parallel: a tile's rows on the common pool and OpenBLAS with its own threads (one
 * machine, one metric at a time). Sequential: the calling thread only, OpenBLAS set to one thread
 * during the call ({@link Blas#singleThreaded}) — for an engine that runs one task per core, as Spark's
 * executors, where every core already has its task.
 */
public final class NeighbourTiles {
    private final float[] held;
    private final long[] ids;
    private final int s;
    private final int d;
    private final boolean single;
    private final boolean parallel;
    private final SampleDistances distances;
    private final Float32Bound bound;

    private NeighbourTiles(float[] held, long[] ids, int d, boolean single, boolean parallel) {
        if (d < 1 || held.length % d != 0 || held.length == 0) {
            throw new IllegalArgumentException(held.length + " values are not rows of width " + d);
        }
        this.held = held;
        this.s = held.length / d;
        if (ids != null && ids.length != s) {
            throw new IllegalArgumentException(ids.length + " ids for " + s + " held rows");
        }
        this.ids = ids;
        this.d = d;
        this.single = single;
        this.parallel = parallel;
        this.distances = new SampleDistances(held, s, d, single, parallel);
        this.bound = new Float32Bound(d);
    }

    /**
     * Float32 tiles for {@link #nearestTwo}, {@link #highestRatios}, {@link #nearest} and {@link #capped}.
     *
     * @param held rows [s, d] row-major (kept, not copied)
     * @param ids each held row's own row number, left out of its own neighbours; null when held rows are
     *     not among the blocks' rows (k-means' centres)
     * @param parallel see the class comment
     */
    public static NeighbourTiles float32(float[] held, long[] ids, int d, boolean parallel) {
        return new NeighbourTiles(held, ids, d, true, parallel);
    }

    /** Float64 tiles, for {@link #distanceSums}. */
    public static NeighbourTiles float64(float[] held, long[] ids, int d, boolean parallel) {
        return new NeighbourTiles(held, ids, d, false, parallel);
    }

    /** Number of held rows. */
    public int size() {
        return s;
    }

    /**
     * Σ (a_c − b_c)² over {@code d} columns of rows a[ai ..] and b[bi ..], in float64, column by column in
     * order: the exact measure of a candidate (float32 values are exact in float64).
     */
    public static double exactSquared(float[] a, int ai, float[] b, int bi, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            double v = (double) a[ai + c] - b[bi + c];
            s += v * v;
        }
        return s;
    }

    /** Runs {@code pass} on this instance's threads (see the class comment). */
    private void run(Runnable pass) {
        if (parallel) {
            pass.run();
        } else {
            Blas.singleThreaded(pass);
        }
    }

    private void forEach(int count, IntConsumer body) {
        IntStream range = IntStream.range(0, count);
        (parallel ? range.parallel() : range).forEach(body);
    }

    private void checkFloat32() {
        if (!single) {
            throw new IllegalStateException("a decision needs the float32 tiles and their bound (NeighbourTiles.float32)");
        }
    }

    /**
     * One tile of squared distances: held rows {@code from} … {@code from + ns − 1} against the block's
     * rows {@code offset} … {@code offset + nj − 1}, {@code d2[i · nj + j]} (free to overwrite).
     */
    private interface Tile {
        void visit(double[] d2, int from, int ns, int offset, int nj);
    }

    /**
     * The first {@code count} rows of {@code rows} in column blocks of at most
     * {@value SampleDistances#TILE}, each met by every tile of held rows in turn, on this instance's threads.
     */
    private void eachTile(float[] rows, int count, Tile tile) {
        run(() -> {
            for (int c0 = 0; c0 < count; c0 += SampleDistances.TILE) {
                int nj = Math.min(SampleDistances.TILE, count - c0);
                distances.load(rows, c0, nj);
                for (int s0 = 0; s0 < s; s0 += SampleDistances.TILE) {
                    int ns = Math.min(SampleDistances.TILE, s - s0);
                    tile.visit(distances.tile(s0, ns), s0, ns, c0, nj);
                }
            }
        });
    }

    private boolean self(int at, long[] rowIds, int j) {
        return ids != null && rowIds[j] == ids[at];
    }

    /**
     * Offers the first {@code count} rows of {@code rows} ([count, d], row numbers {@code rowIds}) as
     * neighbours of every held row: r1[i] ≤ r2[i] are held row i's two smallest exact squared distances so
     * far (start them at +∞), its own row left out. A row is measured in float64 when its float32 squared
     * distance, less the bound, is below r2[i]; the lowest first, so r2 tightens early.
     */
    public void nearestTwo(float[] rows, long[] rowIds, int count, double[] r1, double[] r2) {
        checkFloat32();
        eachTile(rows, count, (d2, from, ns, offset, nj) -> forEach(ns, i -> {
            int at = from + i;
            int base = i * nj;
            double ni = distances.sampleNorm(at);
            // Each distance's lower bound in place; the lowest measured first.
            int lowest = -1;
            for (int j = 0; j < nj; j++) {
                double low = self(at, rowIds, offset + j) ? Double.POSITIVE_INFINITY
                        : d2[base + j] - bound.forNorms(ni, distances.columnNorm(j));
                d2[base + j] = low;
                if (low < r2[at] && (lowest < 0 || low < d2[base + lowest])) {
                    lowest = j;
                }
            }
            if (lowest < 0) {
                return;
            }
            offer(r1, r2, at, exactSquared(held, at * d, rows, (offset + lowest) * d, d));
            for (int j = 0; j < nj; j++) {
                if (j != lowest && d2[base + j] < r2[at]) {
                    offer(r1, r2, at, exactSquared(held, at * d, rows, (offset + j) * d, d));
                }
            }
        }));
    }

    private static void offer(double[] r1, double[] r2, int at, double e) {
        if (e < r1[at]) {
            r2[at] = r1[at];
            r1[at] = e;
        } else if (e < r2[at]) {
            r2[at] = e;
        }
    }

    /**
     * Trajectory tangling's largest ratios ({@link TrajectoryTangling}): for held time i (state in
     * {@code states}, step ẋ in {@code steps}, the same ids), q[i] becomes the largest of q[i] and
     * ‖ẋ_i − ẋ_j‖² / (‖x_i − x_j‖² + ε) over the first {@code count} block times j (states
     * {@code blockStates}, steps {@code blockSteps}, [count, d] each), its own time left out. A pair is
     * measured in float64 (both distances exact, then the ratio) when its ratio's upper bound — the step
     * distance plus its bound over the state distance less its bound (at least 0) plus ε — exceeds q[i];
     * the highest first, so q rises early.
     */
    public static void highestRatios(NeighbourTiles states, NeighbourTiles steps, float[] blockStates, float[] blockSteps, long[] rowIds,
            int count, double eps, double[] q) {
        states.checkFloat32();
        steps.checkFloat32();
        if (states.s != steps.s || states.d != steps.d) {
            throw new IllegalArgumentException("states and steps of different shapes: " + states.s + " × " + states.d + " and "
                    + steps.s + " × " + steps.d);
        }
        int d = states.d;
        int s = states.s;
        states.run(() -> {
            for (int c0 = 0; c0 < count; c0 += SampleDistances.TILE) {
                int nj = Math.min(SampleDistances.TILE, count - c0);
                int offset = c0;
                states.distances.load(blockStates, offset, nj);
                steps.distances.load(blockSteps, offset, nj);
                for (int s0 = 0; s0 < s; s0 += SampleDistances.TILE) {
                    int ns = Math.min(SampleDistances.TILE, s - s0);
                    double[] sx = states.distances.tile(s0, ns);
                    double[] sd = steps.distances.tile(s0, ns);
                    int from = s0;
                    states.forEach(ns, i -> {
                        int at = from + i;
                        int base = i * nj;
                        double xi = states.distances.sampleNorm(at);
                        double vi = steps.distances.sampleNorm(at);
                        // Each pair's upper bound in place of its state distance; the highest measured first.
                        int highest = -1;
                        for (int j = 0; j < nj; j++) {
                            double upper = states.self(at, rowIds, offset + j) ? Double.NEGATIVE_INFINITY
                                    : (sd[base + j] + steps.bound.forNorms(vi, steps.distances.columnNorm(j)))
                                            / (Math.max(sx[base + j] - states.bound.forNorms(xi, states.distances.columnNorm(j)), 0) + eps);
                            sx[base + j] = upper;
                            if (upper > q[at] && (highest < 0 || upper > sx[base + highest])) {
                                highest = j;
                            }
                        }
                        if (highest < 0) {
                            return;
                        }
                        q[at] = Math.max(q[at], ratio(states.held, steps.held, at, blockStates, blockSteps, offset + highest, d, eps));
                        for (int j = 0; j < nj; j++) {
                            if (j != highest && sx[base + j] > q[at]) {
                                q[at] = Math.max(q[at], ratio(states.held, steps.held, at, blockStates, blockSteps, offset + j, d, eps));
                            }
                        }
                    });
                }
            }
        });
    }

    /** ‖ẋ_i − ẋ_j‖² / (‖x_i − x_j‖² + ε) of held time i and block time j, in float64. */
    private static double ratio(float[] states, float[] steps, int i, float[] blockStates, float[] blockSteps, int j, int d, double eps) {
        return exactSquared(steps, i * d, blockSteps, j * d, d) / (exactSquared(states, i * d, blockStates, j * d, d) + eps);
    }

    /**
     * For each of the first {@code count} rows j of {@code rows}: the held row of smallest exact squared
     * distance (the first on ties) into {@code label[j]}, that distance into {@code distance[j]}. Held row
     * h is measured in float64 when its float32 distance less the bound is at most the least upper bound
     * (float32 distance plus bound) over the held rows, or the exact best so far.
     */
    public void nearest(float[] rows, int count, int[] label, double[] distance) {
        checkFloat32();
        Arrays.fill(label, 0, count, -1);
        Arrays.fill(distance, 0, count, Double.POSITIVE_INFINITY);
        eachTile(rows, count, (d2, from, ns, offset, nj) -> forEach(nj, j -> {
            double nj2 = distances.columnNorm(j);
            double ceiling = distance[offset + j];
            for (int i = 0; i < ns; i++) {
                ceiling = Math.min(ceiling, d2[i * nj + j] + bound.forNorms(distances.sampleNorm(from + i), nj2));
            }
            for (int i = 0; i < ns; i++) {
                if (d2[i * nj + j] - bound.forNorms(distances.sampleNorm(from + i), nj2) <= ceiling) {
                    double e = exactSquared(held, (from + i) * d, rows, (offset + j) * d, d);
                    if (e < distance[offset + j]) {
                        distance[offset + j] = e;
                        label[offset + j] = from + i;
                    }
                }
            }
        }));
    }

    /**
     * [held row h][j] = min(cap[j], exact squared distance of held row h and row j) for the first
     * {@code count} rows of {@code rows}: k-means++'s potential of each candidate centre h given each
     * row's distance to its nearest chosen centre. A pair is measured in float64 only when its float32
     * distance less the bound is below the cap.
     */
    public double[][] capped(float[] rows, int count, double[] cap) {
        checkFloat32();
        double[][] out = new double[s][count];
        eachTile(rows, count, (d2, from, ns, offset, nj) -> forEach(ns, i -> {
            int h = from + i;
            double ni = distances.sampleNorm(h);
            for (int j = 0; j < nj; j++) {
                double c = cap[offset + j];
                out[h][offset + j] = d2[i * nj + j] - bound.forNorms(ni, distances.columnNorm(j)) < c
                        ? Math.min(c, exactSquared(held, h * d, rows, (offset + j) * d, d))
                        : c;
            }
        }));
        return out;
    }

    /**
     * The silhouette's sums: for each labeling l, sums[l][i · ks[l] + codes[l][row]] += ‖held_i − row‖ over
     * the first {@code count} rows of {@code rows} (row numbers {@code rowIds}, which index
     * {@code codes[l]}), the held row's distance to itself 0. Float64 tiles ({@link #float64}).
     */
    public void distanceSums(float[] rows, long[] rowIds, int count, int[][] codes, int[] ks, double[][] sums) {
        if (single) {
            throw new IllegalStateException("distance sums need float64 tiles (NeighbourTiles.float64)");
        }
        int nl = codes.length;
        eachTile(rows, count, (d2, from, ns, offset, nj) -> forEach(ns, i -> {
            int at = from + i;
            int base = i * nj;
            for (int j = 0; j < nj; j++) {
                d2[base + j] = self(at, rowIds, offset + j) ? 0 : Math.sqrt(d2[base + j]);
            }
            for (int l = 0; l < nl; l++) {
                int k = ks[l];
                int row = at * k;
                int[] code = codes[l];
                double[] sum = sums[l];
                for (int j = 0; j < nj; j++) {
                    sum[row + code[(int) rowIds[offset + j]]] += d2[base + j];
                }
            }
        }));
    }
}
