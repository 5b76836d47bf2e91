package org.scalelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.scalelab.InputException;
import org.scalelab.world.World;
import org.scalelab.world.WorldFiles;
import org.scalelab.world.WorldGenerator;

/**
 * Where an experiment lives in a lab: its world in {@code worlds/<experiment>/}, its runs in
 * {@code world-runs/<experiment>/<run>/}, its activations in {@code activations/world-<experiment>-…},
 * its report in {@code reports/world-<experiment>/}.
 */
final class WorldLab {
    private WorldLab() {}

    static Path worldDir(Path lab, String experiment) {
        return lab.resolve("worlds").resolve(checkName(experiment));
    }

    static Path runsDir(Path lab, String experiment) {
        return lab.resolve("world-runs").resolve(checkName(experiment));
    }

    static String checkName(String experiment) {
        if (experiment == null || !experiment.matches("[A-Za-z0-9._-]+") || experiment.startsWith(".")) {
            throw new InputException("--experiment \"" + experiment + "\": use letters, digits, '.', '_' and '-' only");
        }
        return experiment;
    }

    /**
     * The experiment's world: read from {@code --world DIR} if given, else the one already in the
     * lab, else generated from the options and written there. A world that differs from the
     * experiment's existing one is refused (its runs would not be comparable).
     */
    static World resolve(Path lab, String experiment, Path worldFolder, WorldOptions options) {
        Path own = worldDir(lab, experiment);
        World existing = Files.isRegularFile(own.resolve(WorldFiles.WORLD)) ? WorldFiles.read(own) : null;
        World wanted;
        if (worldFolder != null) {
            wanted = WorldFiles.read(worldFolder);
        } else if (existing != null && !options.any()) {
            return existing;
        } else {
            wanted = WorldGenerator.generate(options.config());
        }
        if (existing != null) {
            if (!existing.config().equals(wanted.config())) {
                throw new InputException("experiment \"" + experiment + "\" was run on another world (" + own + "); give the same world"
                        + " options, or another --experiment");
            }
            return existing;
        }
        WorldFiles.write(wanted, own);
        return wanted;
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
