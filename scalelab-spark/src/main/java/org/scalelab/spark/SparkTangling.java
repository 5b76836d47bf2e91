package org.scalelab.spark;

import org.apache.spark.api.java.JavaRDD;
import org.scalelab.geometry.TrajectoryTangling;

/**
 * Trajectory tangling exactly as {@link TrajectoryTangling} defines it, as a blocked job: every time
 * against all times.
 */
public final class SparkTangling {
    private SparkTangling() {}

    /**
     * The tangling summary of one group's blocks (ε null: 0.1 × the states' total variance), or null
     * with the reason in {@code reason[0]}; above {@code maxTimes} times, null with a reason, as in memory.
     */
    public static TrajectoryTangling.Summary of(JavaRDD<RowBlock> blocks, Double epsilon, int maxTimes, String[] reason) {
        throw new UnsupportedOperationException("not yet");
    }
}
