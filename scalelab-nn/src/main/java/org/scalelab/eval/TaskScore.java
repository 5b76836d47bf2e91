package org.scalelab.eval;

import java.util.Map;

/** A task's aggregates: n and the metrics by name ("acc", "acc_norm", "mc1", "mc2"), in insertion order. */
public record TaskScore(String task, int n, Map<String, Metric> metrics) {}
