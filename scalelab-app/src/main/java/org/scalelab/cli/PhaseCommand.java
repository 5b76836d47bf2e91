package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab phase …}: whether two capabilities fight or cooperate, at what size that flips, and what changes it. */
@Command(
        name = "phase",
        mixinStandardHelpOptions = true,
        description = {
            "Capability phases: do two capabilities fight or cooperate, and at what model size does that flip?",
            "Two capabilities (e.g. reasoning and truthfulness), and which intervention changes their coupling:",
            "from benchmark score tables, and inside models from activation sets of labelled prompts, with nulls",
            "and intervals."
        },
        footer = {"", "Example:", "  scalelab phase scores --data scores.csv --a hellaswag --b truthfulqa"})
final class PhaseCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            PhaseScoresCommand.class,
            PhaseDirectionsCommand.class,
            PhaseCouplingCommand.class,
            PhaseSteerCommand.class,
            PhaseDiagnoseCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
