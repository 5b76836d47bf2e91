package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local session runs a job on two executor threads; a session on a cluster ships the driver's own jars
 * (not Spark's, not folders, each once), which a cluster's executors lack.
 */
class SparkSessionsTest {
    @Test
    void aLocalSessionSumsOnTwoThreads() {
        SparkSession spark = SparkSessions.open("local[2]", "scalelab-test");
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Integer> xs = IntStream.rangeClosed(1, 1000).boxed().toList();
            long sum = sc.parallelize(xs, 4).map(Integer::longValue).reduce(Long::sum);
            assertEquals(1000L * 1001 / 2, sum);
            assertEquals(2, sc.defaultParallelism());
        } finally {
            spark.stop();
        }
    }

    @Test
    void theJarsShippedToAClustersExecutorsAreTheClassPathsOwnOnesOutsideSparksFolder(@TempDir Path dir) throws Exception {
        Path spark = Files.createDirectories(dir.resolve("spark/lib"));
        Path app = Files.createDirectories(dir.resolve("app/lib"));
        Path classes = Files.createDirectories(dir.resolve("app/classes"));
        for (Path jar : List.of(spark.resolve("spark-core.jar"), spark.resolve("scalelab-core.jar"), app.resolve("scalelab-core.jar"),
                app.resolve("hipparchus.jar"), dir.resolve("scalelab-app.jar"))) {
            Files.createFile(jar);
        }
        String cp = String.join(File.pathSeparator, dir.resolve("scalelab-app.jar").toString(), spark.resolve("spark-core.jar").toString(),
                spark.resolve("scalelab-core.jar").toString(), app.resolve("scalelab-core.jar").toString(), classes.toString(),
                app.resolve("hipparchus.jar").toString(), app.resolve("missing.jar").toString(), dir.resolve("scalelab-app.jar").toString());
        assertEquals(List.of(dir.resolve("scalelab-app.jar").toString(), app.resolve("scalelab-core.jar").toString(),
                app.resolve("hipparchus.jar").toString()), SparkSessions.applicationJars(cp, spark));
        assertEquals(5, SparkSessions.applicationJars(cp, null).size(), "without Spark's folder every existing jar, once");
    }

    @Test
    void sparksOwnJarsFolderIsFoundFromItsClasses() throws Exception {
        Path folder = SparkSessions.sparkJarsFolder();
        assertNotNull(folder, "Spark's classes come from a jar on the test class path");
        try (var files = Files.list(folder)) {
            assertEquals(true, files.anyMatch(f -> f.getFileName().toString().startsWith("spark-core_")), "spark-core's jar in " + folder);
        }
    }
}
