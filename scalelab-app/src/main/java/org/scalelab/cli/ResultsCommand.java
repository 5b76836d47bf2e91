package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab results …}: analysis results saved in the lab store with their provenance. */
@Command(
        name = "results",
        mixinStandardHelpOptions = true,
        description = {"List and show saved analysis results with their provenance.",
            "Provenance: the inputs and their hashes, the options, the seed and the ScaleLab version."},
        footer = {"", "Example:", "  scalelab results list", "  scalelab results show 3"})
final class ResultsCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            ResultsListCommand.class,
            ResultsShowCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
