package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.model.ModelInfo;
import org.scalelab.report.ModelInfoRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {"Show a checkpoint's family, sizes and parameter count.",
            "Read from config.json and the safetensors headers; the weights are not loaded."},
        footer = {"", "Example:", "  scalelab model info lab/models/tiny --json"})
final class ModelInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Checkpoint folder (config.json + model.safetensors or sharded index).")
    Path dir;

    @Option(names = "--json", description = "Print the information as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        ModelInfo info = ModelInfo.read(dir);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(info));
        } else {
            out.println(new ModelInfoRenderer().text(info));
        }
        out.flush();
        return 0;
    }
}
