package org.scalelab.spark;

import org.apache.spark.sql.SparkSession;
import org.scalelab.InputException;

/**
 * The session the geometry engine runs in, on the master a user names ({@code --spark MASTER}):
 * refused in one line, before Spark would retry for a minute or print a stack trace, when it is a
 * standalone master nobody answers at ({@link SparkMasters#requireReachable}), {@code yarn} without
 * the cluster's configuration, or no master URL at all. A running session of the same master (a
 * test's, a notebook's) is used and left running; a session started here is stopped on {@link #close}.
 */
record EngineSession(SparkSession spark, boolean started) implements AutoCloseable {
    private static final String OPTION = "--spark";

    static EngineSession open(String master, String appName) {
        SparkMasters.requireReachable(OPTION, master);
        if (master.equals("yarn") && System.getenv("HADOOP_CONF_DIR") == null && System.getenv("YARN_CONF_DIR") == null) {
            throw new InputException(OPTION + " yarn: set HADOOP_CONF_DIR or YARN_CONF_DIR to the cluster's configuration folder");
        }
        if (!master.matches("local(\\[(\\d+|\\*)(,\\d+)?\\])?|spark://.+|yarn|k8s://.+")) {
            throw new InputException(OPTION + ": '" + InputException.quote(master) + "' is not a master URL: local[N], spark://host:port, yarn or k8s://…");
        }
        scala.Option<SparkSession> running = SparkSession.getActiveSession();
        if (running.isEmpty()) {
            running = SparkSession.getDefaultSession();
        }
        if (running.isDefined() && !running.get().sparkContext().isStopped() && running.get().sparkContext().master().equals(master)) {
            return new EngineSession(running.get(), false);
        }
        try {
            return new EngineSession(SparkSessions.open(master, appName), true);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new InputException(OPTION + " " + master + ": cannot start a Spark session: " + InputException.quote(why), e);
        }
    }

    @Override
    public void close() {
        if (started) {
            spark.stop();
        }
    }
}
