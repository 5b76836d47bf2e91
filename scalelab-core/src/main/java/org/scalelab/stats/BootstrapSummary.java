package org.scalelab.stats;

/**
 * How the uncertainty was estimated: a pairs bootstrap of {@code replicates} resamples drawn with
 * {@code seed} (see {@link Bootstrap}); {@code succeeded} counts replicates whose refit converged.
 * Intervals are percentile intervals over the succeeded replicates only.
 */
public record BootstrapSummary(int replicates, int succeeded, long seed) {}
