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
