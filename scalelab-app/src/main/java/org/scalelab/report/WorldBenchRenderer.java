package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.world.WorldBench;

/** Training throughput per width: parameters and optimiser steps per second, one line per measured model. */
public final class WorldBenchRenderer implements Renderer<List<WorldBench.Row>> {
    static final List<String> HEADER = List.of("width", "depth", "parameters", "steps/s", "steps", "batch", "threads");

    /** One measured model, as the command prints it the moment it is measured. */
    public static String line(WorldBench.Row r) {
        return String.format(Locale.ROOT, "width %4d depth %d: %,10d parameters  %7.1f steps/s  (%d steps of batch %d, %d thread%s)", r.width(),
                r.depth(), r.parameters(), r.stepsPerSecond(), r.steps(), r.batch(), r.threads(), r.threads() == 1 ? "" : "s");
    }

    @Override
    public String text(List<WorldBench.Row> rows) {
        return String.join("\n", rows.stream().map(WorldBenchRenderer::line).toList());
    }

    @Override
    public void section(Report report, List<WorldBench.Row> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (WorldBench.Row r : rows) {
            cells.add(List.of(Integer.toString(r.width()), Integer.toString(r.depth()), String.format(Locale.ROOT, "%,d", r.parameters()),
                    String.format(Locale.ROOT, "%.1f", r.stepsPerSecond()), Integer.toString(r.steps()), Integer.toString(r.batch()),
                    Integer.toString(r.threads())));
        }
        report.table(HEADER, cells);
    }
}
