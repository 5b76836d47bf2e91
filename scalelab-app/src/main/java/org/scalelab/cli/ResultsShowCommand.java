package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.StoredResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = {"Print one saved result with its provenance as JSON."},
        footer = {"", "Example:", "  scalelab results show 1"})
final class ResultsShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Parameters(index = "0", paramLabel = "ID", description = "Result id, from `scalelab results list`.")
    long id;

    @Override
    public Integer call() {
        StoredResult r;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            r = store.loadResult(id);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.pretty(r));
        out.flush();
        return 0;
    }
}
