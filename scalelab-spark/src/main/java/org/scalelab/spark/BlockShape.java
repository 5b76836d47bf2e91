package org.scalelab.spark;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.scalelab.InputException;

/**
 * What one pass learns about a group's blocks before an analysis starts: the group, the width of its
 * rows, how many rows, how many trajectories (the highest trajectory index + 1; 0 when no row is in
 * one) and whether every row is labelled. The same pass checks that the blocks are one group's rows
 * 0 .. n − 1 of one width, and says in one line what is wrong otherwise.
 */
record BlockShape(String group, int dimension, long rows, int trajectories, boolean labelled) {

    /** The shape of {@code blocks}, or an {@link InputException} naming what disagrees. */
    static BlockShape of(JavaRDD<RowBlock> blocks) {
        Tally t = blocks.treeAggregate(new Tally(), Tally::add, Tally::merge);
        if (t.rows == 0) {
            throw new InputException("no points to analyse: the blocks hold no rows");
        }
        if (t.otherGroup != null) {
            throw new InputException("blocks of more than one group (" + InputException.quote(t.group) + ", "
                    + InputException.quote(t.otherGroup) + "): give the analysis one group's blocks");
        }
        if (t.otherDimension >= 0) {
            throw new InputException("rows of different widths in group " + InputException.quote(t.group) + ": " + t.dimension
                    + " (block at row " + t.dimensionRow + ") and " + t.otherDimension + " (block at row " + t.otherDimensionRow + ")");
        }
        if (t.end != t.rows || t.first != 0) {
            throw new InputException("group " + InputException.quote(t.group) + ": the blocks hold " + t.rows + " rows but span rows "
                    + t.first + " to " + (t.end - 1) + " (a block missing or repeated)");
        }
        return new BlockShape(t.group, t.dimension, t.rows, t.maxTrajectory + 1, !t.unlabelled);
    }

    /** The row count as an int (the analyses index points by int, as the in-memory engine does). */
    int size() {
        if (rows > Integer.MAX_VALUE - 8) {
            throw new InputException("group " + InputException.quote(group) + " has " + rows + " rows, above the "
                    + (Integer.MAX_VALUE - 8) + " an analysis indexes");
        }
        return (int) rows;
    }

    /** The partial shape of some blocks, merged as the pass goes. */
    static final class Tally implements Serializable {
        String group;
        String otherGroup;
        int dimension = -1;
        long dimensionRow;
        int otherDimension = -1;
        long otherDimensionRow;
        long rows;
        long first = Long.MAX_VALUE;
        long end;
        int maxTrajectory = -1;
        boolean unlabelled;

        Tally add(RowBlock b) {
            Tally one = new Tally();
            one.group = b.group();
            one.dimension = b.dimension();
            one.dimensionRow = b.firstRow();
            one.rows = b.count();
            if (b.count() > 0) {
                one.first = b.firstRow();
                one.end = b.firstRow() + b.count();
            }
            for (int i = 0; i < b.count(); i++) {
                one.maxTrajectory = Math.max(one.maxTrajectory, b.trajectory()[i]);
                one.unlabelled |= b.label()[i] < 0;
            }
            return merge(one);
        }

        Tally merge(Tally o) {
            if (o.group == null) {
                return this;
            }
            if (group == null) {
                return o;
            }
            if (otherGroup == null && !o.group.equals(group)) {
                otherGroup = o.group;
            }
            if (otherGroup == null && o.otherGroup != null) {
                otherGroup = o.otherGroup;
            }
            if (otherDimension < 0 && o.dimension != dimension) {
                otherDimension = o.dimension;
                otherDimensionRow = o.dimensionRow;
            }
            if (otherDimension < 0 && o.otherDimension >= 0) {
                otherDimension = o.otherDimension;
                otherDimensionRow = o.otherDimensionRow;
            }
            rows += o.rows;
            first = Math.min(first, o.first);
            end = Math.max(end, o.end);
            maxTrajectory = Math.max(maxTrajectory, o.maxTrajectory);
            unlabelled |= o.unlabelled;
            return this;
        }
    }
}
