package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scalelab fit LAW}: a group; each law is its own subcommand class. */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = "Fit a scaling law to (x, y) points from a file (--data) or the lab store (--query).")
final class FitCommand implements Runnable, CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            FitChinchillaCommand.class,
            FitPowerCommand.class,
            FitBnslCommand.class,
            FitSigmoidCommand.class,
            FitShapeCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
