package org.scalelab.stats;

/**
 * A paired bootstrap of the difference of two models' means of a real-valued per-example metric on
 * the same examples.
 *
 * @param n examples
 * @param meanA A's mean
 * @param meanB B's mean
 * @param difference meanA − meanB
 * @param low lower end of the percentile interval at {@code level}
 * @param high upper end of the percentile interval
 * @param pValue two-sided bootstrap p-value of "no difference"
 * @param replicates bootstrap replicates
 * @param seed the seed the replicates were drawn with
 * @param level the interval's confidence level
 */
public record PairedBootstrapResult(int n, double meanA, double meanB, double difference, double low, double high,
                                    double pValue, int replicates, long seed, double level) {}
