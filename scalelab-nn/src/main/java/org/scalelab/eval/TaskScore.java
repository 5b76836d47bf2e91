package org.scalelab.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A task's aggregates: n and the metrics by name ({@link TaskMetrics#NAMES}), in report order. */
public record TaskScore(String task, int n, Map<String, Metric> metrics) {
    public TaskScore {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
