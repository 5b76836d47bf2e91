package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab runs …}: the lab's store of training runs. */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = {
            "Import, list and query training runs in the lab store (lab/scalelab.duckdb).",
            "Imported runs appear in the view 'points' (params, tokens, compute, model,",
            "family and one column per metric), which every fit can read with --query."
        },
        footer = {"", "Example:", "  scalelab runs import runs.csv --params-col n_params --tokens-col n_tokens --metric loss=final_loss",
            "  scalelab runs sql \"SELECT params, tokens, loss FROM points LIMIT 5\""})
final class RunsCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            RunsImportCommand.class,
            RunsListCommand.class,
            RunsSqlCommand.class,
            RunsDeleteImportCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
