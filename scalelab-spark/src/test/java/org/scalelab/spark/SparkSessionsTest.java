package org.scalelab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** A local session runs a job on two executor threads. */
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
}
