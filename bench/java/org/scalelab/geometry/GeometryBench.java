package org.scalelab.geometry;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Times the geometry kernels on .npy files for bench/bench_geometry.sh; prints one JSON line per run.
 * Usage: GeometryBench pr POINTS.npy [--repeat R] | GeometryBench silhouette POINTS.npy LABELS.npy [--float32] [--repeat R]
 *        | GeometryBench kmeans POINTS.npy K [--repeat R]
 * "load_seconds" is mapping the file and the finite check; "seconds" is the metric alone. Each
 * repetition maps the file anew; the previous one's mapping and buffers are released first (a GC),
 * so the process's peak RSS is one run's, as in a CLI run, not two mappings of the same file.
 */
public final class GeometryBench {
    private GeometryBench() {}

    public static void main(String[] args) {
        int repeat = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repeat")) {
                repeat = Integer.parseInt(args[i + 1]);
            }
        }
        for (int r = 0; r < repeat; r++) {
            if (r > 0) {
                // As a fresh process would: free the previous repetition's direct buffers and unmap its file
                // (a MappedByteBuffer is unmapped when collected); otherwise peak RSS counts both.
                System.gc();
            }
            long t0 = System.nanoTime();
            PointSet p = args[0].equals("silhouette")
                    ? NpyPoints.load(Path.of(args[1]), null, Path.of(args[2]))
                    : NpyPoints.readPoints(Path.of(args[1]));
            long t1 = System.nanoTime();
            String out;
            if (args[0].equals("pr")) {
                Covariance c = Covariance.of(p);
                double pr = ParticipationRatio.of(c).value();
                VarianceSpectrum s = VarianceSpectrum.of(c);
                int d95 = s.componentsFor(0.95).value().intValue();
                int d90 = s.componentsFor(0.90).value().intValue();
                out = String.format(Locale.ROOT, "\"participation_ratio\": %.9g, \"d90\": %d, \"d95\": %d", pr, d90, d95);
            } else if (args[0].equals("kmeans")) {
                KMeans.Fit f = KMeans.fit(p, Integer.parseInt(args[2]), r);
                out = String.format(Locale.ROOT, "\"k\": %d, \"inertia\": %.9g, \"iterations\": %d, \"seconds_per_iteration\": %.4f", f.k(),
                        f.inertia(), f.iterations(), (System.nanoTime() - t1) / 1e9 / f.iterations());
            } else {
                DistancePrecision precision = List.of(args).contains("--float32") ? DistancePrecision.FLOAT32 : DistancePrecision.FLOAT64;
                out = String.format(Locale.ROOT, "\"precision\": \"%s\", \"silhouette\": %.12g", precision,
                        Silhouette.of(p, precision).value());
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "{\"n\": %d, \"d\": %d, \"openblas_coretype\": \"%s\", \"load_seconds\": %.3f, \"seconds\": %.3f, %s}%n",
                    p.size(), p.dimension(), System.getenv().getOrDefault("OPENBLAS_CORETYPE", "default"), (t1 - t0) / 1e9, (t2 - t1) / 1e9, out);
        }
    }
}
