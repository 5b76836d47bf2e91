package org.scalelab.spark;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.scalelab.eval.DistributedRuns;
import org.scalelab.eval.Evaluation;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;

/**
 * {@link DistributedRuns} on Spark, for {@code capture --spark} and {@code eval --spark}: checks the
 * master ({@link SparkMasters}), opens a session on it, runs {@link DistributedCapture} or
 * {@link DistributedEval}, and stops the session if it opened it (one already running is left running).
 */
public final class SparkRuns implements DistributedRuns {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Capture.Summary capture(String master, Path model, ComputeDType dtype, Path prompts, Path out, Capture.Options options, int partitions) {
        SparkMasters.requireReachable("--spark", master);
        DistributedCapture.requireNewOutput(out);
        return inSession(master, "scalelab capture",
                spark -> DistributedCapture.run(spark, model, dtype, prompts, out, options, partitions(spark, partitions)));
    }

    @Override
    public Scores eval(String master, Path model, ComputeDType dtype, List<Path> tasks, Evaluation.Options options, int batch, Integer maxLength,
                       boolean addBos, int partitions) {
        SparkMasters.requireReachable("--spark", master);
        return inSession(master, "scalelab eval", spark -> {
            DistributedEval.Outcome o = DistributedEval.run(spark, model, dtype, tasks, options,
                    new DistributedEval.Settings(batch, maxLength, addBos, partitions(spark, partitions)));
            return new Scores(o.result().family(), o.result().params(), o.evaluation());
        });
    }

    /** Runs {@code body} in a session on {@code master}; a session this opened is stopped afterwards, one already running is left running. */
    static <T> T inSession(String master, String appName, Function<SparkSession, T> body) {
        boolean created = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.open(master, appName);
        try {
            return body.apply(spark);
        } finally {
            if (created) {
                spark.stop();
            }
        }
    }

    private static int partitions(SparkSession spark, int asked) {
        return asked > 0 ? asked : spark.sparkContext().defaultParallelism();
    }
}
