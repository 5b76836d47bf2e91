package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab prompts …}: prompt sets for capture and generate. */
@Command(
        name = "prompts",
        mixinStandardHelpOptions = true,
        description = {
            "Make prompt sets for capture and generate from the dataset files you have.",
            "A prompt set holds one JSON object per line with id, text, domain, labels (a numeric labels.difficulty for",
            "chain-of-thought sets) and optional step_boundaries (docs/activation-sets.md)."
        },
        footer = {"", "Example:", "  scalelab prompts convert --from gsm8k gsm8k_test.jsonl --out prompts/gsm8k.jsonl"})
final class PromptsCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(PromptsConvertCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
