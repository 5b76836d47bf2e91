package org.scalelab.geometry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.io.Json;

/**
 * Every layer at once against one analysis per hook, for bench/bench_geometry_layers.sh; prints one
 * JSON line.
 * Usage: LayerProfileBench generate DIR LAYERS POINTS D [ROWS_PER_TRAJECTORY]
 *        | LayerProfileBench profile DIR [--nulls N] [--bootstrap B] [--cka on|off]
 *        | LayerProfileBench loop DIR [--nulls N] [--bootstrap B]
 *        | LayerProfileBench read-once DIR | LayerProfileBench read-per-hook DIR
 * "profile" opens the set once and runs {@link LayerProfile} on blocks.*.hook_resid_post (one pass over
 * the shards for every layer, and the consecutive-layer CKA it computes; --cka off leaves the CKA out,
 * so the profile does exactly the loop's work). "loop" does what a user running the one-hook analysis once per layer
 * does inside one process: per hook, open the set (checking every shard), read that hook's rows and
 * analyse them. Both use the same options: k-means silhouette off (the points carry no labels), tangling
 * skipped above 2 times (it is O(times²) per layer), TwoNN and the PCA metrics computed.
 * "read-once" and "read-per-hook" time the reading alone: every hook's points gathered in one pass
 * ({@link ActivationGroups#ofLayers}) against, per hook, opening the set and gathering that hook.
 */
public final class LayerProfileBench {
    private LayerProfileBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("generate")) {
            generate(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 100);
            return;
        }
        int nulls = 0;
        int bootstrap = 0;
        boolean cka = true;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--nulls")) {
                nulls = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--bootstrap")) {
                bootstrap = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--cka")) {
                cka = !args[++i].equals("off");
            }
        }
        GeometryAnalysis.Options options = GeometryAnalysis.Options.defaults().withNullReplicates(nulls).withBootstrap(bootstrap)
                .withKRange(2, 0).withTanglingMaxTimes(2).withSeed(1);
        ActivationGroups.Options grouping = new ActivationGroups.Options(null, List.of(ActivationGroups.Key.MODEL), null);
        String glob = "blocks.*.hook_resid_post";
        long t0 = System.nanoTime();
        double checksum = 0;
        int layers;
        if (args[0].equals("read-once")) {
            ActivationSet set = ActivationSet.open(dir);
            List<String> hooks = ActivationGroups.hooks(set, glob);
            layers = hooks.size();
            for (ActivationGroups.Input in : ActivationGroups.ofLayers(List.of(set), grouping, s -> hooks).get(0).inputs()) {
                checksum += in.points().get(in.points().size() - 1, 0);
            }
        } else if (args[0].equals("read-per-hook")) {
            List<String> hooks = ActivationGroups.hooks(ActivationSet.open(dir), glob);
            layers = hooks.size();
            for (String hook : hooks) {
                ActivationSet set = ActivationSet.open(dir);
                ActivationGroups.Input in = ActivationGroups.of(List.of(set), new ActivationGroups.Options(hook, grouping.by(), null)).get(0);
                checksum += in.points().get(in.points().size() - 1, 0);
            }
        } else if (args[0].equals("profile")) {
            ActivationSet set = ActivationSet.open(dir);
            LayerProfile.Result r = LayerProfile.analyze(new LayerProfile.Input(List.of(set), grouping, glob, List.of(), false), options, cka);
            layers = r.layers().size();
            for (LayerProfile.Layer l : r.layers()) {
                checksum += l.groups().get(0).participationRatio() + l.groups().get(0).twonn();
            }
        } else {
            List<String> hooks = ActivationGroups.hooks(ActivationSet.open(dir), glob);
            layers = hooks.size();
            for (String hook : hooks) {
                ActivationSet set = ActivationSet.open(dir);
                List<ActivationGroups.Input> groups = ActivationGroups.of(List.of(set),
                        new ActivationGroups.Options(hook, grouping.by(), null));
                GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Groups(groups, List.of(), false), options);
                checksum += r.groups().get(0).participationRatio() + r.groups().get(0).twonn();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "{\"mode\": \"%s\", \"layers\": %d, \"null_replicates\": %d, \"bootstrap\": %d, \"seconds\": %.3f, "
                + "\"checksum\": %.15g}%n", args[0], layers, nulls, bootstrap, seconds, checksum);
    }

    /**
     * A set of LAYERS blocks: POINTS rows of width D in trajectories of ROWS rows; each trajectory a
     * random walk with a power-law spectrum (column j scaled by 1/√(j+1)), layer L the walk times
     * (1 + L/10) plus fresh noise of sd 0.5, so layers differ and no metric is degenerate.
     */
    static void generate(Path dir, int layers, int points, int d, int rows) {
        List<String> hooks = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            hooks.add("blocks." + l + ".hook_resid_post");
        }
        ActivationManifest header = new ActivationManifest(ActivationManifest.FORMAT, ActivationManifest.VERSION, "models/bench-layers", "gpt2",
                1_000_000L, d, layers, hooks, "F32", "float32", false, "all", List.of(), false, List.of(), List.of(), null);
        ActivationSetWriter w = ActivationSetWriter.open(dir, header, 256L << 20);
        SplittableRandom r = new SplittableRandom(0);
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
            float[] walk = new float[rows * d];
            for (int j = 0; j < d; j++) {
                double x = r.nextDouble(-1, 1);
                for (int i = 0; i < rows; i++) {
                    x += r.nextDouble(-1, 1) * scale[j];
                    walk[i * d + j] = (float) x;
                }
            }
            List<float[]> perHook = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                float[] v = new float[rows * d];
                float a = 1 + l / 10f;
                for (int k = 0; k < v.length; k++) {
                    v[k] = a * walk[k] + (float) (0.5 * r.nextDouble(-1, 1));
                }
                perHook.add(v);
            }
            w.add("t" + t, null, labels, List.of(), rows, positions, positions, perHook);
        }
        w.finish();
    }
}
