package org.scalelab.geometry;

/**
 * Arithmetic of the cross term in pairwise distances. FLOAT64 (default) agrees with scikit-learn to
 * ~1e-12 relative per distance; FLOAT32 runs the products through sgemm at about twice the speed,
 * with ~1e-7·√d relative error of each squared distance against the centred data's squared norms — fine
 * for spread-out data, not for tight clusters far apart, where distances are small next to norms.
 */
public enum DistancePrecision {
    FLOAT64,
    FLOAT32
}
