package org.scalelab.geometry;

import java.util.Arrays;

/**
 * An in-memory point set read in blocks that counts the passes and blocks an algorithm asks for,
 * checks every block respects the requested size, and hands each block in a fresh array that is
 * overwritten with NaN once the visitor returns: an algorithm that kept a block instead of copying
 * what it needs would compute from NaN. Rows held whole would need a pass that copies them all; the
 * sampled paths only ever copy the sampled rows (tests compare {@link #rowsCopiedAtMost}).
 */
final class CountingBlocks implements PointBlocks {
    private final PointBlocks inner;
    int passes;
    long blocks;
    int largestBlock;

    CountingBlocks(PointSet points) {
        this.inner = PointBlocks.of(points);
    }

    @Override
    public int dimension() {
        return inner.dimension();
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public long[] trajectoryStarts() {
        return inner.trajectoryStarts();
    }

    @Override
    public int[] labels() {
        return inner.labels();
    }

    @Override
    public String source() {
        return inner.source();
    }

    @Override
    public void forEachBlock(int maxRows, Block visitor) {
        passes++;
        inner.forEachBlock(maxRows, (first, count, rows) -> {
            if (count > maxRows) {
                throw new AssertionError("a block of " + count + " rows for at most " + maxRows);
            }
            blocks++;
            largestBlock = Math.max(largestBlock, count);
            float[] fresh = Arrays.copyOf(rows, count * dimension());
            visitor.accept(first, count, fresh);
            Arrays.fill(fresh, Float.NaN);
        });
    }
}
