package org.scalelab.store;

import java.util.Map;

/** One stored run: its labels, scale (N, D, C) and metric values by name. */
public record RunRow(long runId, long importId, String model, String family, double params, double tokens, double compute,
        Map<String, Double> metrics) {
    public RunRow {
        metrics = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metrics));
    }
}
