package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.store.QueryResult;

/**
 * {@code GET /api/events}: server-sent events to open pages. Event {@code lab} ({@code {"version": N}})
 * each time the dashboard sees a new state of the store; event {@code curves} ({@code {"runs": [...]}})
 * naming the training runs that logged new curve points since the last state; event {@code job} from
 * the jobs area.
 */
final class EventsApi implements DashboardRoutes {
    /** Points and last step of every training run: cheap (one aggregate) and changes whenever a run logs. */
    static final String CURVE_COUNTS = "SELECT run, count(*) AS points, max(step) AS step FROM training_curves GROUP BY run";

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        CurveWatch watch = new CurveWatch(context);
        context.lab().onChange(watch::changed);
        Thread baseline = new Thread(watch::baseline, "scalelab-curve-baseline");
        baseline.setDaemon(true);
        baseline.start();
        routes.sse("/api/events", context.events()::add);
    }

    /** Remembers each run's points and last step, and names the runs whose numbers moved. */
    static final class CurveWatch {
        private final DashboardContext context;
        private Map<String, String> seen;

        CurveWatch(DashboardContext context) {
            this.context = context;
        }

        /** Reads the counts the first change is compared with (off the start-up path). */
        synchronized void baseline() {
            if (seen == null) {
                try {
                    seen = context.lab().read(store -> counts(store.sql(CURVE_COUNTS, Integer.MAX_VALUE)));
                } catch (RuntimeException e) {
                    // The lab is busy or gone: the first change sets the baseline instead.
                }
            }
        }

        /** Names the runs with new points first (pages redraw those curves), then says the lab changed. */
        synchronized void changed(long version) {
            Map<String, String> now = context.lab().read(store -> counts(store.sql(CURVE_COUNTS, Integer.MAX_VALUE)));
            if (seen != null) {
                List<String> moved = new ArrayList<>();
                now.forEach((run, count) -> {
                    if (!count.equals(seen.get(run))) {
                        moved.add(run);
                    }
                });
                if (!moved.isEmpty()) {
                    moved.sort(null);
                    context.events().publish("curves", Map.of("runs", moved));
                }
            }
            seen = now;
            context.events().publish("lab", Map.of("version", version));
        }

        private static Map<String, String> counts(QueryResult q) {
            Map<String, String> out = new HashMap<>();
            for (List<Object> row : q.rows()) {
                out.put(String.valueOf(row.get(0)), row.get(1) + "/" + row.get(2));
            }
            return out;
        }
    }
}
