package org.scalelab.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run that does not come from a table of runs: one lm-evaluation-harness result file, one
 * {@code scalelab eval}. Tokens, compute and step may be null (a score of a released model whose
 * training data is not stated); params may be null only when tokens and compute are both given
 * (then N = C / 6D).
 *
 * @param model   the model's name, e.g. {@code EleutherAI/pythia-1.4b} (a label; may be null)
 * @param family  grouping label, e.g. {@code pythia} (may be null)
 * @param params  parameter count N
 * @param tokens  training tokens D, or null
 * @param compute training compute C in FLOPs, or null
 * @param step    training step of the checkpoint, or null
 * @param metrics metric name → value, e.g. {@code arc_easy/acc → 0.61}, in the order they are reported
 * @param stderr  metric name → standard error of that metric's value, for the metrics that have one
 */
public record RunRecord(String model, String family, Double params, Double tokens, Double compute, Long step,
        Map<String, Double> metrics, Map<String, Double> stderr) {
    public RunRecord {
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        stderr = stderr == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(stderr));
    }
}
