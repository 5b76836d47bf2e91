package org.scalelab.geometry;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs the sampled metrics and streamed k-means on points that are never held: each pass regenerates
 * its rows from the row index (a seeded random walk per trajectory of 100 rows, 4 labels), so a run
 * with a heap smaller than the points shows the memory bound. Prints one JSON line per metric (seconds,
 * value, interval, passes). Usage: OutOfCoreSampledBench N D SAMPLE BLOCK_ROWS
 */
public final class OutOfCoreSampledBench {
    private OutOfCoreSampledBench() {}

    /** Trajectories of 100 rows: a walk from a random start, rows regenerated identically on every pass. */
    static final class Walks implements PointBlocks {
        final long n;
        final int d;
        int passes;

        Walks(long n, int d) {
            this.n = n;
            this.d = d;
        }

        @Override
        public int dimension() {
            return d;
        }

        @Override
        public long size() {
            return n;
        }

        @Override
        public long[] trajectoryStarts() {
            long[] s = new long[(int) ((n + 99) / 100)];
            for (int k = 0; k < s.length; k++) {
                s[k] = 100L * k;
            }
            return s;
        }

        @Override
        public int[] labels() {
            int[] l = new int[(int) n];
            for (int i = 0; i < n; i++) {
                l[i] = (i / 100) % 4;
            }
            return l;
        }

        @Override
        public String source() {
            return "generated walks";
        }

        @Override
        public void forEachBlock(int maxRows, Block visitor) {
            passes++;
            float[] block = new float[maxRows * d];
            float[] at = new float[d];
            for (long first = 0; first < n; first += maxRows) {
                int count = (int) Math.min(maxRows, n - first);
                for (int r = 0; r < count; r++) {
                    long i = first + r;
                    SplittableRandom random = new SplittableRandom(i);
                    if (i % 100 == 0) {
                        int label = (int) ((i / 100) % 4);
                        for (int j = 0; j < d; j++) {
                            at[j] = (float) (random.nextGaussian() + (j == label ? 8 : 0));
                        }
                    } else if (r == 0) {
                        // a block starting inside a walk: replay the walk to this row
                        long start = i - i % 100;
                        SplittableRandom s = new SplittableRandom(start);
                        int label = (int) ((start / 100) % 4);
                        for (int j = 0; j < d; j++) {
                            at[j] = (float) (s.nextGaussian() + (j == label ? 8 : 0));
                        }
                        for (long t = start + 1; t <= i; t++) {
                            SplittableRandom step = new SplittableRandom(t);
                            for (int j = 0; j < d; j++) {
                                at[j] += (float) (0.3 * step.nextGaussian());
                            }
                        }
                    } else {
                        for (int j = 0; j < d; j++) {
                            at[j] += (float) (0.3 * random.nextGaussian());
                        }
                    }
                    System.arraycopy(at, 0, block, r * d, d);
                }
                visitor.accept(first, count, block);
            }
        }
    }

    public static void main(String[] args) {
        long n = Long.parseLong(args[0]);
        int d = Integer.parseInt(args[1]);
        int sample = Integer.parseInt(args[2]);
        int blockRows = Integer.parseInt(args[3]);
        Walks w = new Walks(n, d);
        long t0 = System.nanoTime();
        SampledMetric<MetricValue> twonn = SampledTwoNN.of(w, 0, sample, 1L, TwoNN.DEFAULT_DISCARD_FRACTION, blockRows);
        print("twonn", t0, twonn.result().value(), twonn.ciLow(), twonn.ciHigh(), w);
        t0 = System.nanoTime();
        String[] why = new String[1];
        Silhouette.Estimate sil = SampledSilhouette.estimate(w, DistancePrecision.AUTO, 0, sample, 1L, blockRows, why);
        print("silhouette", t0, sil.value(), sil.ciLow(), sil.ciHigh(), w);
        t0 = System.nanoTime();
        SampledMetric<TrajectoryTangling.Summary> t = SampledTangling.of(w, null, 0, sample, 1L, DistancePrecision.AUTO, blockRows, why);
        print("tangling_mean", t0, t.result().mean(), t.ciLow(), t.ciHigh(), w);
        t0 = System.nanoTime();
        KMeans.Fit f = StreamedKMeans.fit(w, 4, 1L, new KMeans.Options(20, 1e-4, 1), blockRows);
        print("kmeans_inertia (k 4, " + f.iterations() + " steps)", t0, f.inertia(), null, null, w);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "{\"points_bytes\": %d, \"max_heap_bytes\": %d}%n", n * d * 4, rt.maxMemory());
    }

    private static void print(String what, long t0, double value, Double low, Double high, Walks w) {
        System.out.printf(Locale.ROOT, "{\"metric\": \"%s\", \"seconds\": %.2f, \"value\": %.6g, \"ci\": [%s, %s], \"passes_so_far\": %d}%n", what,
                (System.nanoTime() - t0) / 1e9, value, low, high, w.passes);
    }
}
