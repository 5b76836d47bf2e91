package org.scalelab.geometry;

/**
 * Participation ratio PR = (Σλ)² / Σλ² of the covariance eigenvalues (Gao et al. 2017, "A theory of
 * multineuronal dimensionality"; Recanatesi et al. 2022), computed without an eigendecomposition as
 * (tr C)² / ‖C‖²_F, since tr C = Σλ and ‖C‖²_F = Σλ² for symmetric C.
 */
public final class ParticipationRatio {
    private ParticipationRatio() {}

    public static MetricValue of(PointSet points) {
        if (points.size() < 2) {
            return MetricValue.missing("participation ratio needs at least 2 points, got " + points.size());
        }
        return of(Covariance.of(points));
    }

    static MetricValue of(Covariance c) {
        double tr = c.trace();
        double f2 = c.frobeniusSquared();
        if (!(tr > 0) || !(f2 > 0)) {
            return MetricValue.missing("all points are identical (zero variance)");
        }
        return MetricValue.of(tr * tr / f2);
    }
}
