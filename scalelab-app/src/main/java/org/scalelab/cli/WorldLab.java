package org.scalelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.scalelab.InputException;
import org.scalelab.world.World;
import org.scalelab.world.WorldExperiment;
import org.scalelab.world.WorldFiles;

/**
 * Where an experiment lives in a lab: its world in {@code worlds/<experiment>/}, its runs in
 * {@code world-runs/<experiment>/<run>/}, its activations in {@code activations/world-<experiment>-…},
 * its report in {@code reports/world-<experiment>/}.
 */
final class WorldLab {
    private WorldLab() {}

    static Path worldDir(Path lab, String experiment) {
        return WorldExperiment.worldDir(lab, experiment);
    }

    static Path runsDir(Path lab, String experiment) {
        return WorldExperiment.runsDir(lab, experiment);
    }

    static String checkName(String experiment) {
        return WorldExperiment.checkName(experiment);
    }

    /**
     * The experiment's world: read from {@code --world DIR} if given, else the one already in the
     * lab, else generated from the options and written there (see {@link WorldExperiment#resolve}).
     */
    static World resolve(Path lab, String experiment, Path worldFolder, WorldOptions options) {
        return WorldExperiment.resolve(lab, experiment, worldFolder, options.any() ? options.config() : null);
    }

    /** The world of an experiment that has been run. */
    static World existing(Path lab, String experiment) {
        Path own = worldDir(lab, experiment);
        if (!Files.isRegularFile(own.resolve(WorldFiles.WORLD))) {
            throw new InputException("experiment \"" + experiment + "\" has no world in " + own + "; run: scalelab world sweep --experiment "
                    + experiment);
        }
        return WorldFiles.read(own);
    }
}
