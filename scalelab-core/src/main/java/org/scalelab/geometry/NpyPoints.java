package org.scalelab.geometry;

import java.nio.file.Path;
import org.scalelab.io.NpyFile;

/** Points for the geometry analyses from NumPy files ({@link NpyFile}): {@code .npy} points, offsets and labels, or one {@code .npz}. */
public final class NpyPoints {
    private NpyPoints() {}

    /**
     * Loads the points file ({@code .npy} or {@code .npz}) and the optional offsets and labels files,
     * and attaches them; an {@code .npz} may carry its own {@code trajectories} and {@code labels}.
     */
    public static PointSet load(Path points, Path trajectories, Path labels) {
        PointSet p;
        if (points.getFileName().toString().endsWith(".npz")) {
            NpyFile.Archive c = NpyFile.readNpz(points);
            p = of(c.points());
            if (trajectories == null && c.trajectories() != null) {
                p = p.withTrajectories(c.trajectories(), points + ":trajectories");
            }
            if (labels == null && c.labels() != null) {
                p = p.withLabels(c.labels(), points + ":labels");
            }
        } else {
            p = readPoints(points);
        }
        if (trajectories != null) {
            p = p.withTrajectories(NpyFile.readIntegers(trajectories), trajectories.toString());
        }
        if (labels != null) {
            p = p.withLabels(NpyFile.readIntegers(labels), labels.toString());
        }
        return p;
    }

    /** A 2-D float32/float64 {@code .npy} file as points (float32 files stay memory-mapped); every row must be finite. */
    public static PointSet readPoints(Path file) {
        return of(NpyFile.readMatrix(file));
    }

    private static PointSet of(NpyFile.Matrix m) {
        return PointSet.of(m.rowMajor(), m.rows(), m.columns(), m.source());
    }
}
