/**
 * Capability phases: do two capabilities (e.g. reasoning and truthfulness) compete or cooperate, and at
 * what model size does that flip.
 *
 * <p>Reading order, from benchmark score tables:
 * <ol>
 * <li>{@link org.scalelab.phase.ScoreTable} — models of families with two scores (and optional standard
 *     errors, widths, more benchmarks), checked on the way in;
 * <li>{@link org.scalelab.phase.ScoreCoupling} — the analysis: γ12 per consecutive size with its phase,
 *     Pearson r per family, width normalisation against its permutation null, benchmark-space dimension;
 * <li>{@link org.scalelab.phase.CriticalSize} — the critical size by the quadratic vertex and by the γ12
 *     zero, each with its bootstrap;
 * <li>{@link org.scalelab.phase.QuadraticFit} and {@link org.scalelab.phase.PearsonInterval} — the two
 *     small statistics they rest on.
 * </ol>
 *
 * <p>Inside a model: {@link org.scalelab.phase.LabelledPoints} (two classes of prompts pooled at a hook)
 * → {@link org.scalelab.phase.CapabilityDirections} (difference of means, PCA of paired differences,
 * {@link org.scalelab.phase.LogisticProbe}; held-out accuracy and stability).
 */
package org.scalelab.phase;
