package org.scalelab.eval;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import org.scalelab.InputException;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;

/**
 * Capture and evaluation on a cluster (the Spark module's), found on the class path through
 * {@link ServiceLoader} ({@code META-INF/services/org.scalelab.eval.DistributedRuns}), so the command
 * line reaches them without depending on that module. Each gives what the single-machine run gives:
 * the activation set {@link Capture#run} writes, the scores {@link Evaluation#run} computes.
 */
public interface DistributedRuns {
    /** The engine's name, for messages ({@code spark}). */
    String name();

    /**
     * Captures {@code prompts} into the new activation set {@code out} (which must not exist) on {@code master}
     * ({@code local[2]}, {@code spark://host:7077}, {@code yarn}) in at most {@code partitions} tasks (0: the
     * cluster's default parallelism); interventions are refused.
     */
    Capture.Summary capture(String master, Path model, ComputeDType dtype, Path prompts, Path out, Capture.Options options, int partitions);

    /** An evaluation's scores, and the model's family ({@code model_type}) and parameter count. */
    record Scores(String family, long parameterCount, Evaluation.Result result) {
    }

    /**
     * Scores {@code tasks} as {@code eval} does ({@code batch}, {@code maxLength} null for the model's,
     * {@code addBos} as {@code --add-bos}), on {@code master} in at most {@code partitions} tasks (0: the default).
     */
    Scores eval(String master, Path model, ComputeDType dtype, List<Path> tasks, Evaluation.Options options, int batch, Integer maxLength,
                boolean addBos, int partitions);

    /** The engine on the class path, or a refusal saying how to put it there. */
    static DistributedRuns find(String howToGetIt) {
        Iterator<DistributedRuns> it = ServiceLoader.load(DistributedRuns.class).iterator();
        if (!it.hasNext()) {
            throw new InputException(howToGetIt);
        }
        return it.next();
    }
}
