package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.InputException;
import org.scalelab.geometry.DistancePrecision;
import org.scalelab.geometry.MetricValue;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.SampledMetric;
import org.scalelab.geometry.SampledTwoNN;
import org.scalelab.geometry.Silhouette;
import org.scalelab.geometry.TrajectoryTangling;
import org.scalelab.geometry.TwoNN;

/**
 * The nearest-neighbour jobs on local[2] equal the single-machine engine on the same points, spread
 * over several partitions in blocks of an odd size (37 rows) that cut across trajectories. The
 * single-machine engine is itself checked against numpy/scikit-learn references in core.
 */
class SparkNeighboursTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = SparkSessions.open("local[2]", "scalelab-neighbours-test");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static JavaRDD<RowBlock> blocks(PointSet p) {
        return sc.parallelize(RowBlock.of("g", PointBlocks.of(p), 37), 3);
    }

    /** Gaussian points on a 3-dimensional subspace of R^7 with a little noise. */
    private static PointSet curved(int n, long seed) {
        Random r = new Random(seed);
        float[][] rows = new float[n][7];
        for (float[] row : rows) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            row[0] = (float) (a + 5);
            row[1] = (float) (b - 3);
            row[2] = (float) c;
            row[3] = (float) (a * b);
            row[4] = (float) Math.sin(c);
            row[5] = (float) (0.01 * r.nextGaussian());
            row[6] = (float) (0.01 * r.nextGaussian());
        }
        return PointSet.of(rows, "curved");
    }

    /**
     * TwoNN's r1², r2² are the in-memory engine's exact float64 candidate distances, so the ratios and the
     * fit have the same bits; 1e-12 relative allows only for nothing but a different platform's libm.
     */
    @Test
    void twoNNEqualsTheInMemoryEngine() {
        PointSet p = curved(300, 1);
        double expected = TwoNN.of(p).value();
        JavaRDD<RowBlock> b = blocks(p);
        assertEquals(expected, SparkTwoNN.of(b, TwoNN.DEFAULT_DISCARD_FRACTION).value(), 1e-12 * Math.abs(expected));
        // Query rows broadcast 110 at a time: three chunks, each met by every block.
        double[] mu = SparkTwoNN.ratios(b, 300, null, 110);
        assertEquals(expected, TwoNN.estimate(mu, TwoNN.DEFAULT_DISCARD_FRACTION).value(), 1e-12 * Math.abs(expected));
    }

    /** Above the exact size, the sample, its ratios, the fit and the bootstrap interval are the out-of-core engine's. */
    @Test
    void sampledTwoNNEqualsTheOutOfCoreEngine() {
        PointSet p = curved(400, 2);
        SampledMetric<MetricValue> expected = SampledTwoNN.of(PointBlocks.of(p), 100, 150, 7L, 0.1, 64);
        SampledMetric<MetricValue> got = SparkTwoNN.of(blocks(p), 100, 150, 7L, 0.1);
        assertFalse(got.exact());
        assertEquals(150, got.scored());
        double v = expected.result().value();
        assertEquals(v, got.result().value(), 1e-12 * Math.abs(v));
        assertEquals(expected.ciLow(), got.ciLow(), 1e-12 * Math.abs(v));
        assertEquals(expected.ciHigh(), got.ciHigh(), 1e-12 * Math.abs(v));
        assertTrue(got.ciLow() < v && v < got.ciHigh());
    }

    /** A point with an exact duplicate is left out of TwoNN in both engines. */
    @Test
    void duplicatesAreLeftOutAsInMemory() {
        Random r = new Random(5);
        float[][] rows = new float[120][4];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < 4; j++) {
                rows[i][j] = i % 10 == 9 ? rows[i - 1][j] : (float) r.nextGaussian();
            }
        }
        PointSet p = PointSet.of(rows, "dup");
        double expected = TwoNN.of(p).value();
        assertEquals(expected, SparkTwoNN.of(blocks(p), 0.1).value(), 1e-12 * Math.abs(expected));
    }

    /** Random walks of uneven lengths, their starts falling inside blocks and at block ends. */
    private static PointSet walks(long seed) {
        Random r = new Random(seed);
        int n = 230;
        float[][] rows = new float[n][5];
        long[] starts = {0, 37, 40, 74, 111, 112, 150, 229};
        int k = 0;
        for (int i = 0; i < n; i++) {
            boolean start = k < starts.length && starts[k] == i;
            if (start) {
                k++;
            }
            for (int j = 0; j < 5; j++) {
                rows[i][j] = start ? (float) (3 * r.nextGaussian()) : rows[i - 1][j] + (float) (0.3 * r.nextGaussian() + 0.1 * j);
            }
        }
        return PointSet.of(rows, "walks").withTrajectories(starts, "starts");
    }

    /**
     * Tangling: Q(t) from the same float64 distances as the in-memory engine's exact candidates; ε from
     * per-block sums (another order of additions than the in-memory loop), hence 1e-12 relative.
     */
    @Test
    void tanglingEqualsTheInMemoryEngine() {
        PointSet p = walks(3);
        String[] why = new String[1];
        TrajectoryTangling.Summary expected = TrajectoryTangling.of(p, null, 50_000, why);
        assertNotNull(expected, why[0]);
        for (int chunk : new int[] {0, 90}) {
            TrajectoryTangling.Summary got = SparkTangling.of(blocks(p), null, 50_000, why, chunk);
            assertNotNull(got, why[0]);
            assertEquals(expected.times(), got.times());
            assertEquals(expected.epsilon(), got.epsilon(), 1e-12 * expected.epsilon());
            assertEquals(expected.mean(), got.mean(), 1e-12 * expected.mean());
            assertEquals(expected.median(), got.median(), 1e-12 * expected.median());
            assertEquals(expected.p90(), got.p90(), 1e-12 * expected.p90());
            assertArrayEquals(expected.perTrajectoryTimes(), got.perTrajectoryTimes());
            assertArrayEquals(expected.perTrajectoryMean(), got.perTrajectoryMean(), 1e-12 * expected.mean());
        }
        // A given ε is used as it is.
        TrajectoryTangling.Summary fixed = SparkTangling.of(blocks(p), 0.5, 50_000, why);
        assertEquals(TrajectoryTangling.of(p, 0.5, 50_000, why).mean(), fixed.mean(), 1e-12 * fixed.mean());
    }

    @Test
    void tanglingSaysWhyItIsMissingAsInMemory() {
        String[] why = new String[1];
        assertNull(SparkTangling.of(blocks(curved(50, 4)), null, 50_000, why));
        assertTrue(why[0].startsWith("no trajectories"), why[0]);
        assertNull(SparkTangling.of(blocks(walks(3)), null, 100, why));
        assertTrue(why[0].contains("above the limit of 100"), why[0]);
    }

    /** Three well-separated blobs of 7 dimensions with their labels. */
    private static PointSet blobs(int n, long seed) {
        Random r = new Random(seed);
        float[][] rows = new float[n][7];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            labels[i] = c;
            for (int j = 0; j < 7; j++) {
                rows[i][j] = (float) (r.nextGaussian() + (j == c ? 4 : 0) + 100);
            }
        }
        return PointSet.of(rows, "blobs").withLabels(labels, "labels");
    }

    /**
     * The silhouette's distance sums are float64 as the in-memory FLOAT64 engine's (1e-10: that engine's
     * Gram form agrees with direct differences to ~1e-12 per distance); the default float32 engine is
     * within its stated 1e-6.
     */
    @Test
    void silhouetteEqualsTheInMemoryEngine() {
        PointSet p = blobs(260, 6);
        int[] shuffled = new int[p.size()];
        Random r = new Random(9);
        for (int i = 0; i < shuffled.length; i++) {
            shuffled[i] = r.nextInt(4);
        }
        int[] own = new int[p.size()];
        for (int i = 0; i < own.length; i++) {
            own[i] = p.label(i);
        }
        int[][] labelings = {own, shuffled};
        String[] why = new String[1];
        Silhouette.Estimate[] expected = Silhouette.estimate(p, labelings, DistancePrecision.FLOAT64, Integer.MAX_VALUE, 0, 0L, why);
        Silhouette.Estimate[] got = SparkSilhouette.estimate(blocks(p), labelings, Integer.MAX_VALUE, 0, 0L, why);
        for (int l = 0; l < 2; l++) {
            assertTrue(got[l].exact());
            assertEquals(expected[l].value(), got[l].value(), 1e-10);
            assertArrayEquals(expected[l].scores(), got[l].scores(), 1e-10);
        }
        assertEquals(Silhouette.of(p).value(), SparkSilhouette.of(blocks(p)).value(), 1e-6);
        // Query rows broadcast 100 at a time: three chunks give the same scores.
        int[] ks = new int[2];
        int[][] codes = Silhouette.codes(labelings, p.size(), ks, why);
        double[][] sums = SparkSilhouette.sums(blocks(p), codes, ks, p.size(), null, 100);
        int[] counts = Silhouette.counts(codes[0], ks[0]);
        for (int i = 0; i < p.size(); i++) {
            assertEquals(expected[0].scores()[i], Silhouette.score(sums[0], i, codes[0][i], counts, ks[0]), 1e-10);
        }
    }

    /** Above the exact size: the same seeded sample, scores and interval as the in-memory engine. */
    @Test
    void sampledSilhouetteEqualsTheInMemoryEngine() {
        PointSet p = blobs(300, 8);
        int[] own = new int[p.size()];
        for (int i = 0; i < own.length; i++) {
            own[i] = p.label(i);
        }
        String[] why = new String[1];
        Silhouette.Estimate expected = Silhouette.estimate(p, new int[][] {own}, DistancePrecision.FLOAT64, 100, 80, 11L, why)[0];
        Silhouette.Estimate got = SparkSilhouette.estimate(blocks(p), new int[][] {own}, 100, 80, 11L, why)[0];
        assertFalse(got.exact());
        assertArrayEquals(expected.sampled(), got.sampled());
        assertArrayEquals(expected.scores(), got.scores(), 1e-10);
        assertEquals(expected.ciLow(), got.ciLow(), 1e-10);
        assertEquals(expected.ciHigh(), got.ciHigh(), 1e-10);
    }

    @Test
    void badBlocksAreOneClearLine() {
        JavaRDD<RowBlock> empty = sc.emptyRDD();
        InputException none = assertThrows(InputException.class, () -> SparkTwoNN.of(empty, 0.1));
        assertEquals("no points to analyse: the blocks hold no rows", none.getMessage());
        List<RowBlock> mixed = new ArrayList<>(RowBlock.of("g", PointBlocks.of(curved(40, 1)), 37));
        mixed.add(new RowBlock("g", 40, 2, 3, new float[6], new int[] {-1, -1}, new int[] {-1, -1}));
        InputException widths = assertThrows(InputException.class, () -> SparkTangling.of(sc.parallelize(mixed, 2), null, 100, new String[1]));
        assertTrue(widths.getMessage().startsWith("rows of different widths in group g:"), widths.getMessage());
        assertTrue(widths.getMessage().contains("7 (block at row ") && widths.getMessage().contains("3 (block at row 40)"), widths.getMessage());
        assertFalse(widths.getMessage().contains("\n"));
        List<RowBlock> two = new ArrayList<>(RowBlock.of("a", PointBlocks.of(curved(40, 1)), 37));
        two.addAll(RowBlock.of("b", PointBlocks.of(curved(40, 1)), 37));
        InputException groups = assertThrows(InputException.class, () -> SparkSilhouette.of(sc.parallelize(two, 2)));
        assertTrue(groups.getMessage().startsWith("blocks of more than one group"), groups.getMessage());
    }
}
