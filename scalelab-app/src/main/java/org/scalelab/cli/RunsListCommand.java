package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.report.RunTableRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.store.RunRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {"List the stored runs with their sizes and metrics.",
            "The first --limit runs by run id: model, family, params, tokens, compute and metrics."},
        footer = {"", "Example:", "  scalelab runs list --limit 50"})
final class RunsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Show at most N runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the runs as a JSON array.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new InputException("--limit: " + limit + " must be >= 0");
        }
        List<RunRow> runs;
        long total;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            runs = store.listRuns(limit);
            total = store.runCount();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(runs));
        } else if (total == 0) {
            out.println("no runs in " + lab.dir().resolve(LabStore.FILE_NAME) + "; import some with: scalelab runs import FILE");
        } else {
            out.println(new RunTableRenderer().text(runs));
            out.println("(" + runs.size() + " of " + total + " runs" + (runs.size() < total ? "; --limit N shows more" : "") + ")");
            long noTokens = runs.stream().filter(r -> r.tokens() == null).count();
            if (noTokens > 0) {
                out.println(noTokens + " of these runs have no tokens or compute (imported with parameters alone, shown as —): "
                        + "fit chinchilla and forecast cannot use them; fit power, shape and sigmoid over params can");
            }
        }
        out.flush();
        return 0;
    }
}
