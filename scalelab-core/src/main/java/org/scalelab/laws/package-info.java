/**
 * Scaling laws and test-time scaling: fits with honest statuses, bootstrap intervals, forecasts and
 * extrapolation backtests. No CLI and no rendering here; results are immutable records
 * with their provenance and one JSON form (rendered by the app's {@code report} package).
 *
 * <p>Reading order for the single-variable laws:
 * <ol>
 *   <li>{@link org.scalelab.laws.CurveLaw} — what a law is: parameter names, value, how its parameters
 *       are estimated, its own verdict;</li>
 *   <li>{@link org.scalelab.laws.CurveFitter} — the one pipeline every law goes through (checks,
 *       least squares, status, bootstrap, forecasts, {@link org.scalelab.laws.Backtest}, the choice
 *       of a number of breaks), giving a {@link org.scalelab.laws.CurveFitResult};</li>
 *   <li>{@link org.scalelab.laws.CurveFit} — multi-start Levenberg–Marquardt and input checks;</li>
 *   <li>the laws: {@link org.scalelab.laws.PowerLawFit}, {@link org.scalelab.laws.SigmoidFit},
 *       {@link org.scalelab.laws.BrokenPowerLawFit}, {@link org.scalelab.laws.ExponentialDecayFit}
 *       (the smallest: read it to add a law).</li>
 * </ol>
 * The two-variable Chinchilla law has its own objective and optimiser ({@link org.scalelab.laws.ChinchillaFit},
 * {@link org.scalelab.laws.ChinchillaObjective}, {@link org.scalelab.laws.Lbfgs}) and
 * {@link org.scalelab.laws.ComputeOptimal} turns it into forecasts. {@link org.scalelab.laws.ShapeTest}
 * asks whether a metric is monotone. Test-time scaling: {@link org.scalelab.laws.PassAtK},
 * {@link org.scalelab.laws.CoverageCurve}, {@link org.scalelab.laws.MajorityVote},
 * {@link org.scalelab.laws.SamplingBudget}, {@link org.scalelab.laws.Reliability}. Bootstrap and
 * quantiles live in {@code org.scalelab.stats}.
 */
package org.scalelab.laws;
