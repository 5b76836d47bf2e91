package org.scalelab.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code scalelab model …}: transformer checkpoints in the Hugging Face layout. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Inspect and create transformer checkpoints in the Hugging Face layout.",
            "A checkpoint is a folder with config.json, model.safetensors and tokenizer.json. Families: gpt2, llama."
        },
        footer = {"", "Example:", "  scalelab model init --family llama --d-model 64 --layers 2 --heads 4 --vocab 256 --seed 1 --out lab/models/tiny",
            "  scalelab model info lab/models/tiny"})
final class ModelCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            ModelInfoCommand.class,
            ModelInitCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
