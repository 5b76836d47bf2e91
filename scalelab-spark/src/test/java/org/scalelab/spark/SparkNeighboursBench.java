package org.scalelab.spark;

import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.scalelab.geometry.MetricValue;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.SampledMetric;
import org.scalelab.geometry.SampledTwoNN;

/**
 * Sampled TwoNN on Spark local[2] for 1×, 2× and 4× the rows (the same sample size, so the work grows
 * linearly with the rows), each beside the single-machine out-of-core engine on the same points: prints
 * the times, the Spark/single-machine ratio and the values. Not a test: run by bench/bench_spark_neighbours.sh.
 */
public final class SparkNeighboursBench {
    private SparkNeighboursBench() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int d = Integer.parseInt(args[1]);
        int sample = Integer.parseInt(args[2]);
        long t0 = System.nanoTime();
        SparkSession spark = SparkSessions.open("local[2]", "scalelab-bench");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.sparkContext().setLogLevel("ERROR"); // the local list travels inside the tasks: Spark warns of their size
        System.out.printf("session start: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        try {
            System.out.println("| rows | single machine | Spark local[2] | ratio | values (single; Spark) |");
            System.out.println("|---|---|---|---|---|");
            for (int scale : new int[] {1, 2, 4}) {
                PointSet p = cloud(n * scale, d, 11);
                long a = System.nanoTime();
                SampledMetric<MetricValue> one = SampledTwoNN.of(PointBlocks.of(p), 0, sample, 3L, 0.1, 4096);
                double single = (System.nanoTime() - a) / 1e9;
                JavaRDD<RowBlock> blocks = sc.parallelize(RowBlock.of("g", PointBlocks.of(p), 4096), 8).cache();
                blocks.count();
                long b = System.nanoTime();
                SampledMetric<MetricValue> many = SparkTwoNN.of(blocks, 0, sample, 3L, 0.1);
                double distributed = (System.nanoTime() - b) / 1e9;
                blocks.unpersist();
                System.out.printf("| %,d × %,d, sample %,d | %.1f s | %.1f s | %.2f× | %.4f; %.4f |%n", n * scale, d, sample, single, distributed,
                        distributed / single, one.result().value(), many.result().value());
            }
        } finally {
            spark.stop();
        }
    }

    /** A rank-16 cloud with a little noise in every direction. */
    private static PointSet cloud(int n, int d, long seed) {
        Random r = new Random(seed);
        double[][] basis = new double[16][d];
        for (double[] b : basis) {
            for (int j = 0; j < d; j++) {
                b[j] = r.nextGaussian();
            }
        }
        float[][] rows = new float[n][d];
        double[] z = new double[16];
        for (float[] row : rows) {
            for (int c = 0; c < 16; c++) {
                z[c] = r.nextGaussian();
            }
            for (int j = 0; j < d; j++) {
                double v = 0.05 * r.nextGaussian();
                for (int c = 0; c < 16; c++) {
                    v += z[c] * basis[c][j];
                }
                row[j] = (float) v;
            }
        }
        return PointSet.of(rows, "cloud");
    }
}
