package org.scalelab.laws;

import java.util.List;

/**
 * A law's prediction at an x the user asked about, with the 95 % percentile interval of the bootstrap
 * fits' predictions. This is a confidence interval for the fitted curve, not a prediction interval
 * for a new noisy run (it omits the residual noise).
 */
public record CurveForecast(double x, Double y, List<Double> ci95) {}
