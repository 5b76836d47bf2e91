package org.scalelab.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.scalelab.InputException;

/**
 * The one reader of an activation set ({@code manifest.json} + {@code shard-NNNNN.safetensors},
 * format {@code scalelab-activations} v1), for the runtime and for analyses that never load the
 * model. The manifest is checked field by field ({@link ActivationManifest#readTree}); every shard
 * is validated as a whole safetensors file ({@link SafetensorsFile}) and each hook tensor must be
 * F32 [rows, d_model], or [rows, …row shape] for a hook the manifest's hook_shapes lists, as the manifest says. Hook tensors are memory-mapped when the set is opened
 * (one mapping per shard and hook, so reading a trajectory costs no system call); rows are copied
 * only into the arrays asked for.
 *
 * <pre>{@code
 * try (ActivationSet set = ActivationSet.open(Path.of("lab/activations/run1"))) {
 *     for (ActivationManifest.Trajectory t : set.trajectories()) {
 *         float[][] rows = set.rows("blocks.1.hook_resid_post", t); // [rows][d_model]
 *     }
 * }
 * }</pre>
 */
public final class ActivationSet implements AutoCloseable {
    private final Path dir;
    private final ActivationManifest manifest;
    /** Per shard: hook → its [rows, width] tensor, mapped read-only. */
    private final List<Map<String, FloatBuffer>> shardTensors;

    private ActivationSet(Path dir, ActivationManifest manifest, List<Map<String, FloatBuffer>> shardTensors) {
        this.dir = dir;
        this.manifest = manifest;
        this.shardTensors = shardTensors;
    }

    /** Opens the complete set in {@code dir}; an interrupted capture is refused (see {@link #open(Path, boolean)}). */
    public static ActivationSet open(Path dir) {
        return open(dir, false);
    }

    /**
     * Opens the set in {@code dir}: reads and checks the manifest, validates every shard and checks
     * each hook tensor's dtype and shape. A set whose manifest does not say {@code "complete": true}
     * (a capture that was interrupted) is refused with one line saying how to finish it, unless
     * {@code allowIncomplete}: then it opens with the trajectories written so far.
     */
    public static ActivationSet open(Path dir, boolean allowIncomplete) {
        JsonNode tree = ActivationManifest.readTree(dir);
        if (!allowIncomplete) {
            ActivationManifest.requireComplete(dir, tree);
        }
        ActivationManifest manifest = ActivationManifest.of(dir, tree);
        List<Map<String, FloatBuffer>> shards = new ArrayList<>();
        for (ActivationManifest.Shard s : manifest.shards()) {
            shards.add(mapShard(dir.resolve(s.file()), manifest, s.rows()));
        }
        return new ActivationSet(dir, manifest, List.copyOf(shards));
    }

    private static Map<String, FloatBuffer> mapShard(Path shard, ActivationManifest manifest, int rows) {
        if (!Files.exists(shard)) {
            throw new InputException(shard + ": shard listed in the manifest is missing");
        }
        Map<String, FloatBuffer> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(shard)) {
            for (String hook : manifest.hooks()) {
                TensorInfo t = f.tensors().get(hook);
                if (t == null) {
                    throw new InputException(shard + ": tensor '" + hook + "' listed in the manifest is missing");
                }
                long[] shape = t.shape();
                int[] row = manifest.rowShape(hook);
                long[] expected = new long[1 + row.length];
                expected[0] = rows;
                for (int i = 0; i < row.length; i++) {
                    expected[1 + i] = row[i];
                }
                if (t.dtype() != DType.F32 || !java.util.Arrays.equals(shape, expected)) {
                    throw new InputException(shard + ": tensor '" + InputException.quote(hook) + "' is " + t.dtype() + " "
                            + shapeJson(shape) + ", the manifest says F32 " + java.util.Arrays.toString(expected) + " (mismatched d_model across shards?)");
                }
                if (t.byteLength() > Integer.MAX_VALUE) {
                    throw new InputException(shard + ": tensor '" + InputException.quote(hook) + "' holds " + t.byteLength()
                            + " bytes, more than one mapping holds (2 GiB); capture with a smaller --shard-mb");
                }
                out.put(hook, f.bytes(hook).asFloatBuffer());
            }
        }
        return out;
    }

    /** A shape as the safetensors header spells it: {@code [13,5]}. */
    private static String shapeJson(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return b.append(']').toString();
    }

    public Path dir() {
        return dir;
    }

    public ActivationManifest manifest() {
        return manifest;
    }

    /** Whether the capture finished; false only for a set opened with {@code allowIncomplete}. */
    public boolean complete() {
        return manifest.complete();
    }

    /** The checkpoint folder the activations came from. */
    public String model() {
        return manifest.model();
    }

    public long parameterCount() {
        return manifest.parameterCount();
    }

    public int dModel() {
        return manifest.dModel();
    }

    public List<String> hooks() {
        return manifest.hooks();
    }

    /** The shape of one row of {@code hook}: [d_model] for the residual-stream-wide hooks, e.g. [head, d_head] for hook_z. */
    public int[] rowShape(String hook) {
        return manifest.rowShape(hook);
    }

    /** Floats per row of {@code hook} (d_model for the residual-stream-wide hooks). */
    public int width(String hook) {
        return manifest.width(hook);
    }

    /**
     * The rule that cut the texts into steps ({@code newline}, {@code sentence}, {@code marker:TEXT},
     * {@code regex:PATTERN}), or null when the step boundaries came from the prompts file (and, for a
     * generation, from where generation starts) alone.
     */
    public String stepRule() {
        return manifest.stepRule();
    }

    public List<ActivationManifest.Trajectory> trajectories() {
        return manifest.trajectories();
    }

    /**
     * The mapped tensor of {@code hook} in the trajectory's shard, [shard rows, width] row-major,
     * read-only: the trajectory's row i starts at {@code (t.rowStart() + i) * width(hook)}.
     */
    public FloatBuffer tensor(String hook, ActivationManifest.Trajectory t) {
        FloatBuffer b = shardTensors.get(t.shard()).get(hook);
        if (b == null) {
            throw new InputException(dir + ": hook '" + hook + "' was not captured; captured: " + manifest.hooks());
        }
        return b;
    }

    /** The trajectory with {@code id}. */
    public ActivationManifest.Trajectory trajectory(String id) {
        for (ActivationManifest.Trajectory t : manifest.trajectories()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new InputException(dir + ": no trajectory with id \"" + id + "\"");
    }

    /**
     * One trajectory's rows at {@code hook}: [rows][width] (each row its {@link #rowShape} flattened
     * row-major), row i at token position firstPosition + i.
     */
    public float[][] rows(String hook, ActivationManifest.Trajectory t) {
        int d = manifest.width(hook);
        FloatBuffer all = tensor(hook, t);
        float[][] out = new float[t.rows()][d];
        for (int i = 0; i < t.rows(); i++) {
            all.get((t.rowStart() + i) * d, out[i]);
        }
        return out;
    }

    /**
     * The mean row at {@code hook} over the trajectories {@code which} accepts (every row of each),
     * accumulated in double. A difference of two such means is the usual "difference of means"
     * steering direction (Marks &amp; Tegmark 2023, "The Geometry of Truth", §4; Arditi et al. 2024, §2.2).
     */
    public float[] meanRow(String hook, Predicate<ActivationManifest.Trajectory> which) {
        double[] sum = new double[manifest.width(hook)];
        long n = 0;
        for (ActivationManifest.Trajectory t : manifest.trajectories()) {
            if (!which.test(t)) {
                continue;
            }
            for (float[] row : rows(hook, t)) {
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += row[j];
                }
                n++;
            }
        }
        if (n == 0) {
            throw new InputException(dir + ": no rows selected at " + hook + " (the trajectory filter matched nothing)");
        }
        float[] mean = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        return mean;
    }

    /** mean(rows of {@code a}) − mean(rows of {@code b}) at {@code hook}: a steering direction for the runtime's interventions. */
    public float[] differenceOfMeans(String hook, Predicate<ActivationManifest.Trajectory> a, Predicate<ActivationManifest.Trajectory> b) {
        float[] ma = meanRow(hook, a);
        float[] mb = meanRow(hook, b);
        float[] d = new float[ma.length];
        for (int j = 0; j < d.length; j++) {
            d[j] = ma[j] - mb[j];
        }
        return d;
    }

    /**
     * Nothing to release: the shard files were closed once mapped, and the mappings go when the set
     * is collected. Kept so callers may scope a set in try-with-resources.
     */
    @Override
    public void close() {}
}
