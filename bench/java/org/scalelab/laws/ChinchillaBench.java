package org.scalelab.laws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.scalelab.io.Json;

/**
 * Times the Chinchilla grid fit (and optionally the bootstrap) on a params,compute,loss CSV, for
 * bench/bench_chinchilla.sh. Reads the CSV directly so that the timing is the fit, not a reader.
 * Usage: ChinchillaBench [csv] [--grid spec] [--drop-highest-loss K] [--bootstrap N] [--threads T] [--repeat R]
 */
public final class ChinchillaBench {
    private ChinchillaBench() {}

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        Path csv = Path.of("data/chinchilla_hoffmann2022_fig4.csv");
        ChinchillaFit.Options o = ChinchillaFit.Options.defaults();
        int repeat = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--grid" -> o = o.withGrid(ChinchillaFit.Grid.parse(args[++i]));
                case "--drop-highest-loss" -> o = o.withDropHighestLoss(Integer.parseInt(args[++i]));
                case "--bootstrap" -> o = o.withBootstrap(Integer.parseInt(args[++i]), 0);
                case "--threads" -> o = o.withThreads(Integer.parseInt(args[++i]));
                case "--reduce" -> o = o.withReduce(ChinchillaFit.Reduce.parse(args[++i]));
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> csv = Path.of(args[i]);
            }
        }
        double[][] data = readCsv(csv);
        long read = System.nanoTime();
        ChinchillaResult r = null;
        for (int k = 0; k < repeat; k++) {
            r = ChinchillaFit.fit(data[0], data[1], data[2], o);
            System.err.printf("run %d: grid %.3f s, bootstrap %.3f s%n", k, r.seconds(), r.bootstrapSeconds());
        }
        long fitted = System.nanoTime();
        ChinchillaResult shown = r.withoutReplicates();
        System.out.println(Json.write(shown));
        long end = System.nanoTime();
        System.err.printf("total in JVM: %.3f s (CSV %.3f s, fits %.3f s, JSON %.3f s)%n", (end - start) * 1e-9,
                (read - start) * 1e-9, (fitted - read) * 1e-9, (end - fitted) * 1e-9);
    }

    /** params,compute,loss (tokens = compute / (6·params)) or params,tokens,loss, with a header row. */
    static double[][] readCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        int n = lines.size() - 1;
        double[][] out = new double[3][n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",");
            double params = Double.parseDouble(f[header.indexOf("params")]);
            double tokens = header.contains("tokens") ? Double.parseDouble(f[header.indexOf("tokens")])
                    : Double.parseDouble(f[header.indexOf("compute")]) / (6 * params);
            out[0][i] = params;
            out[1][i] = tokens;
            out[2][i] = Double.parseDouble(f[header.indexOf("loss")]);
        }
        return out;
    }
}
