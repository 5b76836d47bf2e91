package org.scalelab.eval;

import java.util.List;

/**
 * What {@code scalelab eval} reports: the model (its folder name, family and parameter count) and
 * each task's metrics; the JSON form is {@code {"model", "family", "params", "tasks": [{"task", "n",
 * "metrics": {"acc": {"value", "stderr"}, …}}]}}.
 *
 * @param resumed examples scored by an earlier, interrupted run of the same evaluation
 * @param rolling perplexity of plain-text files ({@code --rolling}); empty when none was asked for
 */
public record EvalResult(String model, String family, long params, String norm, List<TaskScore> tasks, int resumed,
                         List<RollingScore> rolling) {
    public EvalResult {
        tasks = List.copyOf(tasks);
        rolling = List.copyOf(rolling);
    }
}
