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
            b = b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }
}
