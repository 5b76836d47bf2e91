package org.scalelab.model;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

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

    private ActivationSet(Path dir, ActivationManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Opens {@code dir}; an unfinished capture opens too, with the trajectories written so far. */
    public static ActivationSet open(Path dir) {
        ActivationSet set = new ActivationSet(dir, ActivationManifest.read(dir));
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
        FloatBuffer all = shards.get(t.shard()).bytes(hook).asFloatBuffer();
        float[][] out = new float[t.rows()][d];
        for (int i = 0; i < t.rows(); i++) {
            all.get((t.rowStart() + i) * d, out[i]);
        }
        return out;
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
