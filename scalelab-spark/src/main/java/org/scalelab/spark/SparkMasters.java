package org.scalelab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.scalelab.InputException;

/**
 * Opens a session on the master a user names ({@code --spark MASTER}), refusing in one line what
 * Spark would otherwise retry for a minute or report in a stack trace: a standalone master
 * ({@code spark://host:port}, or several separated by commas) none of whose hosts accepts a
 * connection, {@code yarn} without HADOOP_CONF_DIR or YARN_CONF_DIR, a master URL Spark does not know.
 */
final class SparkMasters {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private SparkMasters() {}

    /** A session, stopped on {@link #close} only if this class started it (a running one with the same master is shared). */
    record Session(SparkSession spark, boolean started) implements AutoCloseable {
        @Override
        public void close() {
            if (started) {
                spark.stop();
            }
        }
    }

    static Session open(String master, String appName) {
        if (master == null || master.isBlank()) {
            throw new InputException("--spark: give a master: local[N], spark://host:port or yarn");
        }
        if (master.startsWith("spark://")) {
            requireReachable(master);
        } else if (master.equals("yarn") && System.getenv("HADOOP_CONF_DIR") == null && System.getenv("YARN_CONF_DIR") == null) {
            throw new InputException("--spark yarn: set HADOOP_CONF_DIR or YARN_CONF_DIR to the cluster's configuration folder");
        } else if (!master.matches("local(\\[(\\d+|\\*)(,\\d+)?\\])?|yarn|k8s://.+")) {
            throw new InputException("--spark: '" + InputException.quote(master) + "' is not a master URL: local[N], spark://host:port, yarn or k8s://…");
        }
        scala.Option<SparkSession> running = SparkSession.getActiveSession();
        if (running.isEmpty()) {
            running = SparkSession.getDefaultSession();
        }
        if (running.isDefined() && running.get().sparkContext().master().equals(master) && !running.get().sparkContext().isStopped()) {
            return new Session(running.get(), false);
        }
        try {
            return new Session(SparkSessions.open(master, appName), true);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new InputException("--spark " + master + ": cannot start a Spark session: " + InputException.quote(why), e);
        }
    }

    /** Fails unless some host of a standalone master URL accepts a TCP connection. */
    private static void requireReachable(String master) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InputException("--spark " + master + ": '" + InputException.quote(hostPort) + "' is not host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException | IllegalArgumentException e) {
                failures.add(host + ":" + port + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new InputException("--spark " + master + ": no Spark master answers at " + String.join(", ", failures)
                + "; start the master (sbin/start-master.sh) or check the URL");
    }
}
