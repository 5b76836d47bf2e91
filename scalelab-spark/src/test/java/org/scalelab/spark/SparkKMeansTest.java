package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;
import org.scalelab.geometry.ClusterSelection;
import org.scalelab.geometry.DistancePrecision;
import org.scalelab.geometry.KMeans;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.Silhouette;

/**
 * k-means on local[2] equals the in-memory {@link KMeans} on the same points (same seeding draws, same
 * Lloyd rules); MLlib's k-means cost is our inertia, and MLlib's default silhouette is the one of
 * squared distances, not ours.
 */
class SparkKMeansTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = SparkSessions.open("local[2]", "scalelab-kmeans-test");
        // The evaluator's aggregations would otherwise shuffle into 200 partitions of a few rows each.
        spark.conf().set("spark.sql.shuffle.partitions", "2");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static JavaRDD<RowBlock> blocks(PointSet p) {
        return sc.parallelize(RowBlock.of("g", PointBlocks.of(p), 37), 3);
    }

    /** Four overlapping blobs in 5 dimensions, far from the origin (centring matters). */
    private static PointSet blobs(int n, double spread, long seed) {
        return blobs(n, spread, seed, new int[n]);
    }

    /** As above, each row's blob in {@code blob}. */
    private static PointSet blobs(int n, double spread, long seed, int[] blob) {
        Random r = new Random(seed);
        float[][] rows = new float[n][5];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4);
            blob[i] = c;
            for (int j = 0; j < 5; j++) {
                rows[i][j] = (float) (spread * r.nextGaussian() + (j == c ? 3 : 0) + 50);
            }
        }
        return PointSet.of(rows, "blobs");
    }

    /**
     * Same rows drawn, same labels, same iterations; float64 sums added in another order (blocks here,
     * chunks in memory), hence 1e-12 relative on the inertia and one float32 ulp on centroids near 50.
     */
    @Test
    void fitEqualsTheInMemoryEngine() {
        PointSet p = blobs(320, 0.8, 1);
        for (KMeans.Options o : new KMeans.Options[] {new KMeans.Options(300, 1e-4, 2)}) {
            KMeans.Fit expected = KMeans.fit(p, 4, 5L, o);
            KMeans.Fit got = SparkKMeans.fit(blocks(p), 4, 5L, o);
            assertArrayEquals(expected.labels(), got.labels());
            assertEquals(expected.iterations(), got.iterations());
            assertEquals(expected.converged(), got.converged());
            assertEquals(expected.inertia(), got.inertia(), 1e-12 * expected.inertia());
            assertArrayEquals(expected.centroids(), got.centroids(), Math.ulp(50f));
        }
    }

    /**
     * Cluster-free random walks, where many rows sit almost as near to two centres: the case where the
     * engines once parted (a float32 GEMM's rounding chose the label in memory). Both now take each label
     * from exact distances, so for every k the labels and iterations are equal, the inertia and centroids
     * equal but for the order float64 sums are added in (1e-12 relative, one float32 rounding).
     */
    @Test
    void fitOnClusterFreeRandomWalksEqualsTheInMemoryEngineForEveryK() {
        Random r = new Random(11);
        int n = 3000;
        int d = 48;
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = (float) ((i % 100 == 0 ? 20 * r.nextGaussian() : rows[i - 1][j]) + r.nextGaussian());
            }
        }
        PointSet p = PointSet.of(rows, "walks");
        for (int k = 6; k <= 8; k++) {
            KMeans.Options o = new KMeans.Options(300, 1e-4, ClusterSelection.RESTARTS);
            KMeans.Fit expected = KMeans.fit(p, k, 1L + k, o);
            KMeans.Fit got = SparkKMeans.fit(blocks(p), k, 1L + k, o);
            assertArrayEquals(expected.labels(), got.labels(), "labels for k = " + k);
            assertEquals(expected.iterations(), got.iterations(), "iterations for k = " + k);
            assertEquals(expected.inertia(), got.inertia(), 1e-12 * expected.inertia(), "inertia for k = " + k);
            for (int i = 0; i < expected.centroids().length; i++) {
                float e = expected.centroids()[i];
                assertEquals(e, got.centroids()[i], Math.ulp(e), "centroid value " + i + " for k = " + k);
            }
        }
    }

    /** The same k chosen by silhouette, the same silhouettes (float64 in both engines: 1e-10). */
    @Test
    void clusterSelectionEqualsTheInMemoryEngine() {
        PointSet p = blobs(200, 0.4, 2);
        ClusterSelection.Options o = new ClusterSelection.Options(3, 4, 1000, 100, DistancePrecision.FLOAT64, 1L);
        String[] why = new String[1];
        ClusterSelection expected = ClusterSelection.of(p, o, why);
        ClusterSelection got = SparkKMeans.select(blocks(p), o, why);
        assertNotNull(got, why[0]);
        assertEquals(expected.k(), got.k());
        assertArrayEquals(expected.labels(), got.labels());
        for (int k = 3; k <= 4; k++) {
            assertEquals(expected.byK().get(k), got.byK().get(k), 1e-10);
        }
    }

    /** MLlib's cost of a model is Σ of squared distances to the nearest centre: our inertia, not a mean or a root. */
    @Test
    void mllibCostIsOurInertia() {
        PointSet p = blobs(240, 0.8, 3);
        KMeans.Fit fit = SparkKMeans.fit(blocks(p), 4, 7L, KMeans.Options.defaults());
        Vector[] centres = new Vector[4];
        for (int c = 0; c < 4; c++) {
            double[] v = new double[5];
            for (int j = 0; j < 5; j++) {
                v[j] = fit.centroids()[c * 5 + j];
            }
            centres[c] = Vectors.dense(v);
        }
        List<Vector> rows = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            double[] v = new double[5];
            for (int j = 0; j < 5; j++) {
                v[j] = p.get(i, j);
            }
            rows.add(Vectors.dense(v));
        }
        KMeansModel model = new KMeansModel(centres);
        JavaRDD<Vector> data = sc.parallelize(rows, 3);
        assertEquals(fit.inertia(), model.computeCost(data.rdd()), 1e-6 * fit.inertia());
        List<Integer> predicted = model.predict(data).collect();
        for (int i = 0; i < p.size(); i++) {
            assertEquals(fit.labels()[i], predicted.get(i));
        }
    }

    /**
     * MLlib's ClusteringEvaluator (silhouette, squaredEuclidean by default) equals the silhouette
     * computed here from Rousseeuw's formula with squared distances, and not ours with distances.
     */
    @Test
    void mllibSilhouetteUsesSquaredDistances() {
        int n = 120;
        int[] labels = new int[n];
        PointSet p = blobs(n, 1.0, 4, labels);
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("prediction", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        double[][] x = new double[n][5];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) {
                x[i][j] = p.get(i, j);
            }
            rows.add(RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(x[i]), (double) labels[i]));
        }
        Dataset<Row> frame = spark.createDataFrame(rows, schema);
        double mllib = new ClusteringEvaluator().evaluate(frame);
        double squared = silhouette(x, labels, true);
        assertEquals(squared, mllib, 1e-8);
        String[] why = new String[1];
        double ours = SparkSilhouette.estimate(blocks(p), new int[][] {labels}, Integer.MAX_VALUE, 0, 0L, why)[0].value();
        assertEquals(silhouette(x, labels, false), ours, 1e-10);
        assertTrue(Math.abs(mllib - ours) > 0.05, "squared distances give another number: " + mllib + " vs " + ours);
    }

    /** Rousseeuw's silhouette with distances or squared distances, straight from its definition. */
    private static double silhouette(double[][] x, int[] labels, boolean squared) {
        int n = x.length;
        int k = 0;
        for (int l : labels) {
            k = Math.max(k, l + 1);
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] sum = new double[k];
            int[] count = new int[k];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    s += (x[i][c] - x[j][c]) * (x[i][c] - x[j][c]);
                }
                count[labels[j]]++;
                if (j != i) {
                    sum[labels[j]] += squared ? s : Math.sqrt(s);
                }
            }
            if (count[labels[i]] == 1) {
                continue;
            }
            double a = sum[labels[i]] / (count[labels[i]] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != labels[i] && count[c] > 0) {
                    b = Math.min(b, sum[c] / count[c]);
                }
            }
            total += (b - a) / Math.max(a, b);
        }
        return total / n;
    }

    @Test
    void badInputIsOneClearLine() {
        InputException big = assertThrows(InputException.class, () -> SparkKMeans.fit(blocks(blobs(20, 1, 5)), 21, 1L, KMeans.Options.defaults()));
        assertEquals("k-means needs 1 ≤ k ≤ n = 20, got k = 21", big.getMessage());
        JavaRDD<RowBlock> empty = sc.emptyRDD();
        assertThrows(InputException.class, () -> SparkKMeans.fit(empty, 2, 1L, KMeans.Options.defaults()));
    }
}
