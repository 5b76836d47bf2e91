package org.scalelab.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stored run: its labels, scale (N, D, C), training step, and metric values (with their standard
 * errors where known) by name. Tokens, compute and step are null when the run's source did not give
 * them (a score table with parameter counts alone).
 */
public record RunRow(long runId, long importId, String model, String family, double params, Double tokens, Double compute, Long step,
        Map<String, Double> metrics, Map<String, Double> stderr) {
    public RunRow {
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
        stderr = Collections.unmodifiableMap(new TreeMap<>(stderr == null ? Map.of() : stderr));
    }
}
