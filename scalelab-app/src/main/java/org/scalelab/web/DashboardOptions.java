package org.scalelab.web;

import java.nio.file.Path;

/**
 * How a dashboard serves: the lab it shows, where it listens, and what it lets a browser do.
 *
 * @param lab the lab folder (read-only unless {@code allowJobs})
 * @param host the address to bind; anything but loopback needs a {@code token}
 * @param port the port, 0 for any free one
 * @param token the secret every request must carry (header {@code X-ScaleLab-Token}, or {@code ?token=}
 *     once, which sets a cookie); null on loopback without one
 * @param allowJobs whether a browser may start jobs that write the lab (fits, sweeps)
 */
public record DashboardOptions(Path lab, String host, int port, String token, boolean allowJobs) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;

    /** Loopback, no token, read-only: what tests and {@code scalelab serve} without options use. */
    public static DashboardOptions local(Path lab, int port) {
        return new DashboardOptions(lab, DEFAULT_HOST, port, null, false);
    }
}
