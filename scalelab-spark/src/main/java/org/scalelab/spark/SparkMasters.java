package org.scalelab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.scalelab.InputException;

/**
 * Checks a master URL before a session is opened on it. Spark itself keeps trying an unreachable
 * standalone master for a minute and then fails the job with a stack of retries; a
 * {@code spark://host:port} master (or a list {@code spark://h1:p1,h2:p2}) is tried here first, with a
 * short connection timeout, so that a wrong address is one clear line and nothing is written.
 * {@code local[…]}, {@code yarn} and other masters are left to Spark.
 */
public final class SparkMasters {
    private static final int TIMEOUT_MS = 5000;

    private SparkMasters() {
    }

    /** Refuses (naming {@code option} and the URL) a standalone master no address of which accepts a connection. */
    public static void requireReachable(String option, String master) {
        if (master == null || master.isBlank()) {
            throw new InputException(option + ": give a Spark master, e.g. local[2], spark://host:7077 or yarn");
        }
        if (!master.startsWith("spark://")) {
            return;
        }
        String problem = null;
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InputException(option + " " + master + ": '" + InputException.quote(hostPort) + "' is not host:port");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
                return;
            } catch (IOException | IllegalArgumentException e) {
                problem = hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        throw new InputException(option + " " + master + ": the Spark master is unreachable (" + problem
                + "); is it running, and is the address the one its log prints?");
    }
}
