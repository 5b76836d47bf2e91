package org.scalelab.spark;

import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.scalelab.geometry.DistancePrecision;
import org.scalelab.geometry.KMeans;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.SampledSilhouette;
import org.scalelab.geometry.Silhouette;

/**
 * k-means and the sampled silhouette on Spark local[2], each beside the single machine on the same points
 * (k blobs): prints the times (twice: the first run includes the JIT's warm-up) and the values. Not a
 * test: run with the class path bench/bench_spark_neighbours.sh builds,
 * {@code java -cp … org.scalelab.spark.SparkClustersBench N D K SAMPLE}.
 */
public final class SparkClustersBench {
    private SparkClustersBench() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int d = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        int sample = Integer.parseInt(args[3]);
        SparkSession spark = SparkSessions.open("local[2]", "scalelab-bench");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spark.sparkContext().setLogLevel("ERROR"); // the local list travels inside the tasks: Spark warns of their size
        Random r = new Random(1);
        float[][] centres = new float[k][d];
        for (float[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = (float) (3 * r.nextGaussian());
            }
        }
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = centres[i % k][j] + (float) (2 * r.nextGaussian());
            }
        }
        PointSet p = PointSet.of(rows, "blobs");
        JavaRDD<RowBlock> blocks = sc.parallelize(RowBlock.of("g", PointBlocks.of(p), 4096), 8).cache();
        blocks.count();
        try {
            KMeans.Options o = new KMeans.Options(300, 1e-4, 1);
            for (int rep = 0; rep < 2; rep++) {
                long a = System.nanoTime();
                KMeans.Fit one = KMeans.fit(p, k, 5L, o);
                long b = System.nanoTime();
                KMeans.Fit many = SparkKMeans.fit(blocks, k, 5L, o);
                long c = System.nanoTime();
                String[] why = new String[1];
                Silhouette.Estimate s1 = SampledSilhouette.estimate(PointBlocks.of(p), new int[][] {one.labels()}, DistancePrecision.FLOAT64, 0,
                        sample, 3L, 4096, why)[0];
                long e = System.nanoTime();
                Silhouette.Estimate s2 = SparkSilhouette.estimate(blocks, new int[][] {one.labels()}, 0, sample, 3L, why)[0];
                long f = System.nanoTime();
                System.out.printf("k-means: single %.2f s (%d steps), Spark %.2f s (%d steps), inertia %.6g; %.6g"
                        + " | silhouette, sample %d: single %.2f s, Spark %.2f s, %.6f; %.6f%n", (b - a) / 1e9, one.iterations(), (c - b) / 1e9,
                        many.iterations(), one.inertia(), many.inertia(), sample, (e - c) / 1e9, (f - e) / 1e9, s1.value(), s2.value());
            }
        } finally {
            spark.stop();
        }
    }
}
