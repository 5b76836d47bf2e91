/**
 * Statistics every analysis shares: the seeded pairs {@link org.scalelab.stats.Bootstrap} (resampling
 * and standard errors), {@link org.scalelab.stats.Quantiles} (numpy's linear quantile and percentile
 * intervals), the {@link org.scalelab.stats.BootstrapSummary} a result reports, and
 * {@link org.scalelab.stats.PairedComparison} (two models on the same examples: McNemar's exact test with
 * Newcombe's interval, a paired bootstrap), and {@link org.scalelab.stats.RankCorrelation} (Spearman's ρ and
 * the partial rank correlation). Nothing here knows a law, a model or the store.
 */
package org.scalelab.stats;
