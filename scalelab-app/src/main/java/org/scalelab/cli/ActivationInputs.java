package org.scalelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The activation sets a command analyses, opened as {@code --acts} names them: each set, its manifest
 * as a provenance input (path, SHA-256, trajectories), and the sets whose capture was interrupted
 * (opened only with {@code --allow-incomplete}; results record them under {@code incomplete_inputs}).
 */
record ActivationInputs(List<ActivationSet> sets, List<Provenance.Input> inputs, List<String> incomplete) {
    static ActivationInputs open(List<Path> dirs, boolean allowIncomplete) {
        ActivationInputs out = new ActivationInputs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        out.add(dirs, allowIncomplete);
        return out;
    }

    /** Opens {@code dirs} too, after the sets already here; returns their sets alone. */
    List<ActivationSet> add(List<Path> dirs, boolean allowIncomplete) {
        List<ActivationSet> added = new ArrayList<>();
        for (Path dir : dirs) {
            ActivationSet set = ActivationSet.open(dir, allowIncomplete);
            added.add(set);
            if (!set.complete()) {
                incomplete.add(dir.toString());
            }
            Path manifest = dir.resolve(ActivationManifest.FILE);
            inputs.add(new Provenance.Input(manifest.toString(), Provenance.sha256(manifest), set.trajectories().size()));
        }
        sets.addAll(added);
        return added;
    }

    /** Says on stderr that incomplete sets are being analysed (nothing when all are complete). */
    void noteIncomplete(CommandSpec spec) {
        if (!incomplete.isEmpty()) {
            spec.commandLine().getErr().println("note: analysing incomplete activation sets " + incomplete
                    + " (--allow-incomplete); the result records them");
            spec.commandLine().getErr().flush();
        }
    }
}
