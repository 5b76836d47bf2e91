package org.scalelab.geometry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.scalelab.InputException;

/**
 * Points [n, d] in row-major float32 (a memory-mapped .npy file or an array), with optional
 * trajectory start offsets and integer labels. Rows are validated finite when the set is built.
 *
 * <p>Trajectory {@code k} spans rows {@code [starts[k], starts[k+1])}, the last one up to {@code n};
 * without offsets the metrics that need trajectories report {@code null} with a reason.
 */
public final class PointSet {
    private final FloatBuffer data; // [n, d], row-major, native order
    private final int n;
    private final int d;
    private final int[] starts; // null: no trajectories
    private final int[] labels; // null: no labels
    private final String source;

    private PointSet(FloatBuffer data, int n, int d, int[] starts, int[] labels, String source) {
        this.data = data;
        this.n = n;
        this.d = d;
        this.starts = starts;
        this.labels = labels;
        this.source = source;
    }

    /** Wraps a row-major buffer [n, d]; checks every row is finite (the error names source and row). */
    public static PointSet of(FloatBuffer rowMajor, int n, int d, String source) {
        if (n < 0 || d <= 0) {
            throw new InputException(source + ": points must be a 2-D array [n_points, d] with d ≥ 1, got [" + n + ", " + d + "]");
        }
        if ((long) n * d > rowMajor.capacity()) {
            throw new InputException(source + ": expected " + ((long) n * d) + " values for shape [" + n + ", " + d
                    + "], found " + rowMajor.capacity() + " (file truncated?)");
        }
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                float v = rowMajor.get(base + j);
                if (!Float.isFinite(v)) {
                    throw new InputException(source + ": row " + i + " column " + j + " is " + v
                            + "; remove or repair non-finite rows before computing geometry");
                }
            }
        }
        return new PointSet(rowMajor, n, d, null, null, source);
    }

    /** Wraps a buffer whose values the caller has already checked finite (activation sets check while copying). */
    static PointSet trusted(FloatBuffer rowMajor, int n, int d, String source) {
        return new PointSet(rowMajor, n, d, null, null, source);
    }

    /**
     * The rows of the given trajectories, in that order (a trajectory may repeat: a bootstrap
     * replicate), copied into a new point set with their own offsets; labels follow their rows.
     */
    PointSet selectTrajectories(int[] which) {
        long total = 0;
        for (int k : which) {
            total += trajectoryEnd(k) - trajectoryStart(k);
        }
        FloatBuffer out = allocate(total * d);
        int[] s = new int[which.length];
        int[] l = labels == null ? null : new int[(int) total];
        int r = 0;
        float[] chunk = new float[0];
        for (int i = 0; i < which.length; i++) {
            int from = trajectoryStart(which[i]);
            int rows = trajectoryEnd(which[i]) - from;
            s[i] = r;
            if (chunk.length < rows * d) {
                chunk = new float[rows * d];
            }
            data.get(from * d, chunk, 0, rows * d);
            out.put(r * d, chunk, 0, rows * d);
            if (l != null) {
                System.arraycopy(labels, from, l, r, rows);
            }
            r += rows;
        }
        return new PointSet(out, r, d, s, l, source);
    }

    /** The same points with integer labels already checked (k-means clusters). */
    PointSet withLabels(int[] values) {
        if (values.length != n) {
            throw new IllegalArgumentException(values.length + " labels for " + n + " points");
        }
        return new PointSet(data, n, d, starts, values, source);
    }

    /** Copies a Java array [n][d] into a direct buffer (tests, baselines, small inputs). */
    public static PointSet of(float[][] rows, String source) {
        int n = rows.length;
        int d = n == 0 ? 1 : rows[0].length;
        FloatBuffer b = allocate((long) n * d);
        for (int i = 0; i < n; i++) {
            if (rows[i].length != d) {
                throw new InputException(source + ": row " + i + " has " + rows[i].length + " values, row 0 has " + d);
            }
            b.put(i * d, rows[i]);
        }
        return of(b, n, d, source);
    }

    static FloatBuffer allocate(long count) {
        if (count * Float.BYTES > Integer.MAX_VALUE) {
            throw new InputException("arrays above 2 GiB (" + count + " float32 values) are not supported yet; split the points into groups");
        }
        return ByteBuffer.allocateDirect((int) (count * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * The same points with trajectory start offsets: strictly increasing, the first 0, all below n.
     * The error names {@code offsetsSource} and the offending index.
     */
    public PointSet withTrajectories(long[] offsets, String offsetsSource) {
        if (offsets.length == 0) {
            throw new InputException(offsetsSource + ": no trajectory offsets; give at least [0]");
        }
        int[] s = new int[offsets.length];
        for (int k = 0; k < offsets.length; k++) {
            long o = offsets[k];
            if (k == 0 && o != 0) {
                throw new InputException(offsetsSource + ": the first trajectory offset must be 0, got " + o);
            }
            if (o < 0 || o >= n) {
                throw new InputException(offsetsSource + ": offset " + k + " = " + o + " is outside [0, " + n + ") rows of " + source);
            }
            if (k > 0 && o <= offsets[k - 1]) {
                throw new InputException(offsetsSource + ": offsets must increase strictly; offset " + k + " = " + o
                        + " follows " + offsets[k - 1]);
            }
            s[k] = (int) o;
        }
        return new PointSet(data, n, d, s, labels, source);
    }

    /** The same points with one integer label per row; the error names the file and the length mismatch. */
    public PointSet withLabels(long[] values, String labelsSource) {
        if (values.length != n) {
            throw new InputException(labelsSource + ": " + values.length + " labels for " + n + " points in " + source
                    + "; give exactly one label per row");
        }
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            if (values[i] < Integer.MIN_VALUE || values[i] > Integer.MAX_VALUE) {
                throw new InputException(labelsSource + ": label at row " + i + " = " + values[i] + " does not fit in int32");
            }
            l[i] = (int) values[i];
        }
        return new PointSet(data, n, d, starts, l, source);
    }

    PointSet withData(FloatBuffer other) {
        return new PointSet(other, n, d, starts, labels, source);
    }

    public int size() {
        return n;
    }

    public int dimension() {
        return d;
    }

    public String source() {
        return source;
    }

    public boolean hasTrajectories() {
        return starts != null;
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** Number of trajectories (0 without offsets). */
    public int trajectoryCount() {
        return starts == null ? 0 : starts.length;
    }

    /** First row of trajectory k. */
    public int trajectoryStart(int k) {
        return starts[k];
    }

    /** One past the last row of trajectory k. */
    public int trajectoryEnd(int k) {
        return k + 1 < starts.length ? starts[k + 1] : n;
    }

    int[] labels() {
        return labels;
    }

    /** The label of row i (only when {@link #hasLabels()}). */
    public int label(int i) {
        return labels[i];
    }

    public float get(int row, int col) {
        return data.get(row * d + col);
    }

    /** Copies row i into dst[0..d). */
    void row(int i, float[] dst) {
        data.get(i * d, dst, 0, d);
    }

    /** Row i as doubles into dst[0..d). */
    void row(int i, double[] dst) {
        int base = i * d;
        for (int j = 0; j < d; j++) {
            dst[j] = data.get(base + j);
        }
    }

    /** The raw buffer (direct, native order, row-major); callers must not write to it. */
    FloatBuffer buffer() {
        return data;
    }

    @Override
    public String toString() {
        return "PointSet[" + source + ", " + n + " × " + d + (starts == null ? "" : ", " + starts.length + " trajectories")
                + (labels == null ? "" : ", labels " + Arrays.stream(labels).distinct().count() + " distinct") + "]";
    }
}
