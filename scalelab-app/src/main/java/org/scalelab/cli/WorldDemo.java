package org.scalelab.cli;

import java.nio.file.Path;

/**
 * The controlled-world part of {@code scalelab demo}: a small sweep (widths 32 and 64, depths 1 and
 * 2, one seed, 1,500 steps on the small 64-entity world with its 8 held-out analogies: four runs, two
 * at a time, a few minutes on 2 cores) and its report. So small a sweep shows the pipeline, not a
 * finding: its held-out sets are too small for most effects to clear the detectors' binomial null. Each method returns the argument list of a real command, for
 * {@link Main#execute}, so the demo shows command lines a user can copy.
 */
public final class WorldDemo {
    /** The experiment name the demo's runs are stored under. */
    public static final String EXPERIMENT = "demo-world";

    private WorldDemo() {}

    /** {@code scalelab world sweep …} for the demo (resumable; finished runs are skipped on a second demo). */
    public static String[] sweepArgs(Path lab) {
        return new String[] {"world", "sweep", "--lab", lab.toString(), "--experiment", EXPERIMENT, "--widths", "32,64", "--depths", "1,2",
            "--seeds", "1", "--entities", "64", "--steps", "1500", "--lr", "3e-3", "--weight-decay", "0.1", "--batch", "64", "--eval-per-decade", "6",
            "--parallel", "2"};
    }

    /** {@code scalelab world report …} writing the demo's world report to {@code out}. */
    public static String[] reportArgs(Path lab, Path out) {
        return new String[] {"world", "report", "--lab", lab.toString(), "--experiment", EXPERIMENT, "--out", out.toString()};
    }
}
