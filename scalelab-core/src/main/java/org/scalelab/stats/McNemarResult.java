package org.scalelab.stats;

/**
 * McNemar's exact test of two models' 0/1 outcomes on the same examples, with the difference in
 * accuracy (A − B) and its interval at {@code level}.
 *
 * @param n examples
 * @param bothCorrect examples both got right
 * @param onlyA examples A got right and B wrong (discordant)
 * @param onlyB examples B got right and A wrong (discordant)
 * @param bothWrong examples both got wrong
 * @param accuracyA A's accuracy
 * @param accuracyB B's accuracy
 * @param difference accuracyA − accuracyB = (onlyA − onlyB) / n
 * @param low lower end of the difference's interval
 * @param high upper end of the difference's interval
 * @param pValue two-sided exact binomial p-value on the discordant pairs (1 when there are none)
 * @param level the interval's confidence level
 */
public record McNemarResult(int n, int bothCorrect, int onlyA, int onlyB, int bothWrong, double accuracyA,
                            double accuracyB, double difference, double low, double high, double pValue,
                            double level) {}
