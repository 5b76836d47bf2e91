package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;

/**
 * {@code scalelab geometry --spark local[2]} (the engine found through its service entry) gives the
 * numbers the command gives without it, to the tolerances {@link SparkGeometryTest} states; bad
 * input is one line and exit code 2, with nothing written. The commands share the class's session
 * (the engine uses a running session of the master asked for, and leaves it running).
 */
class GeometrySparkCommandTest {
    @TempDir
    static Path dir;
    private static Path set;

    private static SparkSession spark;

    @BeforeAll
    static void write() {
        spark = SparkSessions.open("local[2]", "scalelab-cli-test");
        set = SparkGeometryTest.write(dir, "cli", 8, 30, 5L);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void sparkGivesTheNumbersOfTheSingleMachineCommand() throws Exception {
        Run single = run("geometry", "--acts", set.toString(), "--by", "domain", "--null-replicates", "0", "--k-range", "0", "--json", "--no-store");
        Run onSpark = run("geometry", "--acts", set.toString(), "--by", "domain", "--null-replicates", "0", "--k-range", "0", "--json", "--no-store",
                "--spark", "local[2]");
        assertEquals(0, single.code(), single.err());
        assertEquals(0, onSpark.code(), onSpark.err());
        assertFalse(spark.sparkContext().isStopped());
        JsonNode a = Json.mapper().readTree(single.out()).get("groups");
        JsonNode b = Json.mapper().readTree(onSpark.out()).get("groups");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = a.get(i);
            JsonNode y = b.get(i);
            for (String key : new String[] {"name", "model", "domain", "hook", "n_points", "dimension", "trajectories", "d90", "d95", "unit"}) {
                assertEquals(x.get(key), y.get(key), key);
            }
            assertEquals(x.get("participation_ratio").asDouble(), y.get("participation_ratio").asDouble(),
                    1e-5 * x.get("participation_ratio").asDouble());
            for (String key : new String[] {"alignment", "step_cosine", "oscillation_coherence"}) {
                assertEquals(x.get(key).asDouble(), y.get(key).asDouble(), 1e-10, key);
            }
            for (int k = 0; k < x.get("explained_variance").size(); k++) {
                assertEquals(x.get("explained_variance").get(k).asDouble(), y.get("explained_variance").get(k).asDouble(), 1e-6);
            }
            assertEquals(x.get("twonn").asDouble(), y.get("twonn").asDouble(), 1e-9 * x.get("twonn").asDouble());
            assertEquals(x.get("tangling").asDouble(), y.get("tangling").asDouble(), 1e-5 * x.get("tangling").asDouble());
            assertEquals(x.get("silhouette_source"), y.get("silhouette_source"));
        }
    }

    /**
     * Above 20,000 points and times, the streamed single machine (bounded by --memory) and Spark both
     * estimate TwoNN and tangling from the same seeded samples: the same values and the same notes
     * (sample, seed, interval) in the reasons, worded alike.
     */
    @Test
    void aboveTheExactLimitsBothEnginesSampleTheSamePointsAndTimes(@TempDir Path tmp) throws Exception {
        Path large = SparkGeometryTest.write(tmp, "large", 4, 1_900, 9L, 1 << 20);
        String[] common = {"geometry", "--acts", large.toString(), "--null-replicates", "0", "--k-range", "0", "--json", "--no-store"};
        Run single = run(concat(common, "--memory", "1m"));
        Run onSpark = run(concat(common, "--spark", "local[2]"));
        assertEquals(0, single.code(), single.err());
        assertEquals(0, onSpark.code(), onSpark.err());
        JsonNode x = Json.mapper().readTree(single.out()).get("groups").get(0);
        JsonNode y = Json.mapper().readTree(onSpark.out()).get("groups").get(0);
        assertTrue(x.get("n_points").asInt() - x.get("trajectories").asInt() > 20_000, "more times than the exact limit: " + x);
        assertTrue(x.get("reasons").get("tangling_sample").asText().startsWith("estimated from a seeded sample of 5,000 of "),
                x.get("reasons").toString());
        for (String note : new String[] {"twonn_sample", "tangling_sample"}) {
            assertEquals(x.get("reasons").get(note), y.get("reasons").get(note), note);
        }
        assertEquals(x.get("twonn").asDouble(), y.get("twonn").asDouble(), 1e-9 * x.get("twonn").asDouble());
        // Tangling's default ε is a fraction of the covariance's trace, summed in another order by each engine: 1e-5.
        for (String key : new String[] {"tangling", "tangling_median", "tangling_p90"}) {
            assertEquals(x.get(key).asDouble(), y.get(key).asDouble(), 1e-5 * x.get(key).asDouble(), key);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void anUnreachableMasterIsOneLineAndWritesNothing() {
        Path out = dir.resolve("report");
        Run r = run("geometry", "--acts", set.toString(), "--spark", "spark://127.0.0.1:1", "--out", out.toString(), "--no-store");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--spark spark://127.0.0.1:1: the Spark master is unreachable"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingShardIsOneLineAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path broken = SparkGeometryTest.write(tmp, "broken", 4, 20, 3L);
        Files.delete(broken.resolve("shard-00000.safetensors"));
        Path out = tmp.resolve("report");
        Run r = run("geometry", "--acts", broken.toString(), "--spark", "local[2]", "--out", out.toString(), "--no-store");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("shard-00000.safetensors: shard listed in the manifest is missing"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aNonFiniteRowFoundByAnExecutorIsOneLine(@TempDir Path tmp) throws Exception {
        Path bad = SparkGeometryTest.write(tmp, "nan", 4, 20, 3L);
        Path shard = bad.resolve("shard-00000.safetensors");
        long data;
        long begin;
        try (org.scalelab.io.SafetensorsFile f = org.scalelab.io.SafetensorsFile.open(shard)) {
            begin = f.info("blocks.1.hook_resid_post").begin();
        }
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(shard, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            c.read(len, 0);
            data = 8 + len.flip().getLong();
            // Row 0 (trajectory p0, position 0), column 1.
            c.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).flip(), data + begin + 4);
        }
        Run r = run("geometry", "--acts", bad.toString(), "--spark", "local[2]", "--k-range", "0", "--null-replicates", "0", "--no-store");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("trajectory \"p0\" position 0 at blocks.1.hook_resid_post has NaN in column 1"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
