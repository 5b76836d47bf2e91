package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;

/**
 * Activation sets on HDFS: a name node and a data node in this JVM (Hadoop's MiniDFSCluster, on the shaded
 * client Spark itself uses), a set copied into it, and {@code geometry --acts hdfs://… --spark local[2]}
 * gives the numbers of the same set read from the local disk (to 1e-12: the order of some sums); a shard
 * missing on HDFS is the one clear line it is on a local disk.
 */
class HdfsActivationSetTest {
    @TempDir
    static Path dir;
    private static MiniDFSCluster hdfs;
    private static SparkSession spark;
    private static Path local;
    private static String remote;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        spark = SparkSessions.open("local[2]", "scalelab-hdfs-test");
        local = SparkGeometryTest.write(dir, "set", 8, 30, 5L);
        FileSystem fs = hdfs.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/lab/set"));
        remote = fs.getUri() + "/lab/set";
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aSetOnHdfsGivesTheNumbersOfTheSameSetOnDisk() throws Exception {
        assertTrue(remote.startsWith("hdfs://"), remote);
        String[] fromDisk = run("geometry", "--acts", local.toString(), "--by", "domain", "--null-replicates", "0", "--k-range", "0", "--json",
                "--no-store", "--spark", "local[2]");
        String[] fromHdfs = run("geometry", "--acts", remote, "--by", "domain", "--null-replicates", "0", "--k-range", "0", "--json",
                "--no-store", "--spark", "local[2]");
        assertEquals("0", fromDisk[0], fromDisk[2]);
        assertEquals("0", fromHdfs[0], fromHdfs[2]);
        JsonNode a = Json.mapper().readTree(fromDisk[1]).get("groups");
        JsonNode b = Json.mapper().readTree(fromHdfs[1]).get("groups");
        assertEquals(2, a.size());
        for (int i = 0; i < a.size(); i++) {
            for (String key : new String[] {"name", "n_points", "dimension", "trajectories", "participation_ratio", "d90", "d95", "twonn", "alignment",
                    "tangling", "step_cosine", "oscillation_coherence", "explained_variance", "reasons"}) {
                same(a.get(i).get(key), b.get(i).get(key), key);
            }
        }
    }

    /**
     * Equal JSON, numbers to 1e-12 relative: the file systems split the shards into other parts, so sums over
     * parts (alignment's, the covariance's) may be added in another order.
     */
    private static void same(JsonNode x, JsonNode y, String what) {
        if (x.isNumber() && y.isNumber()) {
            assertEquals(x.asDouble(), y.asDouble(), 1e-12 * Math.max(1e-3, Math.abs(x.asDouble())), what);
        } else if (x.isContainerNode() && y.isContainerNode() && x.size() == y.size()) {
            var names = x.fieldNames();
            if (x.isArray()) {
                for (int i = 0; i < x.size(); i++) {
                    same(x.get(i), y.get(i), what + "[" + i + "]");
                }
            }
            while (names.hasNext()) {
                String n = names.next();
                same(x.get(n), y.get(n), what + "." + n);
            }
        } else {
            assertEquals(x, y, what);
        }
    }

    @Test
    void aShardMissingOnHdfsIsOneLineAndExitCode2() throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/lab/broken"));
        fs.delete(new org.apache.hadoop.fs.Path("/lab/broken/shard-00000.safetensors"), false);
        String[] r = run("geometry", "--acts", fs.getUri() + "/lab/broken", "--json", "--no-store", "--spark", "local[2]");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("shard-00000.safetensors: shard listed in the manifest is missing"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }
}
