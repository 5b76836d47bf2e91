package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.report.TextTable;
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
            "Run one reading SQL statement (SELECT, WITH, DESCRIBE, SHOW, …) on the lab store.",
            "Tables: runs, metrics, imports, results; view points (one row per run, one",
            "column per metric). Writing statements are refused, and every query runs in a",
            "transaction that is rolled back."
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

    @Option(names = "--json", description = "Print {columns, rows, truncated} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (maxRows < 0) {
            throw new InputException("--max-rows: " + maxRows + " must be >= 0");
        }
        QueryResult r;
        try (LabStore store = LabStore.open(lab.dir())) {
            r = store.sql(sql, maxRows);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(r));
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (List<Object> row : r.rows()) {
                // Doubles to 6 significant digits for reading; --json keeps full precision.
                rows.add(row.stream().map(v -> v == null ? "NULL"
                        : v instanceof Double || v instanceof Float ? String.format(java.util.Locale.ROOT, "%.6g", ((Number) v).doubleValue())
                                .replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1")
                        : String.valueOf(v)).toList());
            }
            out.println(TextTable.render(r.columns(), rows));
            out.println("(" + r.rows().size() + " row" + (r.rows().size() == 1 ? "" : "s")
                    + (r.truncated() ? ", more not shown; raise --max-rows" : "") + ")");
        }
        out.flush();
        return 0;
    }
}
