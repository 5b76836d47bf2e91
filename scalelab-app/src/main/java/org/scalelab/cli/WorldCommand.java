package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab world …}: the controlled world lab. */
@Command(
        name = "world",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a synthetic world, train sweeps of small transformers on it and analyse them.",
            "The world has entities and relations in two categories linked by a hidden bijection (Minegishi",
            "et al., arXiv 2602.01992), with atomic, compositional, analogical,",
            "true/false and step-by-step examples, held-out splits, and training sweeps over width and depth."
        },
        footer = {"", "Example:", "  scalelab world generate --out lab/worlds/small --entities 64 --relations 8 --seed 1",
            "  scalelab world sweep --experiment small --widths 32,64,128 --depths 1,2 --seeds 2",
            "  scalelab world report --experiment small",
            "  scalelab world capture --experiment small"})
final class WorldCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            WorldGenerateCommand.class,
            WorldTrainCommand.class,
            WorldSweepCommand.class,
            WorldReportCommand.class,
            WorldCaptureCommand.class,
            WorldBenchCommand.class,
            WorldTasksCommand.class,
            WorldPhasePromptsCommand.class,
            WorldCotPromptsCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
