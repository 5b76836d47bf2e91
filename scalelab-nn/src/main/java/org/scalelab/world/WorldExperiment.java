package org.scalelab.world;

import java.nio.file.Files;
import java.nio.file.Path;
import org.scalelab.InputException;

/**
 * Where an experiment lives in a lab: its world in {@code worlds/<experiment>/}, its runs in
 * {@code world-runs/<experiment>/<run>/}. The command line's world commands and the dashboard's sweep
 * jobs find (or write) an experiment's world here.
 */
public final class WorldExperiment {
    private WorldExperiment() {}

    public static Path worldDir(Path lab, String experiment) {
        return lab.resolve("worlds").resolve(checkName(experiment));
    }

    public static Path runsDir(Path lab, String experiment) {
        return lab.resolve("world-runs").resolve(checkName(experiment));
    }

    /** The experiment name, refused unless letters, digits, '.', '_' and '-' (it names folders). */
    public static String checkName(String experiment) {
        if (experiment == null || !experiment.matches("[A-Za-z0-9._-]+") || experiment.startsWith(".")) {
            throw new InputException("--experiment \"" + experiment + "\": use letters, digits, '.', '_' and '-' only");
        }
        return experiment;
    }

    /**
     * The experiment's world: read from {@code worldFolder} if given, else the one already in the lab
     * (when {@code config} is null), else generated from {@code config} (null: the defaults) and written
     * there. A world that differs from the experiment's existing one is refused (its runs would not be
     * comparable).
     */
    public static World resolve(Path lab, String experiment, Path worldFolder, WorldConfig config) {
        Path own = worldDir(lab, experiment);
        World existing = Files.isRegularFile(own.resolve(WorldFiles.WORLD)) ? WorldFiles.read(own) : null;
        World wanted;
        if (worldFolder != null) {
            wanted = WorldFiles.read(worldFolder);
        } else if (existing != null && config == null) {
            return existing;
        } else {
            wanted = WorldGenerator.generate(config == null ? WorldConfig.defaults() : config);
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
}
