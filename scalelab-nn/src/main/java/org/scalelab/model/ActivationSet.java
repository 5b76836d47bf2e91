package org.scalelab.model;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.scalelab.InputException;
import org.scalelab.geometry.ActivationSetFile;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * A captured activation set, for analyses that never load the model: the manifest plus the
 * shards, memory-mapped (rows are copied out only when asked for).
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
    private final List<SafetensorsFile> shards = new ArrayList<>();
    /** One mapping per (shard, hook), made on first use: mapping per call would cost a syscall per trajectory. */
    private final Map<String, FloatBuffer> mapped = new HashMap<>();

    private ActivationSet(Path dir, ActivationManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Opens the complete set in {@code dir}; an interrupted capture is refused (see {@link #open(Path, boolean)}). */
    public static ActivationSet open(Path dir) {
        return open(dir, false);
    }

    /**
     * Opens {@code dir}. A set whose capture was interrupted (manifest {@code "complete": false}) is
     * refused with a message saying how to finish it, unless {@code allowIncomplete}: then it opens
     * with the trajectories written so far.
     */
    public static ActivationSet open(Path dir, boolean allowIncomplete) {
        ActivationManifest manifest = ActivationManifest.read(dir);
        if (!allowIncomplete && !manifest.complete()) {
            ActivationSetFile.requireComplete(dir, ActivationSetFile.readManifest(dir));
        }
        ActivationSet set = new ActivationSet(dir, manifest);
        try {
            for (ActivationManifest.Shard s : set.manifest.shards()) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(s.file()));
                set.shards.add(f);
                for (String hook : set.manifest.hooks()) {
                    TensorInfo t = f.info(hook);
                    if (t.dtype() != DType.F32 || t.shape().length != 2 || t.shape()[0] != s.rows() || t.shape()[1] != set.manifest.dModel()) {
                        throw new InputException(f.path() + ": tensor '" + hook + "' is " + t.dtype() + " " + t.shapeString()
                                + ", the manifest says F32 [" + s.rows() + ", " + set.manifest.dModel() + "]");
                    }
                }
            }
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
        return set;
    }

    public Path dir() {
        return dir;
    }

    public ActivationManifest manifest() {
        return manifest;
    }

    public List<String> hooks() {
        return manifest.hooks();
    }

    public List<ActivationManifest.Trajectory> trajectories() {
        return manifest.trajectories();
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

    /** One trajectory's rows at {@code hook}: [rows][d_model], row i at token position firstPosition + i. */
    public float[][] rows(String hook, ActivationManifest.Trajectory t) {
        if (!manifest.hooks().contains(hook)) {
            throw new InputException(dir + ": hook '" + hook + "' was not captured; captured: " + manifest.hooks());
        }
        int d = manifest.dModel();
        FloatBuffer all = mapped.computeIfAbsent(t.shard() + "/" + hook, k -> shards.get(t.shard()).bytes(hook).asFloatBuffer());
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
        double[] sum = new double[manifest.dModel()];
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

    /** mean(rows of {@code a}) − mean(rows of {@code b}) at {@code hook}: a direction for {@link Intervention}. */
    public float[] differenceOfMeans(String hook, Predicate<ActivationManifest.Trajectory> a, Predicate<ActivationManifest.Trajectory> b) {
        float[] ma = meanRow(hook, a);
        float[] mb = meanRow(hook, b);
        float[] d = new float[ma.length];
        for (int j = 0; j < d.length; j++) {
            d[j] = ma[j] - mb[j];
        }
        return d;
    }

    @Override
    public void close() {
        mapped.clear();
        shards.forEach(SafetensorsFile::close);
    }
}
