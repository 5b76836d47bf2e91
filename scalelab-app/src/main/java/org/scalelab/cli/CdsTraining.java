package org.scalelab.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a few typical command lines in one JVM so that {@code -XX:DumpLoadedClassList} sees the classes
 * they load; the build dumps those into the class-data sharing archive {@code bin/scalelab} starts with
 * (see scalelab-app/pom.xml). Not a user command. Usage: {@code CdsTraining DATA_CSV}; the commands save
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
        try (Stream<Path> files = Files.walk(labDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
