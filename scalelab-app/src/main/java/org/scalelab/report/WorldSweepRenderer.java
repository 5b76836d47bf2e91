package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.world.WorldSweep;
import org.scalelab.world.WorldTraining;

/** A sweep's summary: runs trained now and already done, and each run's status, size, speed and final held-out accuracy. */
public final class WorldSweepRenderer implements Renderer<WorldSweep.Summary> {
    static final List<String> HEADER = List.of("run", "status", "params", "steps/s", "atomic", "near", "far", "analogy");

    @Override
    public String text(WorldSweep.Summary s) {
        StringBuilder b = new StringBuilder();
        b.append(headline(s)).append('\n');
        b.append(String.format(Locale.ROOT, "%-44s %-9s %10s %8s %7s %7s %7s %7s", HEADER.toArray())).append('\n');
        for (WorldTraining.RunResult r : s.results()) {
            b.append(String.format(Locale.ROOT, "%-44s %-9s %,10d %8.1f %7s %7s %7s %7s", r.spec().name(), r.status(), r.parameters(),
                    r.stepsPerSecond(), acc(r, "atomic_id"), acc(r, "compositional_near_ood"), acc(r, "compositional_far_ood"),
                    acc(r, "analogical_ood"))).append('\n');
        }
        return b.toString().stripTrailing();
    }

    @Override
    public void section(Report report, WorldSweep.Summary s) {
        report.heading("Sweep of experiment " + s.experiment());
        report.text(headline(s) + ".");
        List<List<String>> rows = new ArrayList<>();
        for (WorldTraining.RunResult r : s.results()) {
            rows.add(List.of(r.spec().name(), r.status(), String.format(Locale.ROOT, "%,d", r.parameters()),
                    String.format(Locale.ROOT, "%.1f", r.stepsPerSecond()), acc(r, "atomic_id"), acc(r, "compositional_near_ood"),
                    acc(r, "compositional_far_ood"), acc(r, "analogical_ood")));
        }
        report.table(HEADER, rows);
    }

    private static String headline(WorldSweep.Summary s) {
        return String.format(Locale.ROOT, "experiment %s: %d runs (%d trained now, %d already done) in %.0f s", s.experiment(), s.runs(),
                s.trained(), s.skipped(), s.seconds());
    }

    private static String acc(WorldTraining.RunResult r, String set) {
        Double v = r.finalMetrics().get("accuracy." + set);
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
