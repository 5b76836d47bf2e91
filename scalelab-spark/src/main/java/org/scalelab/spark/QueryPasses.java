package org.scalelab.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The blocked all-against-all pass of the nearest-neighbour jobs: the query rows (every row, or a
 * sample) are streamed to the driver in chunks; each chunk is broadcast, every block of data scores
 * it locally, and the per-block answers are tree-reduced into one answer for the chunk. Memory: one
 * chunk on the driver and in each executor, plus the answers; the data is read once per chunk, so it
 * is cached for the pass.
 */
final class QueryPasses {
    private QueryPasses() {}

    /** Bytes of query rows broadcast at a time. */
    static final long CHUNK_BYTES = 32L << 20;
    /** At most this many query rows at a time (the per-chunk answers grow with it). */
    static final int MAX_CHUNK_ROWS = 4096;

    /** Query rows per chunk for rows of {@code width} floats. */
    static int chunkRows(int width) {
        return (int) Math.max(1, Math.min(MAX_CHUNK_ROWS, CHUNK_BYTES / (4L * width)));
    }

    /**
     * Hands the rows of {@code data} whose ids are in {@code selected} (ascending; null: every row) to
     * {@code chunk}, at most {@code chunkRows} at a time, in the order the data's partitions hold them.
     * A sample is picked on the executors, so only its rows travel to the driver.
     */
    static void forEachChunk(JavaRDD<IndexedRows> data, long[] selected, int chunkRows, Consumer<IndexedRows> chunk) {
        long[] ids = new long[chunkRows];
        int[] tags = new int[chunkRows];
        float[] values = null;
        int width = -1;
        int filled = 0;
        Iterator<IndexedRows> it = (selected == null ? data : data.map(b -> b.only(selected))).toLocalIterator();
        while (it.hasNext()) {
            IndexedRows b = it.next();
            if (values == null) {
                width = b.width();
                values = new float[chunkRows * width];
            }
            for (int i = 0; i < b.count(); i++) {
                ids[filled] = b.ids()[i];
                tags[filled] = b.tags() == null ? -1 : b.tags()[i];
                System.arraycopy(b.values(), i * width, values, filled * width, width);
                if (++filled == chunkRows) {
                    chunk.accept(new IndexedRows(ids.clone(), tags.clone(), width, values.clone()));
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            chunk.accept(new IndexedRows(Arrays.copyOf(ids, filled), Arrays.copyOf(tags, filled), width,
                    Arrays.copyOf(values, filled * width)));
        }
    }

    /** Scores one block of data against the broadcast query chunk. */
    @FunctionalInterface
    interface Local<R> extends java.io.Serializable {
        R score(IndexedRows queries, IndexedRows block);
    }

    /** One chunk against all data: {@code local} on every block, the answers merged by {@code merge}. */
    static <R> R pass(JavaRDD<IndexedRows> data, IndexedRows queries, Local<R> local, Function2<R, R, R> merge) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.context());
        Broadcast<IndexedRows> q = sc.broadcast(queries);
        try {
            return data.map(block -> local.score(q.value(), block)).treeReduce(merge);
        } finally {
            q.destroy();
        }
    }

    /** {@code derived} (an RDD the job made) cached for the passes; the job unpersists it when done. */
    static <T> JavaRDD<T> cached(JavaRDD<T> derived) {
        return derived.persist(StorageLevel.MEMORY_AND_DISK());
    }
}
