package org.scalelab.eval;

import java.util.List;

/** lm-evaluation-harness's multiple-choice metrics over a task's example scores. */
public final class TaskMetrics {
    private TaskMetrics() {}

    public static TaskScore compute(EvalTask task, List<ExampleScore> scores, LengthNorm norm) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Index of the chosen choice: argmax of the summed log-prob, the first on ties. */
    public static int chosen(ExampleScore s) {
        double[] lp = s.logprobs();
        int best = 0;
        for (int i = 1; i < lp.length; i++) {
            if (lp[i] > lp[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Whether the chosen choice is one of the example's golds. */
    public static boolean correct(EvalExample e, ExampleScore s) {
        int c = chosen(s);
        for (int g : e.gold()) {
            if (g == c) {
                return true;
            }
        }
        return false;
    }
}
