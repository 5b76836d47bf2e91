package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab phase …}: whether two capabilities fight or cooperate, at what size that flips, and what changes it. */
@Command(
        name = "phase",
        mixinStandardHelpOptions = true,
        description = {
            "Diagnose whether two capabilities fight or cooperate, and at what model size that flips.",
            "Capability phases: do two capabilities (e.g. reasoning and truthfulness) fight or cooperate,",
            "at what model size does that flip, and which intervention changes it. From benchmark score",
            "tables, and inside models from activation sets of labelled prompts, with nulls and intervals."
        },
        footer = {"", "Example:", "  scalelab phase scores --data scores.csv --a hellaswag --b truthfulqa"})
final class PhaseCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            PhaseDirectionsCommand.class,
            PhaseCouplingCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
