package org.scalelab.geometry;

/**
 * A metric's value, or {@code null} with the reason it cannot be computed for this input (too few
 * points, no trajectories, one label, ...). Never a silently wrong number.
 */
public record MetricValue(Double value, String reason) {
    public static MetricValue of(double value) {
        return new MetricValue(value, null);
    }

    public static MetricValue missing(String reason) {
        return new MetricValue(null, reason);
    }

    public boolean present() {
        return value != null;
    }
}
