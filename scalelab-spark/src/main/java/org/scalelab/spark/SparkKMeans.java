package org.scalelab.spark;

import org.apache.spark.api.java.JavaRDD;
import org.scalelab.geometry.ClusterSelection;
import org.scalelab.geometry.KMeans;

/** k-means exactly as {@link KMeans} defines it, as map/reduce Lloyd passes. */
public final class SparkKMeans {
    private SparkKMeans() {}

    /** k-means of one group's blocks: greedy k-means++ seeding and Lloyd passes, the best of the restarts. */
    public static KMeans.Fit fit(JavaRDD<RowBlock> blocks, int k, long seed, KMeans.Options options) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * The k with the highest silhouette as {@link ClusterSelection#of} chooses it (k-means for each k,
     * best of {@link ClusterSelection#RESTARTS} seeds, one shared silhouette pass), or null with the reason.
     */
    public static ClusterSelection select(JavaRDD<RowBlock> blocks, ClusterSelection.Options options, String[] why) {
        throw new UnsupportedOperationException("not yet");
    }
}
