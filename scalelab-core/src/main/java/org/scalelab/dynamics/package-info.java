/**
 * Model-free detectors over learning curves: when an ability appears, whether it fades, and how it
 * scales. They read accuracy values at evaluation steps and need no tensor engine, so the controlled
 * world, the phase analyses and the dashboard share them.
 *
 * <p>Reading order, top to bottom:
 * <ul>
 *   <li>{@link org.scalelab.dynamics.Curve}: one run's accuracy at increasing steps, taken at
 *       {@link org.scalelab.dynamics.LogSteps}; {@link org.scalelab.dynamics.SeedInterval}: a mean over seeds
 *       with its t interval.</li>
 *   <li>{@link org.scalelab.dynamics.Emergence}, {@link org.scalelab.dynamics.Transience},
 *       {@link org.scalelab.dynamics.ScalingShape} (the law engine's shape test): each call tested against
 *       {@link org.scalelab.dynamics.BinomialNull} (curves simulated with binomial noise on the same examples and
 *       evaluation steps).</li>
 * </ul>
 */
package org.scalelab.dynamics;
