/**
 * Learning curves as a person looks at them: long logged curves reduced to what a screen can draw
 * without hiding a spike, seeds of one configuration drawn as a mean with its band, and optional
 * smoothing. Pure functions over values; the store reads the points and the dashboard draws them.
 *
 * <p>Reading order:
 * <ul>
 *   <li>{@link org.scalelab.curves.StepSeries}: one metric of one run at increasing steps.</li>
 *   <li>{@link org.scalelab.curves.MinMaxDownsampling}: at most N points, per step bucket its first,
 *       last, lowest and highest point (M4), so a one-step spike always survives. The store runs the
 *       same buckets in SQL for curves too long to read ({@code LabStore.curve}).</li>
 *   <li>{@link org.scalelab.curves.SeedGroups}: runs whose settings differ only in the seed, as a mean
 *       per common step with its Student-t interval ({@link org.scalelab.dynamics.SeedInterval}).</li>
 *   <li>{@link org.scalelab.curves.DebiasedEma}: an exponential moving average corrected for its zero
 *       start, off unless asked for.</li>
 * </ul>
 */
package org.scalelab.curves;
