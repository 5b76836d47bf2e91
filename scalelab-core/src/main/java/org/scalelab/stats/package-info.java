/**
 * Statistics every analysis shares: the seeded pairs {@link org.scalelab.stats.Bootstrap} (resampling
 * and standard errors), {@link org.scalelab.stats.Quantiles} (numpy's linear quantile and percentile
 * intervals) and the {@link org.scalelab.stats.BootstrapSummary} a result reports. Nothing here knows
 * a law, a model or the store.
 */
package org.scalelab.stats;
