package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** An in-memory point set read in blocks gives back every row once, in order, whatever the block size. */
class PointBlocksTest {
    @Test
    void blocksCoverEveryRowInOrder() {
        Random r = new Random(3);
        float[][] rows = new float[23][5];
        for (float[] row : rows) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        PointSet p = PointSet.of(rows, "test").withTrajectories(new long[] {0, 10, 17}, "offsets");
        for (int maxRows : new int[] {1, 4, 23, 100}) {
            PointBlocks b = PointBlocks.of(p);
            assertEquals(23, b.size());
            assertEquals(5, b.dimension());
            assertArrayEquals(new long[] {0, 10, 17}, b.trajectoryStarts());
            List<float[]> seen = new ArrayList<>();
            long[] next = {0};
            b.forEachBlock(maxRows, (first, count, block) -> {
                assertEquals(next[0], first);
                for (int i = 0; i < count; i++) {
                    float[] row = new float[5];
                    System.arraycopy(block, i * 5, row, 0, 5);
                    seen.add(row);
                }
                next[0] += count;
            });
            assertEquals(23, seen.size());
            for (int i = 0; i < 23; i++) {
                assertArrayEquals(rows[i], seen.get(i));
            }
        }
    }
}
