package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * The streamed engine against the in-memory one on sets that fit. The streamed covariance gathers
 * rows into the same chunks, with the same shift and the same float32/float64 sums in the same
 * order as {@link Covariance#of(PointSet, int, int)}, and alignment and step cosine sum in the same
 * trajectory and row order, so the numbers are expected to be the same bits whatever the block
 * size: the tolerance is 0 (a difference in summation order would show up here as a difference
 * in the last digits, and fail).
 */
class StreamedGeometryTest {
    @TempDir
    Path dir;

    /** Random-walk trajectories of the given lengths, offset far from the origin (so the shift matters). */
    static PointSet walks(int d, int[] lengths, long seed) {
        Random rnd = new Random(seed);
        int n = 0;
        for (int len : lengths) {
            n += len;
        }
        float[][] rows = new float[n][d];
        long[] starts = new long[lengths.length];
        int r = 0;
        for (int k = 0; k < lengths.length; k++) {
            starts[k] = r;
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = 1000 + (float) rnd.nextGaussian();
            }
            for (int t = 0; t < lengths[k]; t++) {
                for (int j = 0; j < d; j++) {
                    x[j] += (float) (rnd.nextGaussian() * (1 + j % 3));
                }
                rows[r++] = x.clone();
            }
        }
        return PointSet.of(rows, "walks").withTrajectories(starts, "walks");
    }

    @Test
    void streamedCovarianceIsTheInMemoryCovarianceForEveryBlockSize() {
        PointSet p = walks(13, new int[] {40, 1, 77, 3, 150, 91, 60, 115}, 1);
        int n = p.size();
        for (int chunk : new int[] {50, 1, n, 1 << 20}) {
            Covariance expected = Covariance.of(p, chunk, 120);
            for (int block : new int[] {1, 7, 64, n, n + 5}) {
                StreamingCovariance s = new StreamingCovariance(n, p.dimension(), chunk, 120);
                PointBlocks.of(p).forEachBlock(block, (first, count, rows) -> s.add(rows, count));
                Covariance got = s.result();
                assertArrayEquals(expected.mean, got.mean, 0, "mean, chunk " + chunk + ", block " + block);
                assertArrayEquals(expected.matrix, got.matrix, 0, "covariance, chunk " + chunk + ", block " + block);
            }
        }
    }

    @Test
    void exactMetricsOfOnePassEqualTheInMemoryMetrics() {
        // A trajectory of one point, one with zero displacement (it returns to its start), and trajectories
        // longer than a block: every case of the walk along the rows.
        PointSet base = walks(9, new int[] {30, 1, 2, 45, 3, 80}, 2);
        float[][] rows = new float[base.size()][9];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < 9; j++) {
                rows[i][j] = base.get(i, j);
            }
        }
        rows[32] = rows[31].clone(); // trajectory 2 (rows 31, 32): zero displacement, one zero step
        long[] starts = {0, 30, 31, 33, 78, 81};
        PointSet p = PointSet.of(rows, "walks").withTrajectories(starts, "walks");
        for (int block : new int[] {1, 5, 31, 100, p.size() + 1}) {
            StreamedGeometry.Exact e = StreamedGeometry.exact(PointBlocks.of(p), block, null);
            assertEquals(ParticipationRatio.of(p).value(), ParticipationRatio.of(e.covariance()).value(), 0, "block " + block);
            assertArrayEquals(VarianceSpectrum.of(p).eigenvalues(), VarianceSpectrum.of(e.covariance()).eigenvalues(), 0, "block " + block);
            assertEquals(TrajectoryAlignment.of(p), e.alignment(), "block " + block);
            assertEquals(StepCosine.of(p), e.stepCosine(), "block " + block);
        }
    }

    @Test
    void withoutTrajectoriesTheTrajectoryMetricsAreMissingAsInMemory() {
        PointSet p = PointSet.of(new float[][] {{1, 2}, {3, 5}, {4, 4}}, "three");
        StreamedGeometry.Exact e = StreamedGeometry.exact(PointBlocks.of(p), 2, null);
        assertEquals(TrajectoryAlignment.of(p), e.alignment());
        assertEquals(StepCosine.of(p), e.stepCosine());
        assertEquals(ParticipationRatio.of(p).value(), ParticipationRatio.of(e.covariance()).value(), 0);
    }

    static final List<String> HOOKS = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.1.hook_attn_out",
            "blocks.1.hook_mlp_out", "blocks.1.hook_resid_post");

    /**
     * A set of {@code lengths.length} trajectories (d = 6 unless given) through the writer, in shards of
     * {@code shardBytes}; two domains, a label, and step boundaries every 4 tokens from token 1.
     */
    Path writeSet(String name, int[] lengths, long shardBytes, long seed) throws Exception {
        return writeSet(name, 6, lengths, shardBytes, seed);
    }

    Path writeSet(String name, int d, int[] lengths, long shardBytes, long seed) throws Exception {
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                1000, d, 2, HOOKS, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        Path set = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(set, header, shardBytes);
        Random rnd = new Random(seed);
        for (int k = 0; k < lengths.length; k++) {
            int n = lengths[k];
            List<float[]> rows = new ArrayList<>();
            for (int h = 0; h < HOOKS.size(); h++) {
                float[] r = new float[n * d];
                float[] x = new float[d];
                for (int t = 0; t < n; t++) {
                    for (int j = 0; j < d; j++) {
                        x[j] += (float) rnd.nextGaussian() * (h + 1);
                        r[t * d + j] = x[j] + 50;
                    }
                }
                rows.add(r);
            }
            int[] positions = new int[n];
            for (int t = 0; t < n; t++) {
                positions[t] = t;
            }
            List<Integer> steps = new ArrayList<>();
            for (int b = 1; b < n; b += 4) {
                steps.add(b);
            }
            w.add("p" + k, k % 2 == 0 ? "math" : "code", Json.mapper().readTree("{\"kind\":\"" + (k % 3 == 0 ? "a" : "b") + "\"}"), steps, n,
                    positions, new int[n], rows);
        }
        w.finish();
        return set;
    }

    static GeometryAnalysis.Options options() {
        return GeometryAnalysis.Options.defaults().withNullReplicates(0).withKRange(2, 0);
    }

    @Test
    void activationBlocksGiveTheRowsLabelsAndTrajectoriesOfTheInMemoryGroup() throws Exception {
        // Small shards: trajectories fall in several shards, and blocks cross trajectories and shards.
        Path path = writeSet("blocks", new int[] {12, 1, 30, 9, 17, 25, 6}, 2_000, 3);
        ActivationSet set = ActivationSet.open(path);
        assertTrue(set.manifest().shards().size() > 2, "the set spans several shards");
        for (StepPooling.Unit unit : StepPooling.Unit.values()) {
            for (StepPooling.Pool pool : StepPooling.Pool.values()) {
                ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), "kind", unit, pool);
                for (ActivationGroups.Unread g : ActivationGroups.unread(List.of(set), o)) {
                    PointSet expected = g.load().points();
                    ActivationBlocks blocks = g.blocks();
                    assertEquals(expected.size(), blocks.size());
                    assertEquals(expected.size(), g.points());
                    assertEquals(expected.dimension(), blocks.dimension());
                    assertArrayEquals(PointBlocks.of(expected).trajectoryStarts(), blocks.trajectoryStarts());
                    assertArrayEquals(PointBlocks.of(expected).labels(), blocks.labels());
                    for (int block : new int[] {1, 4, 1000}) {
                        int[] seen = {0};
                        blocks.forEachBlock(block, (first, count, rows) -> {
                            assertEquals(seen[0], first);
                            for (int i = 0; i < count; i++) {
                                for (int j = 0; j < expected.dimension(); j++) {
                                    assertEquals(expected.get((int) first + i, j), rows[i * expected.dimension() + j], 0,
                                            g.name() + " " + unit + " " + pool + " row " + (first + i));
                                }
                            }
                            seen[0] += count;
                        });
                        assertEquals(expected.size(), seen[0]);
                    }
                }
            }
        }
    }

    @Test
    void streamedGroupsEqualInMemoryGroupsOnTheExactMetrics() throws Exception {
        Path path = writeSet("groups", new int[] {12, 1, 30, 9, 17, 25, 6, 14, 3}, 2_000, 4);
        ActivationSet set = ActivationSet.open(path);
        for (StepPooling.Unit unit : StepPooling.Unit.values()) {
            ActivationGroups.Options o = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.DOMAIN), "kind", unit, StepPooling.Pool.MEAN);
            for (ActivationGroups.Unread g : ActivationGroups.unread(List.of(set), o)) {
                GeometryAnalysis.Group mem = GeometryAnalysis.analyzeGroup(g.load(), options()).group();
                for (int block : new int[] {1, 7, 10_000}) {
                    GeometryAnalysis.Group s = StreamedGeometry.group(g, options(), block);
                    String what = g.name() + " " + unit + " block " + block;
                    assertEquals(mem.name(), s.name());
                    assertEquals(mem.nPoints(), s.nPoints(), what);
                    assertEquals(mem.dimension(), s.dimension(), what);
                    assertEquals(mem.trajectories(), s.trajectories(), what);
                    assertNotNull(mem.participationRatio(), what);
                    assertEquals(mem.participationRatio(), s.participationRatio(), 0, what);
                    assertEquals(mem.d90(), s.d90(), what);
                    assertEquals(mem.d95(), s.d95(), what);
                    assertArrayEquals(mem.explainedVariance(), s.explainedVariance(), 0, what);
                    assertEquals(mem.alignment(), s.alignment(), what);
                    assertEquals(mem.stepCosine(), s.stepCosine(), what);
                    assertNotNull(mem.oscillationCoherence(), what);
                    assertEquals(mem.oscillationCoherence(), s.oscillationCoherence(), what);
                    assertEquals(mem.unit(), s.unit());
                    // Below the sampled metrics' exact limits, TwoNN, tangling and the labels' silhouette are the in-memory values.
                    for (String m : List.of("twonn", "tangling", "silhouette")) {
                        assertNotNull(mem.metric(m), m);
                        assertEquals(mem.metric(m), s.metric(m), what + " " + m);
                    }
                    assertEquals(mem.tanglingPerTrajectory(), s.tanglingPerTrajectory(), what);
                    assertEquals(mem.tanglingEpsilon(), s.tanglingEpsilon(), what);
                    assertEquals("labels", s.silhouetteSource());
                }
            }
        }
    }

    @Test
    void theKMeansSilhouetteIsTheInMemoryOneAndTheBaselinesAreNotComputedOutOfCoreYet() throws Exception {
        Path path = writeSet("kmeans", new int[] {12, 30, 9}, 2_000, 8);
        ActivationGroups.Unread g = ActivationGroups.unread(List.of(ActivationSet.open(path)), new ActivationGroups.Options(null, List.of(), null)).get(0);
        GeometryAnalysis.Options o = GeometryAnalysis.Options.defaults().withBootstrap(10).withKRange(2, 4);
        GeometryAnalysis.Group s = StreamedGeometry.group(g, o, 5);
        GeometryAnalysis.Group mem = GeometryAnalysis.analyzeGroup(g.load(), o.withNullReplicates(0).withBootstrap(0)).group();
        assertEquals("kmeans", s.silhouetteSource());
        assertNotNull(mem.silhouette());
        assertEquals(mem.silhouette(), s.silhouette());
        assertEquals(mem.k(), s.k());
        assertEquals(mem.silhouetteByK(), s.silhouetteByK());
        assertEquals("null baselines are " + StreamedGeometry.NOT_YET, s.reasons().get("baselines"));
        assertEquals("bootstrap intervals are " + StreamedGeometry.NOT_YET, s.reasons().get("bootstrap"));
        assertTrue(s.baselines().keySet().stream().noneMatch(k -> k.equals(GeometryAnalysis.GAUSSIAN)));
    }

    @Test
    void aNonFiniteRowIsRefusedWithTheInMemoryMessage() throws Exception {
        Path path = writeSet("nan", new int[] {5, 5}, 1 << 20, 5);
        // Overwrite one value of the residual stream with NaN, in place (the shard's layout is unchanged).
        Path shard = path.resolve("shard-00000.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        try (org.scalelab.io.SafetensorsFile f = org.scalelab.io.SafetensorsFile.open(shard)) {
            long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            int at = (int) (8 + headerLength + f.info("blocks.1.hook_resid_post").begin() + (7 * 6 + 2) * 4);
            java.nio.ByteBuffer.wrap(bytes, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN);
        }
        Files.write(shard, bytes);
        ActivationSet set = ActivationSet.open(path);
        ActivationGroups.Unread g = ActivationGroups.unread(List.of(set), new ActivationGroups.Options(null, List.of(), null)).get(0);
        InputException mem = assertThrows(InputException.class, g::load);
        InputException streamed = assertThrows(InputException.class, () -> g.blocks().forEachBlock(3, (f, c, r) -> {}));
        assertEquals(mem.getMessage(), streamed.getMessage());
        assertTrue(streamed.getMessage().contains("position 2") && streamed.getMessage().contains("column 2"), streamed.getMessage());
    }

    @Test
    void aShardRemovedOrRewrittenAfterOpeningIsOneClearError() throws Exception {
        Path path = writeSet("gone", new int[] {20, 20, 20}, 2_000, 6);
        ActivationSet set = ActivationSet.open(path);
        ActivationGroups.Unread g = ActivationGroups.unread(List.of(set), new ActivationGroups.Options(null, List.of(), null)).get(0);
        Path second = path.resolve(set.manifest().shards().get(1).file());
        byte[] saved = Files.readAllBytes(second);
        Files.delete(second);
        InputException missing = assertThrows(InputException.class, () -> g.blocks().forEachBlock(8, (f, c, r) -> {}));
        assertTrue(missing.getMessage().contains(second.getFileName().toString()), missing.getMessage());
        // The same shard with a different width: a valid safetensors file whose tensor is [rows, 3].
        Files.write(second, saved);
        Path narrow = writeSet("narrow", 3, new int[] {20}, 1 << 20, 7);
        Files.copy(narrow.resolve("shard-00000.safetensors"), second, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        InputException width = assertThrows(InputException.class, () -> g.blocks().forEachBlock(8, (f, c, r) -> {}));
        assertTrue(width.getMessage().contains("the manifest says F32"), width.getMessage());
    }

    @Test
    void memoryBoundsParseAndSayWhatFits() {
        assertEquals(8L << 30, MemoryBound.parse("8g").bytes());
        assertEquals(512L << 20, MemoryBound.parse("512m").bytes());
        assertEquals(3L << 29, MemoryBound.parse("1.5g").bytes());
        assertEquals(8L << 30, MemoryBound.parse("8GiB").bytes());
        assertEquals(4096, MemoryBound.parse("4096").bytes());
        assertEquals("1.50 GiB", MemoryBound.parse("1.5g").describe());
        for (String bad : new String[] {"0", "3x", "", "-1g", "0.000001k"}) {
            InputException e = assertThrows(InputException.class, () -> MemoryBound.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--memory: "), e.getMessage());
        }
        MemoryBound eight = MemoryBound.parse("8g");
        // 1,000,000 × 4,096 float32 rows are 16 GB: streamed; 100,000 of them (1.6 GB, twice, plus the covariance) fit.
        assertTrue(!eight.fits(1_000_000, 4096));
        assertTrue(eight.fits(100_000, 4096));
        long covariance = 4096L * 4096 * 12 + 4096L * 4096 * 4;
        assertEquals((8L << 30) - covariance, (long) eight.rowsPerBlock(4096) * 4096 * 4, 4096 * 4);
        assertEquals(1, MemoryBound.parse("1k").rowsPerBlock(4096), "a bound below one row still streams a row at a time");
        // Above 2 GiB of rows the in-memory engine refuses a group (one direct buffer): it never "fits".
        assertTrue(!MemoryBound.parse("64g").fits(600_000, 1024));
        assertTrue(MemoryBound.parse("64g").fits(500_000, 1024));
    }
}
