package org.scalelab.eval;

/** A task metric: its mean over examples and its standard error as lm-eval computes it (sample standard deviation / √n; NaN for n < 2). */
public record Metric(double value, double stderr) {}
