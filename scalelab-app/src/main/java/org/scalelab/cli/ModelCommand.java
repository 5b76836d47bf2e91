package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.model.Families;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code scalelab model …}: transformer checkpoints in the Hugging Face layout. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Inspect and create transformer checkpoints in the Hugging Face layout.",
            "A checkpoint is a folder with config.json, model.safetensors and tokenizer.json."
        },
        footer = {"", "Example:", "  scalelab model init --family llama --d-model 64 --layers 2 --heads 4 --vocab 256 --seed 1 --out lab/models/tiny",
            "  scalelab model info lab/models/tiny"})
final class ModelCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            ModelInfoCommand.class,
            ModelInitCommand.class);

    /** Names the families the runtime finds, after the description. */
    @Spec
    void families(CommandSpec spec) {
        List<String> description = new ArrayList<>(List.of(spec.usageMessage().description()));
        description.add("Families: " + Families.supported() + ".");
        spec.usageMessage().description(description.toArray(String[]::new));
    }

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
