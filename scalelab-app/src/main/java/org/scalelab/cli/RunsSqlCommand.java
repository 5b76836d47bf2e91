package org.scalelab.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.report.QueryResultRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.store.QueryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = {
            "Run one reading SQL statement (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, …) on the lab store.",
            "Tables: runs, metrics, imports, results; view points (one row per run, one",
            "column per metric). Read-only for real: anything DuckDB does not parse as one SELECT",
            "is refused, the store is opened read-only with no access to other files (read_csv,",
            "COPY, ATTACH … are refused), and a query is stopped after --timeout seconds."
        },
        footer = {"", "Examples:", "  scalelab runs sql \"SELECT model, params, tokens, loss FROM points ORDER BY loss LIMIT 10\"",
            "  scalelab runs sql \"DESCRIBE points\" --json"})
final class RunsSqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Parameters(index = "0", paramLabel = "SQL", description = "One reading statement, quoted for the shell.")
    String sql;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "1000", description = "Print at most N rows (default: ${DEFAULT-VALUE}).")
    int maxRows;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Stop the query after SECONDS (exit 2). Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print {columns, rows, truncated} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (maxRows < 0) {
            throw new InputException("--max-rows: " + maxRows + " must be >= 0");
        }
        if (timeoutSeconds < 1) {
            throw new InputException("--timeout: " + timeoutSeconds + " must be at least 1 second");
        }
        QueryResult r;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            r = store.sql(sql, maxRows, Duration.ofSeconds(timeoutSeconds));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(r));
        } else {
            out.println(new QueryResultRenderer().text(r));
        }
        out.flush();
        return 0;
    }
}
