package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.report.ResultTableRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {"List saved results: id, analysis, when, ScaleLab version, seed."},
        footer = {"", "Example:", "  scalelab results list --json"})
final class ResultsListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        List<ResultSummary> results;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            results = store.listResults();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(results));
        } else if (results.isEmpty()) {
            out.println("no results in " + lab.dir().resolve(LabStore.FILE_NAME) + "; analyses save theirs unless given --no-store");
        } else {
            out.println(new ResultTableRenderer().text(results));
        }
        out.flush();
        return 0;
    }
}
