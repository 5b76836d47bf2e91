package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.scalelab.store.LabStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "delete-import",
        mixinStandardHelpOptions = true,
        description = {"Remove one import's runs and metrics.",
            "For example to import its file again with another column mapping. Saved results keep their provenance."},
        footer = {"", "Example:", "  scalelab runs sql \"SELECT * FROM imports\"", "  scalelab runs delete-import 2"})
final class RunsDeleteImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Parameters(index = "0", paramLabel = "IMPORT_ID", description = "Import id, from `scalelab runs sql \"SELECT * FROM imports\"`.")
    long importId;

    @Override
    public Integer call() {
        long before;
        long after;
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            before = store.runCount();
            store.deleteImport(importId);
            after = store.runCount();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("deleted import " + importId + " (" + (before - after) + " runs); " + after + " runs remain");
        out.flush();
        return 0;
    }
}
