package org.scalelab.eval;

/** A task metric: its mean over examples and its standard error (sample standard deviation / √n). */
public record Metric(double value, double stderr) {}
