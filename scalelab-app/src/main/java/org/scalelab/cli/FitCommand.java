package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab fit LAW}: a group; each law is its own subcommand class. */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = "Fit a scaling law to (x, y) points from a file (--data) or the lab store (--query).")
final class FitCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            FitChinchillaCommand.class,
            FitPowerCommand.class,
            FitBnslCommand.class,
            FitSigmoidCommand.class,
            FitExpCommand.class,
            FitShapeCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
