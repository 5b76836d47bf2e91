package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times TwoNN of one synthetic point set two ways for bench/bench_sampled.sh: the in-memory engine
 * on every point ({@link TwoNN#of}), and the streamed, sampled one ({@link SampledTwoNN#of}: a sample
 * scored against every point read in blocks); prints both values, the interval and the time ratio.
 * Usage: SampledTwoNNBench N D SAMPLE BLOCK_ROWS
 * The points: a 16-dimensional gaussian cloud in D dimensions (a power-law spectrum, offset mean),
 * built in memory from a fixed seed.
 */
public final class SampledTwoNNBench {
    private SampledTwoNNBench() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int d = Integer.parseInt(args[1]);
        int sample = Integer.parseInt(args[2]);
        int blockRows = Integer.parseInt(args[3]);
        FloatBuffer data = PointSet.allocate((long) n * d);
        SplittableRandom r = new SplittableRandom(0);
        int rank = 16;
        float[] basis = new float[rank * d];
        for (int i = 0; i < basis.length; i++) {
            basis[i] = (float) (r.nextGaussian() / Math.sqrt(1 + i / d));
        }
        float[] row = new float[d];
        float[] z = new float[rank];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < rank; k++) {
                z[k] = (float) r.nextGaussian();
            }
            for (int j = 0; j < d; j++) {
                double v = 0.5 + 0.01 * r.nextGaussian();
                for (int k = 0; k < rank; k++) {
                    v += z[k] * basis[k * d + j];
                }
                row[j] = (float) v;
            }
            data.put(i * d, row);
        }
        PointSet p = PointSet.of(data, n, d, "bench");
        long t0 = System.nanoTime();
        double exact = TwoNN.of(p).value();
        long t1 = System.nanoTime();
        SampledMetric<MetricValue> m = SampledTwoNN.of(PointBlocks.of(p), 0, sample, 1L, TwoNN.DEFAULT_DISCARD_FRACTION, blockRows);
        long t2 = System.nanoTime();
        double memory = (t1 - t0) / 1e9;
        double streamed = (t2 - t1) / 1e9;
        System.out.printf(Locale.ROOT,
                "{\"n\": %d, \"d\": %d, \"sample\": %d, \"block_rows\": %d, \"in_memory_twonn\": %.6f, \"in_memory_seconds\": %.3f, "
                        + "\"sampled_twonn\": %.6f, \"ci\": [%.6f, %.6f], \"sampled_seconds\": %.3f, \"ratio\": %.3f}%n",
                n, d, sample, blockRows, exact, memory, m.result().value(), m.ciLow(), m.ciHigh(), streamed, streamed / memory);
    }
}
