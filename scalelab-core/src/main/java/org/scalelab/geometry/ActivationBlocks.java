package org.scalelab.geometry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.SafetensorsFile;

/**
 * One group's points of an activation set read from disk block by block: the same rows, in the
 * same order, with the same finite check and the same step pooling as the in-memory group
 * ({@link ActivationGroups.Unread#load}), but read shard by shard with positional reads (no
 * mapping), so that a pass holds one block of rows plus a read buffer of at most
 * {@link #READ_ROWS} rows, whatever the size of the set. Built by {@link ActivationGroups.Unread#blocks}.
 */
public final class ActivationBlocks implements PointBlocks {
    /** Rows read from a shard per system call (one read buffer of this many rows is held besides the block). */
    static final int READ_ROWS = 256;

    /**
     * One trajectory to read: its set, its hook, and its step row starts (null for tokens).
     */
    record Segment(ActivationSet set, ActivationManifest.Trajectory trajectory, String hook, int[] steps) {
        /** Points this trajectory gives: its rows, or its steps. */
        int points() {
            return steps == null ? trajectory.rows() : steps.length;
        }
    }

    private final List<Segment> segments;
    private final int d;
    private final long size;
    private final long[] starts;
    private final int[] labels;
    private final StepPooling.Pool pool;
    private final String source;

    ActivationBlocks(List<Segment> segments, int d, int[] labels, StepPooling.Pool pool, String source) {
        this.segments = List.copyOf(segments);
        this.d = d;
        this.labels = labels;
        this.pool = pool == null ? StepPooling.Pool.MEAN : pool;
        this.source = source;
        long n = 0;
        long[] s = new long[segments.size()];
        for (int k = 0; k < s.length; k++) {
            s[k] = n;
            n += segments.get(k).points();
        }
        this.size = n;
        this.starts = n == 0 ? new long[0] : s;
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long[] trajectoryStarts() {
        return starts.clone();
    }

    @Override
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    @Override
    public String source() {
        return source;
    }

    /** Shards a pass opens, counted as (set, shard) changes along the trajectories: for progress. */
    public int shardVisits() {
        int visits = 0;
        ActivationSet set = null;
        int shard = -1;
        for (Segment s : segments) {
            if (s.set() != set || s.trajectory().shard() != shard) {
                visits++;
                set = s.set();
                shard = s.trajectory().shard();
            }
        }
        return visits;
    }

    @Override
    public void forEachBlock(int maxRows, Block visitor) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        if (size == 0) {
            return;
        }
        new Pass(maxRows, visitor).run();
    }

    /** One pass: the open shard, the read buffer, the block being filled. */
    private final class Pass {
        private final Block visitor;
        private final int blockRows;
        private final float[] block;
        private int filled;
        private long firstRow;
        private final ByteBuffer bytes = ByteBuffer.allocateDirect(READ_ROWS * d * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final float[] row;
        private final double[] sum;
        private SafetensorsFile shard;
        private ActivationSet shardSet;
        private int shardIndex = -1;

        Pass(int maxRows, Block visitor) {
            this.visitor = visitor;
            this.blockRows = (int) Math.min(maxRows, size);
            this.block = new float[Math.multiplyExact(blockRows, d)];
            this.row = new float[d];
            this.sum = new double[d];
        }

        void run() {
            try {
                for (Segment s : segments) {
                    read(s);
                }
                if (filled > 0) {
                    visitor.accept(firstRow, filled, block);
                }
            } finally {
                closeShard();
            }
        }

        /** Reads one trajectory's rows in order, checks each, and emits its points (rows or pooled steps). */
        private void read(Segment s) {
            ActivationManifest.Trajectory t = s.trajectory();
            if (t.rows() == 0 || (s.steps() != null && s.steps().length == 0)) {
                return;
            }
            SafetensorsFile f = open(s.set(), t.shard());
            requireShape(f, s);
            int[] steps = s.steps();
            int step = -1; // the step the current row belongs to (steps only)
            int stepRows = 0;
            for (int done = 0; done < t.rows(); ) {
                int k = Math.min(READ_ROWS, t.rows() - done);
                bytes.clear().limit(k * d * Float.BYTES);
                f.read(s.hook(), ((long) t.rowStart() + done) * d * Float.BYTES, bytes);
                FloatBuffer floats = bytes.flip().asFloatBuffer();
                for (int i = 0; i < k; i++) {
                    int r = done + i;
                    floats.get(i * d, row, 0, d);
                    for (int j = 0; j < d; j++) {
                        if (!Float.isFinite(row[j])) {
                            throw new InputException(s.set().dir() + ": trajectory \"" + t.id() + "\" position " + r + " at " + s.hook() + " has "
                                    + row[j] + " in column " + j + "; recapture or drop that prompt before computing geometry");
                        }
                    }
                    if (steps == null) {
                        emit(row);
                        continue;
                    }
                    if (step + 1 < steps.length && r == steps[step + 1]) {
                        step++;
                        stepRows = 0;
                        java.util.Arrays.fill(sum, 0);
                    }
                    if (step < 0) {
                        continue; // before the first step: in no step
                    }
                    int end = step + 1 < steps.length ? steps[step + 1] : t.rows();
                    stepRows++;
                    if (pool == StepPooling.Pool.MEAN) {
                        for (int j = 0; j < d; j++) {
                            sum[j] += row[j];
                        }
                    }
                    if (r == end - 1) {
                        if (pool == StepPooling.Pool.MEAN) {
                            for (int j = 0; j < d; j++) {
                                row[j] = (float) (sum[j] / stepRows);
                            }
                        }
                        emit(row);
                    }
                }
                done += k;
            }
        }

        private void emit(float[] point) {
            System.arraycopy(point, 0, block, filled * d, d);
            filled++;
            if (filled == blockRows) {
                visitor.accept(firstRow, filled, block);
                firstRow += filled;
                filled = 0;
            }
        }

        /**
         * The shard's tensor must still be what the manifest says (it was checked when the set was
         * opened; a shard rewritten since would otherwise be read at the wrong offsets).
         */
        private void requireShape(SafetensorsFile f, Segment s) {
            org.scalelab.io.TensorInfo info = f.tensors().get(s.hook());
            long rows = s.set().manifest().shards().get(s.trajectory().shard()).rows();
            if (info == null || info.dtype() != org.scalelab.io.DType.F32 || info.shape().length != 2 || info.shape()[0] != rows
                    || info.shape()[1] != d) {
                throw new InputException(f.path() + ": tensor '" + s.hook() + "' is "
                        + (info == null ? "missing" : info.dtype() + " " + info.shapeString()) + ", the manifest says F32 [" + rows + ", " + d
                        + "] (the shard changed after the set was opened, or its width disagrees with d_model)");
            }
        }

        private SafetensorsFile open(ActivationSet set, int index) {
            if (set == shardSet && index == shardIndex) {
                return shard;
            }
            closeShard();
            Path file = set.dir().resolve(set.manifest().shards().get(index).file());
            shard = SafetensorsFile.open(file);
            shardSet = set;
            shardIndex = index;
            return shard;
        }

        private void closeShard() {
            if (shard != null) {
                shard.close();
                shard = null;
                shardSet = null;
                shardIndex = -1;
            }
        }
    }
}
