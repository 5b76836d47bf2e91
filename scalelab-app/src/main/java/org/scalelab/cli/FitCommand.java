package org.scalelab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scalelab fit LAW}: a group; each law is its own subcommand class. */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = "Fit a scaling law to (x, y) points from a file (--data) or the lab store (--query).",
        subcommands = {
            FitChinchillaCommand.class,
            FitPowerCommand.class,
            FitBnslCommand.class,
            FitSigmoidCommand.class,
            FitShapeCommand.class,
        })
final class FitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
