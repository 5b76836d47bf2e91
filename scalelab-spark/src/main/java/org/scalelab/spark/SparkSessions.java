package org.scalelab.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions ScaleLab starts: a master URL ({@code local[2]}, {@code spark://host:7077},
 * {@code yarn}) and an application name. No web UI (it would open a port nobody asked for); a local
 * master's driver binds to 127.0.0.1 so that a machine with no resolvable host name still runs.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** A session on {@code master}, created or the running one with that master. */
    public static SparkSession open(String master, String appName) {
        SparkSession.Builder b = SparkSession.builder().master(master).appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) {
            // Spark SQL's 200 shuffle partitions are sized for a cluster; on one machine's threads a small
            // job (MLlib's evaluators, a group-by over trajectories) would run 200 near-empty tasks.
            b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "8");
        }
        return b.getOrCreate();
    }
}
