package org.scalelab.report;

import java.util.List;
import org.scalelab.store.ResultSummary;

/** Saved results of the lab store as a table: id, analysis, when, ScaleLab version and seed. */
public final class ResultTableRenderer implements Renderer<List<ResultSummary>> {
    static final List<String> HEADER = List.of("id", "analysis", "created_at", "version", "seed");

    @Override
    public String text(List<ResultSummary> results) {
        return TextTable.render(HEADER, rows(results));
    }

    @Override
    public void section(Report report, List<ResultSummary> results) {
        report.table(HEADER, rows(results));
    }

    static List<List<String>> rows(List<ResultSummary> results) {
        return results.stream().map(r -> List.of(Long.toString(r.resultId()), r.analysis(), r.createdAt(), r.version(),
                r.seed() == null ? "" : r.seed().toString())).toList();
    }
}
