package org.scalelab.spark;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;

/**
 * Collects a job's results on the driver while showing its progress ({@link Progress}, as a
 * single-machine run shows its prompts or examples): one step per partition whose task has
 * succeeded, read from Spark's status tracker twice a second. A failed job is turned into the error a
 * single-machine run gives ({@link JobFailures}).
 */
final class JobProgress {
    private static final long POLL_MS = 500;

    private JobProgress() {
    }

    static <T> List<T> collect(JavaSparkContext sc, JavaRDD<T> rdd, String name) {
        int partitions = rdd.getNumPartitions();
        JavaFutureAction<List<T>> future = rdd.collectAsync();
        try (Progress.Task task = Progress.start(name, partitions)) {
            int shown = 0;
            while (true) {
                try {
                    List<T> out = future.get(POLL_MS, TimeUnit.MILLISECONDS);
                    for (; shown < partitions; shown++) {
                        task.step();
                    }
                    return out;
                } catch (TimeoutException e) {
                    for (int done = Math.min(partitions, completed(sc, future)); shown < done; shown++) {
                        task.step();
                    }
                }
            }
        } catch (ExecutionException e) {
            throw JobFailures.of(name, e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ScaleLabException(name + " on Spark: interrupted; the job was cancelled", e);
        }
    }

    /** Tasks of the job's stages that have succeeded so far. */
    private static int completed(JavaSparkContext sc, JavaFutureAction<?> future) {
        int done = 0;
        for (int job : future.jobIds()) {
            SparkJobInfo info = sc.statusTracker().getJobInfo(job);
            if (info == null) {
                continue;
            }
            for (int stage : info.stageIds()) {
                SparkStageInfo s = sc.statusTracker().getStageInfo(stage);
                if (s != null) {
                    done += s.numCompletedTasks();
                }
            }
        }
        return done;
    }
}
