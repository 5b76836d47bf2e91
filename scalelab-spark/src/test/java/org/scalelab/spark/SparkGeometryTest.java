package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.StepPooling;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * Spark's geometry equals the single-machine engine on the same activation set (written here with
 * core's writer, several shards). Tolerances: the participation ratio within 1e-5 relative and the
 * explained-variance fractions within 1e-6, because the single-machine covariance sums products in
 * float32 blocks (ssyrk) while Spark's sums them in float64 in another order (both then take
 * float32 eigenvalues); tangling within 1e-5 relative too, its default ε being a fraction of that
 * total variance (Q(t) = ‖ẋ_t − ẋ_t'‖² / (‖x_t − x_t'‖² + ε) moves by at most ε's relative change);
 * d90/d95 are equal; alignment, step cosine and coherence within 1e-10, being the same float64
 * formulas over the same float32 rows summed in another order; TwoNN within 1e-9 relative (the same
 * float64 distances of the nearest pairs); the silhouette within 1e-6 (one machine measures it in
 * float32 by default, Spark in float64).
 */
class SparkGeometryTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;
    @TempDir
    static Path dir;
    private static Path set;

    @BeforeAll
    static void start() {
        spark = SparkSessions.open("local[2]", "scalelab-geometry-test");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        set = write(dir, "small", 12, 40, 7L);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final List<String> HOOKS = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.1.hook_attn_out",
            "blocks.1.hook_mlp_out", "blocks.1.hook_resid_post");

    /**
     * A set of {@code trajectories} random walks of 4 to 22 tokens in width d around a mean far from 0
     * (so a covariance that does not centre loses digits), two domains, labels, step boundaries, in
     * shards of about 6 kB (several shards, several trajectories each).
     */
    static Path write(Path parent, String name, int d, int trajectories, long seed) {
        return write(parent, name, d, trajectories, seed, 6_000);
    }

    /** As above, in shards of about {@code shardBytes} (small shards: many blocks, many tasks). */
    static Path write(Path parent, String name, int d, int trajectories, long seed, long shardBytes) {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                1000L * d, d, 2, HOOKS, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path out = parent.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(out, header, shardBytes);
        Random r = new Random(seed);
        for (int t = 0; t < trajectories; t++) {
            int n = 4 + r.nextInt(19);
            List<float[]> rows = new ArrayList<>();
            for (int h = 0; h < HOOKS.size(); h++) {
                float[] v = new float[n * d];
                double[] x = new double[d];
                for (int j = 0; j < d; j++) {
                    x[j] = 50 + 3 * r.nextGaussian();
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        x[j] += r.nextGaussian() * (1 + j % 3) + (j == t % d ? 0.7 : 0);
                        v[i * d + j] = (float) x[j];
                    }
                }
                rows.add(v);
            }
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i;
            }
            ObjectNode labels = Json.mapper().createObjectNode().put("kind", t % 3 == 0 ? "a" : "b");
            w.add("p" + t, t % 2 == 0 ? "math" : "law", labels, List.of(0, 1 + n / 3, n - 1), n, positions, positions, rows);
        }
        w.finish();
        return out;
    }

    private static GeometryAnalysis.Options options() {
        // k-means off: the silhouette is not computed on Spark yet, and the reference need not spend time on it.
        return GeometryAnalysis.Options.defaults().withNullReplicates(0).withKRange(2, 0);
    }

    private static void assertSame(GeometryAnalysis.Result expected, GeometryAnalysis.Result actual) {
        assertEquals(expected.groups().size(), actual.groups().size());
        for (int i = 0; i < expected.groups().size(); i++) {
            GeometryAnalysis.Group e = expected.groups().get(i);
            GeometryAnalysis.Group a = actual.groups().get(i);
            assertEquals(e.name(), a.name());
            assertEquals(e.model(), a.model());
            assertEquals(e.domain(), a.domain());
            assertEquals(e.label(), a.label());
            assertEquals(e.hook(), a.hook());
            assertEquals(e.unit(), a.unit());
            assertEquals(e.nPoints(), a.nPoints());
            assertEquals(e.dimension(), a.dimension());
            assertEquals(e.trajectories(), a.trajectories());
            assertEquals(e.participationRatio(), a.participationRatio(), 1e-5 * e.participationRatio(), e.name());
            assertEquals(e.d90(), a.d90());
            assertEquals(e.d95(), a.d95());
            assertEquals(e.explainedVariance().length, a.explainedVariance().length);
            for (int k = 0; k < e.explainedVariance().length; k++) {
                assertEquals(e.explainedVariance()[k], a.explainedVariance()[k], 1e-6);
            }
            assertEquals(e.alignment(), a.alignment(), 1e-10);
            assertEquals(e.stepCosine(), a.stepCosine(), 1e-10);
            assertEquals(e.oscillationCoherence(), a.oscillationCoherence(), 1e-10);
            assertEquals(e.baselines().get(GeometryAnalysis.PERMUTED_PAIRING).get("oscillation_coherence").z(),
                    a.baselines().get(GeometryAnalysis.PERMUTED_PAIRING).get("oscillation_coherence").z(), 1e-8);
            assertEquals(e.reasons().get("steps"), a.reasons().get("steps"));
            assertEquals(e.twonn(), a.twonn(), 1e-9 * Math.abs(e.twonn()));
            assertEquals(e.tangling(), a.tangling(), 1e-5 * e.tangling());
            assertEquals(e.tanglingMedian(), a.tanglingMedian(), 1e-5 * e.tanglingMedian());
            assertEquals(e.tanglingP90(), a.tanglingP90(), 1e-5 * e.tanglingP90());
            assertEquals(e.tanglingEpsilon(), a.tanglingEpsilon(), 1e-5 * e.tanglingEpsilon());
            assertEquals(e.tanglingPerTrajectory().size(), a.tanglingPerTrajectory().size());
            assertEquals(e.silhouetteSource(), a.silhouetteSource());
            assertEquals(e.k(), a.k());
            if (e.silhouette() == null) {
                assertNull(a.silhouette());
                assertEquals(e.reasons().get("silhouette"), a.reasons().get("silhouette"));
            } else {
                assertEquals(e.silhouette(), a.silhouette(), 1e-6);
            }
            if (e.silhouetteByK() != null) {
                for (var k : e.silhouetteByK().entrySet()) {
                    assertEquals(k.getValue(), a.silhouetteByK().get(k.getKey()), 1e-6, "k = " + k.getKey());
                }
            }
        }
    }

    private static GeometryAnalysis.Result single(List<Path> sets, ActivationGroups.Options o) {
        List<ActivationSet> opened = sets.stream().map(ActivationSet::open).toList();
        return GeometryAnalysis.analyze(new GeometryAnalysis.Groups(ActivationGroups.of(opened, o), List.of(), false), options());
    }

    private static GeometryAnalysis.Result spark(List<Path> sets, ActivationGroups.Options o, long partBytes) {
        ActivationSource source = ActivationSource.open(spark, sets.stream().map(Path::toString).toList(),
                new ActivationSource.Options(o, false, partBytes));
        return SparkGeometry.analyze(source, options(), false);
    }

    @Test
    void tokensByModelEqualTheSingleMachineEngine() {
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        GeometryAnalysis.Result r = spark(List.of(set), o, ActivationSource.Options.DEFAULT_PART_BYTES);
        assertSame(single(List.of(set), o), r);
        assertNotNull(r.groups().get(0).oscillationCoherence());
        assertEquals("spark", r.provenance().options().get("engine"));
    }

    @Test
    void stepsByDomainWithLabelsInSmallPartsEqualTheSingleMachineEngine() {
        Path other = write(dir, "other", 12, 12, 11L);
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), "kind",
                StepPooling.Unit.STEP, StepPooling.Pool.MEAN);
        // 3,000 bytes a part: a few trajectories per task, so every shard is split into parts.
        assertSame(single(List.of(set, other), o), spark(List.of(set, other), o, 3_000));
        ActivationGroups.Options last = new ActivationGroups.Options("blocks.0.hook_mlp_out", List.of(ActivationGroups.Key.LABEL), "kind",
                StepPooling.Unit.STEP, StepPooling.Pool.LAST);
        assertSame(single(List.of(set), last), spark(List.of(set), last, 2_000));
    }

    @Test
    void theSourceGivesTheRowsTheSingleMachineEngineReadsInItsOrder() {
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), "kind");
        ActivationSource source = ActivationSource.open(spark, List.of(set.toString()), new ActivationSource.Options(o, false, 700));
        assertTrue(source.partitions() > 4, "parts: " + source.partitions());
        List<ActivationGroups.Input> inputs = ActivationGroups.of(List.of(ActivationSet.open(set)), o);
        assertEquals(inputs.size(), source.groups().size());
        for (ActivationGroups.Input in : inputs) {
            List<RowBlock> expected = RowBlock.of(in.name(), PointBlocks.of(in.points()), Integer.MAX_VALUE);
            List<RowBlock> blocks = new ArrayList<>(source.blocks(in.name()).collect());
            blocks.sort(java.util.Comparator.comparingLong(RowBlock::firstRow));
            float[] rows = new float[in.points().size() * in.points().dimension()];
            int[] trajectory = new int[in.points().size()];
            int[] label = new int[in.points().size()];
            long next = 0;
            for (RowBlock b : blocks) {
                assertEquals(next, b.firstRow());
                System.arraycopy(b.rows(), 0, rows, (int) b.firstRow() * b.dimension(), b.rows().length);
                System.arraycopy(b.trajectory(), 0, trajectory, (int) b.firstRow(), b.count());
                System.arraycopy(b.label(), 0, label, (int) b.firstRow(), b.count());
                next += b.count();
            }
            assertEquals(in.points().size(), next);
            assertArrayEquals(expected.get(0).rows(), rows);
            assertArrayEquals(expected.get(0).trajectory(), trajectory);
            assertArrayEquals(expected.get(0).label(), label);
            assertArrayEquals(PointBlocks.of(in.points()).trajectoryStarts(), source.trajectoryStarts(in.name()));
        }
    }

    @Test
    void blocksThatCutTrajectoriesGiveTheSameTrajectoryMetrics() {
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        ActivationGroups.Input in = ActivationGroups.of(List.of(ActivationSet.open(set)), o).get(0);
        GeometryAnalysis.Result expected = single(List.of(set), o);
        ActivationSource source = ActivationSource.open(spark, List.of(set.toString()), new ActivationSource.Options(o));
        ActivationGroups.Layout plan = source.groups().get(0);
        var coherence = source.coherence(plan.name());
        // One row a block: every trajectory in one-row pieces; five: pieces of every length, cuts anywhere.
        for (int maxRows : new int[] {1, 5}) {
            PointBlocks points = PointBlocks.of(in.points());
            GeometryAnalysis.Group g = SparkGeometry.group(plan, sc.parallelize(RowBlock.of(plan.name(), points, maxRows), 3),
                    points.trajectoryStarts(), points.size(), coherence, options());
            assertSame(expected, new GeometryAnalysis.Result(List.of(g), List.of(), expected.provenance()));
        }
    }

    @Test
    void kMeansSilhouetteEqualsTheSingleMachineEngine() {
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        GeometryAnalysis.Options kMeans = options().withKRange(2, 3);
        List<ActivationSet> opened = List.of(ActivationSet.open(set));
        GeometryAnalysis.Result expected = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(ActivationGroups.of(opened, o), List.of(), false), kMeans);
        ActivationSource source = ActivationSource.open(spark, List.of(set.toString()), new ActivationSource.Options(o));
        GeometryAnalysis.Result actual = SparkGeometry.analyze(source, kMeans, false);
        assertEquals("kmeans", actual.groups().get(0).silhouetteSource());
        assertNotNull(actual.groups().get(0).silhouette());
        assertSame(expected, actual);
    }

    @Test
    void aMissingShardIsOneLine(@TempDir Path tmp) throws Exception {
        Path copy = write(tmp, "gone", 6, 20, 3L);
        Files.delete(copy.resolve("shard-00001.safetensors"));
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        InputException e = assertThrows(InputException.class, () -> ActivationSource.open(spark, List.of(copy.toString()),
                new ActivationSource.Options(o)));
        assertTrue(e.getMessage().contains("shard-00001.safetensors: shard listed in the manifest is missing"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aShardOfAnotherWidthIsOneLine(@TempDir Path tmp) throws Exception {
        Path wide = write(tmp, "wide", 6, 20, 3L);
        Path narrow = write(tmp, "narrow", 4, 20, 3L);
        Files.copy(narrow.resolve("shard-00001.safetensors"), wide.resolve("shard-00001.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        InputException e = assertThrows(InputException.class, () -> ActivationSource.open(spark, List.of(wide.toString()),
                new ActivationSource.Options(o)));
        assertTrue(e.getMessage().contains("shard-00001.safetensors: tensor '") && e.getMessage().contains("d_model 6"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
