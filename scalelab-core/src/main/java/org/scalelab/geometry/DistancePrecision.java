package org.scalelab.geometry;

/**
 * Arithmetic of the cross term in pairwise distances. AUTO (default) takes FLOAT32 for the silhouette
 * (for the reasons below) and, for TwoNN and tangling, float32 candidates measured exactly in float64
 * ({@link TwoNN#filteredRatios}, {@link TrajectoryTangling}). FLOAT64 agrees with scikit-learn to ~1e-12 relative
 * per distance. FLOAT32 runs the products through sgemm, which packs twice as many numbers into each
 * vector instruction as dgemm;
 * its error in a squared distance is ~1e-7·√d relative to the squared norms of the centred rows.
 * The silhouette centres each row on its own cluster's mean ({@link SquaredDistances}: only
 * x'_i·x'_j of the cluster-centred rows comes from sgemm, the rest is float64), so that error is
 * relative to the clusters' spread and its score stays within 1e-6 of scikit-learn's even for tight
 * clusters far apart. TwoNN (no labels) centres on the global mean: tight clusters far from each
 * other lose their small distances there.
 */
public enum DistancePrecision {
    AUTO,
    FLOAT64,
    FLOAT32;

    /**
     * The silhouette's arithmetic: AUTO is FLOAT32 (cluster-centred, so within 1e-6 of scikit-learn, and its
     * GEMM is the cheaper one; timings of both in BENCHMARKS.md, "Reasoning geometry").
     */
    DistancePrecision forSilhouette() {
        return this == AUTO ? FLOAT32 : this;
    }

    /** The arithmetic of a plain TwoNN pass: AUTO is FLOAT64 (its nearest-neighbour distances are the ones float32 would cancel). */
    DistancePrecision forNeighbours() {
        return this == AUTO ? FLOAT64 : this;
    }
}
