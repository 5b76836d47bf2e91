package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.store.ImportOptions;
import org.scalelab.store.ImportSummary;
import org.scalelab.store.LabStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Import a CSV/TSV, Parquet or JSONL file of runs (one per row) into the lab store.",
            "Columns default to their role's name (params, tokens, compute, model, family;",
            "metric loss from a 'loss' column). Give at least two of params, tokens and",
            "compute: the third follows from C = 6·N·D. Everything is checked before",
            "anything is written (missing columns, empty, non-numeric, NaN/Inf, values <= 0",
            "in params/tokens/compute, duplicate rows); a problem prints one line naming",
            "file, row, column and value, exits with 2 and leaves the store unchanged.",
            "Large files stream through DuckDB and never pass through the Java heap."
        },
        footer = {"", "Examples:", "  scalelab runs import data/chinchilla_hoffmann2022_fig4.csv",
            "  scalelab runs import runs.parquet --params-col n_params --tokens-col n_tokens --metric loss=final_loss --model-col name"})
final class RunsImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Parameters(index = "0", paramLabel = "FILE", description = "Runs file: .csv, .tsv, .csv.gz, .parquet, .jsonl/.ndjson/.json.")
    Path file;

    @Option(names = "--params-col", paramLabel = "COLUMN", description = "Column with the parameter count N (default: 'params' if present).")
    String paramsCol;

    @Option(names = "--tokens-col", paramLabel = "COLUMN", description = "Column with the training tokens D (default: 'tokens' if present).")
    String tokensCol;

    @Option(names = "--compute-col", paramLabel = "COLUMN", description = "Column with the training FLOPs C (default: 'compute' if present).")
    String computeCol;

    @Option(names = "--metric", paramLabel = "NAME=COLUMN",
            description = "A metric to store, e.g. loss=final_loss (repeatable; default: loss=loss if a 'loss' column exists).")
    List<String> metrics;

    @Option(names = "--family-col", paramLabel = "COLUMN", description = "Column naming the model family (default: 'family' if present).")
    String familyCol;

    @Option(names = "--model-col", paramLabel = "COLUMN", description = "Column naming the model or run (default: 'model' if present).")
    String modelCol;

    @Option(names = "--min-rows", paramLabel = "N", defaultValue = "1", description = "Refuse files with fewer data rows (default: ${DEFAULT-VALUE}).")
    int minRows;

    @Option(names = "--json", description = "Print the import summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Map<String, String> m = ImportOptions.parseMetrics(metrics);
        ImportOptions options = new ImportOptions(paramsCol, tokensCol, computeCol, m, familyCol, modelCol, minRows);
        ImportSummary s;
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            s = store.importRuns(file, options);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(s));
        } else {
            out.println("imported " + s.rows() + " runs from " + s.source() + " as import " + s.importId() + " (sha256 "
                    + s.sha256().substring(0, 12) + "…) into " + lab.dir().resolve(LabStore.FILE_NAME));
            StringBuilder cols = new StringBuilder("columns:");
            s.columns().forEach((role, col) -> cols.append(' ').append(role).append(" ← ").append(col).append(';'));
            out.println(cols.substring(0, cols.length() - 1));
            if (!s.derived().isEmpty()) {
                out.println("derived: " + String.join("; ", s.derived()) + "  (C = 6·N·D, Kaplan et al. 2020)");
            }
            out.println("query them with: scalelab runs sql \"SELECT * FROM points LIMIT 10\"");
        }
        out.flush();
        return 0;
    }
}
