package org.scalelab.geometry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * Small activation sets with several layers, written with {@link ActivationSetWriter}: 8 prompts in
 * two domains (math, law) of 6–13 tokens with step boundaries at positions 1, 3 and n − 2; each
 * trajectory a random walk, layer L a fixed random linear map of layer L − 1 plus noise (related
 * layers, not equal ones). Optionally a [2, 4]-shaped {@code blocks.0.attn.hook_z} beside them.
 */
public final class LayeredSets {
    private LayeredSets() {}

    public static Path write(Path dir, String name, int layers, int d, long params, boolean hookZ) {
        return write(dir, name, layers, d, params, hookZ, "p");
    }

    /** As {@link #write(Path, String, int, int, long, boolean)}, trajectory ids {@code idPrefix0 …}. */
    public static Path write(Path dir, String name, int layers, int d, long params, boolean hookZ, String idPrefix) {
        List<String> hooks = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            hooks.add("blocks." + l + ".hook_resid_post");
        }
        if (hookZ) {
            hooks.add("blocks.0.attn.hook_z");
        }
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/" + name, "gpt2",
                params, d, layers, hooks, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(),
                hookZ ? Map.of("blocks.0.attn.hook_z", List.of(2, 4)) : null);
        Path out = dir.resolve(name);
        ActivationSetWriter w = ActivationSetWriter.open(out, header, 2_000);
        Random r = new Random(name.hashCode());
        double[][][] maps = new double[layers][d][d];
        for (double[][] m : maps) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    m[i][j] = (i == j ? 0.8 : 0) + 0.3 * r.nextGaussian() / Math.sqrt(d);
                }
            }
        }
        for (int t = 0; t < 8; t++) {
            int n = 6 + t;
            List<float[]> rows = new ArrayList<>();
            double[][] prev = new double[n][d];
            double[] x = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    x[j] += r.nextGaussian() + (j == t % d ? 0.5 : 0);
                    prev[i][j] = x[j];
                }
            }
            for (int l = 0; l < layers; l++) {
                double[][] next = new double[n][d];
                float[] v = new float[n * d];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        double s = 0.2 * r.nextGaussian();
                        for (int k = 0; k < d; k++) {
                            s += maps[l][j][k] * prev[i][k];
                        }
                        next[i][j] = s;
                        v[i * d + j] = (float) s;
                    }
                }
                rows.add(v);
                prev = next;
            }
            if (hookZ) {
                float[] z = new float[n * 8];
                for (int k = 0; k < z.length; k++) {
                    z[k] = (float) r.nextGaussian();
                }
                rows.add(z);
            }
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = i;
            }
            w.add(idPrefix + t, t % 2 == 0 ? "math" : "law", Json.mapper().createObjectNode(), List.of(1, 3, n - 2), n, positions, positions, rows);
        }
        w.finish();
        return out;
    }
}
