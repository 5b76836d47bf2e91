package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInfo;
import org.scalelab.report.TextTable;
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
            ModelConfig c = info.config();
            List<List<String>> rows = new java.util.ArrayList<>(List.of(
                    List.of("family", c.family().modelType()),
                    List.of("parameters", String.format("%,d", info.parameterCount())),
                    List.of("d_model", Integer.toString(c.dModel())),
                    List.of("layers", Integer.toString(c.nLayers())),
                    List.of("heads (q / kv)", c.nHeads() + " / " + c.nKvHeads()),
                    List.of("head_dim", Integer.toString(c.headDim())),
                    List.of("d_mlp", Integer.toString(c.dMlp())),
                    List.of("vocab", Integer.toString(c.vocabSize())),
                    List.of("max positions", Integer.toString(c.maxPositions())),
                    List.of("tied embeddings", Boolean.toString(c.tieWordEmbeddings())),
                    List.of("tensors", info.tensorCount() + " " + info.dtypes()),
                    List.of("weight files", String.join(", ", info.weightFiles())),
                    List.of("tokenizer", info.tokenizer() ? "tokenizer.json" : "none")));
            org.scalelab.model.FamilyOptions o = c.options();
            if (o.slidingWindow() > 0) {
                String which = o.windowEveryOther() ? " (even layers)" : o.windowFromLayer() > 0 ? " (layers " + o.windowFromLayer() + "+)" : "";
                rows.add(List.of("sliding window", o.slidingWindow() + which));
            }
            if (o.qkvBias()) {
                rows.add(List.of("q/k/v bias", "yes"));
            }
            if (o.attnLogitSoftcap() > 0 || o.finalLogitSoftcap() > 0) {
                rows.add(List.of("soft-caps (attn / final)", o.attnLogitSoftcap() + " / " + o.finalLogitSoftcap()));
            }
            out.println(TextTable.render(List.of("", info.dir()), rows));
        }
        out.flush();
        return 0;
    }
}
