package org.scalelab.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.scalelab.web.Dashboard;
import org.scalelab.web.DashboardOptions;

/**
 * Runs a few typical command lines in one JVM so that {@code -XX:DumpLoadedClassList} sees the classes
 * they load; the build dumps those into the class-data sharing archive {@code bin/scalelab} starts with
 * (see scalelab-app/pom.xml). Then it starts the dashboard ({@code scalelab serve}) and asks it for a page,
 * a script, JSON and a missing address, so that the web server's classes are in the archive too (half of
 * serve's start otherwise). Not a user command. Usage: {@code CdsTraining DATA_CSV}; the commands save
 * into a temporary lab that is deleted afterwards.
 */
final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        String data = args[0];
        Path labDir = Files.createTempDirectory("scalelab-cds-");
        String lab = labDir.toString();
        List<String[]> lines = List.of(
                new String[] {"--help"},
                new String[] {"fit", "chinchilla", "--data", data, "--grid", "coarse", "--bootstrap", "20", "--lab", lab, "--json"},
                new String[] {"fit", "chinchilla", "--data", data, "--grid", "coarse", "--bootstrap", "0", "--no-backtest", "--lab", lab},
                new String[] {"fit", "power", "--data", data, "--x-col", "compute", "--bootstrap", "20", "--lab", lab},
                new String[] {"forecast", "--data", data, "--grid", "coarse", "--bootstrap", "20", "--compute", "1e21,1e23", "--no-store",
                    "--lab", lab},
                new String[] {"reliability", "--lab", lab},
                new String[] {"results", "list", "--lab", lab});
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream(), true);
        int failed = 0;
        for (String[] line : lines) {
            if (Main.execute(line, quiet, quiet) != 0) {
                System.out.println("CDS training: failed: scalelab " + String.join(" ", line));
                failed++;
            }
        }
        try (Dashboard dashboard = Dashboard.start(DashboardOptions.local(labDir, 0))) {
            for (String path : List.of("/api/health", "/", "/static/app.js", "/api/no-such-endpoint")) {
                if (get(dashboard.port(), path) == 0) {
                    System.out.println("CDS training: no answer from the dashboard for " + path);
                    failed++;
                }
            }
        }
        try (Stream<Path> files = Files.walk(labDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** The status of GET {@code path} on loopback, over a plain socket (an HTTP client would add its own classes). */
    private static int get(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return answer.startsWith("HTTP/1.1 ") && answer.length() >= 12 ? Integer.parseInt(answer.substring(9, 12)) : 0;
        }
    }
}
