package org.scalelab.geometry;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Mean silhouette coefficient with given labels (Rousseeuw 1987), defined exactly as
 * {@code sklearn.metrics.silhouette_score(X, labels, metric="euclidean")}: for each point a = mean
 * distance to the other members of its cluster, b = smallest mean distance to another cluster,
 * s = (b − a) / max(a, b); points in singleton clusters (and 0/0 cases) score 0; the score is the
 * mean over all points. It needs 2 ≤ #labels ≤ n − 1.
 *
 * <p>Distances come in symmetric blocks ({@link SquaredDistances}): each block adds its rows' sums
 * per label and its columns' sums per label, so every distance is computed once; the per-block
 * sums run on all cores, the products inside OpenBLAS on all cores.
 */
public final class Silhouette {
    private Silhouette() {}

    public static MetricValue of(PointSet points) {
        return of(points, DistancePrecision.FLOAT64);
    }

    /** With {@link DistancePrecision#FLOAT32} the distances come from sgemm: faster, not sklearn-exact. */
    public static MetricValue of(PointSet points, DistancePrecision precision) {
        if (!points.hasLabels()) {
            return MetricValue.missing("no labels given (--labels FILE.npy)");
        }
        int n = points.size();
        int[] raw = points.labels();
        Map<Integer, Integer> codes = new HashMap<>();
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = codes.computeIfAbsent(raw[i], key -> codes.size());
        }
        int k = codes.size();
        if (k < 2 || k > n - 1) {
            return MetricValue.missing("silhouette needs between 2 and n − 1 = " + (n - 1) + " distinct labels, got " + k);
        }
        int[] count = new int[k];
        for (int l : label) {
            count[l]++;
        }
        if ((long) n * k > Integer.MAX_VALUE - 8) {
            return MetricValue.missing("too many labels (" + k + ") for " + n + " points to hold per-label sums");
        }
        double[] sums = new double[n * k]; // [n, k]: sum of distances from each point to each label's points
        SquaredDistances distances = new SquaredDistances(points.buffer(), n, points.dimension(), precision);
        distances.visitUpper((i0, ni, j0, nj, d2, diagonal) -> {
            IntStream.range(0, ni).parallel().forEach(i -> {
                int row = (i0 + i) * k;
                int base = i * nj;
                for (int j = 0; j < nj; j++) {
                    double dist = Math.sqrt(d2[base + j]);
                    d2[base + j] = dist;
                    sums[row + label[j0 + j]] += dist;
                }
            });
            if (!diagonal) {
                int parts = Math.min(nj, 4 * Runtime.getRuntime().availableProcessors());
                IntStream.range(0, parts).parallel().forEach(part -> {
                    int from = (int) ((long) nj * part / parts);
                    int to = (int) ((long) nj * (part + 1) / parts);
                    for (int i = 0; i < ni; i++) {
                        int li = label[i0 + i];
                        int base = i * nj;
                        for (int j = from; j < to; j++) {
                            sums[(j0 + j) * k + li] += d2[base + j];
                        }
                    }
                });
            }
        });
        double total = 0;
        for (int i = 0; i < n; i++) {
            int li = label[i];
            if (count[li] == 1) {
                continue; // sklearn: singleton clusters score 0
            }
            double a = sums[i * k + li] / (count[li] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != li) {
                    b = Math.min(b, sums[i * k + c] / count[c]);
                }
            }
            double m = Math.max(a, b);
            if (m > 0) {
                total += (b - a) / m;
            }
        }
        return MetricValue.of(total / n);
    }
}
