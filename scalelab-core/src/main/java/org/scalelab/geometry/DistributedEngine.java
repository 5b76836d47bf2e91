package org.scalelab.geometry;

import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import org.scalelab.InputException;

/**
 * A geometry engine that runs on a cluster (the Spark module's), found on the class path through
 * {@link ServiceLoader} ({@code META-INF/services/org.scalelab.geometry.DistributedEngine}), so the
 * command line reaches it without depending on it. It gives the result the single-machine engine
 * gives ({@link GeometryAnalysis#analyze(GeometryAnalysis.Groups, GeometryAnalysis.Options)}) for
 * the metrics it computes; the others are null with their reason.
 */
public interface DistributedEngine {
    /**
     * What to analyse.
     *
     * @param master          where to run: {@code local[2]}, {@code spark://host:7077}, {@code yarn}
     * @param sets            activation-set folders as paths or URIs ({@code file:}, {@code hdfs:}, {@code s3a:})
     * @param groups          how trajectories are grouped, the hook, the unit
     * @param allowIncomplete analyse sets whose capture was interrupted (recorded under {@code incomplete_inputs})
     * @param compareSizes    phase verdicts between consecutive sizes per domain
     */
    record Request(String master, List<String> sets, ActivationGroups.Options groups, boolean allowIncomplete, boolean compareSizes) {
        public Request {
            sets = List.copyOf(sets);
        }
    }

    /** The engine's name, for messages ({@code spark}). */
    String name();

    /** Every group's metrics, as {@link GeometryAnalysis} gives them; bad input is an {@link InputException}. */
    GeometryAnalysis.Result geometry(Request request, GeometryAnalysis.Options options);

    /** The engine on the class path, or a refusal saying how to put it there. */
    static DistributedEngine find(String howToGetIt) {
        Iterator<DistributedEngine> it = ServiceLoader.load(DistributedEngine.class).iterator();
        if (!it.hasNext()) {
            throw new InputException(howToGetIt);
        }
        return it.next();
    }
}
