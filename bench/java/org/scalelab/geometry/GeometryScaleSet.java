package org.scalelab.geometry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * A synthetic activation set on which every metric of {@code scalelab geometry} is defined, for
 * bench/bench_spark_geometry.sh: one layer's {@code hook_attn_out}, {@code hook_mlp_out} (so the
 * oscillation coherence is computed) and {@code hook_resid_post} (the points), POINTS rows of width D in
 * trajectories of ROWS rows, with three reasoning steps each.
 * Usage: GeometryScaleSet DIR POINTS D [ROWS_PER_TRAJECTORY]   (default 100 rows a trajectory)
 *
 * <p>The residual stream is {@link LayerProfileBench}'s random walk: column j's steps scaled by
 * 1/√(j+1) (a power-law spectrum, so the participation ratio and d90 are not degenerate) plus fresh noise
 * of sd 0.5. The attention and MLP updates are the walk's steps split into two parts that partly cancel
 * (a · step + noise and (1 − a) · step − noise with a per-trajectory a), so their norms co-vary. The same
 * seed gives the same bytes, and a set of fewer POINTS holds the first trajectories of a larger one.
 */
public final class GeometryScaleSet {
    private GeometryScaleSet() {}

    public static void main(String[] args) {
        generate(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 100);
    }

    static void generate(Path dir, int points, int d, int rows) {
        List<String> hooks = List.of("blocks.0.hook_attn_out", "blocks.0.hook_mlp_out", "blocks.0.hook_resid_post");
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/bench-scale", "gpt2",
                1_000_000L, d, 1, hooks, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        ActivationSetWriter w = ActivationSetWriter.open(dir, header, 256L << 20);
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            scale[j] = 1 / Math.sqrt(j + 1);
        }
        int[] positions = new int[rows];
        for (int i = 0; i < rows; i++) {
            positions[i] = i;
        }
        ObjectNode labels = Json.mapper().createObjectNode();
        for (int t = 0; t * rows < points; t++) {
            // One stream per trajectory: a smaller set's trajectories are a larger one's first ones.
            SplittableRandom r = new SplittableRandom(t);
            float[] resid = new float[rows * d];   // [rows, d]
            float[] attn = new float[rows * d];    // [rows, d]
            float[] mlp = new float[rows * d];     // [rows, d]
            double a = r.nextDouble(0.2, 0.8);
            for (int j = 0; j < d; j++) {
                double x = r.nextDouble(-1, 1);
                for (int i = 0; i < rows; i++) {
                    double step = r.nextDouble(-1, 1) * scale[j];
                    double noise = 0.1 * r.nextDouble(-1, 1) * scale[j];
                    x += step;
                    resid[i * d + j] = (float) (x + 0.5 * r.nextDouble(-1, 1));
                    attn[i * d + j] = (float) (a * step + noise);
                    mlp[i * d + j] = (float) ((1 - a) * step - noise);
                }
            }
            w.add("t" + t, null, labels, List.of(0, rows / 3, 2 * rows / 3), rows, positions, positions, List.of(attn, mlp, resid));
        }
        w.finish();
    }
}
