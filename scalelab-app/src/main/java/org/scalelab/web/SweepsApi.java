package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The World sweeps page's data. {@code GET /api/sweeps}: experiments with training runs.
 * {@code GET /api/sweeps/{experiment}}: its runs with progress and time left ({@link SweepStatus}).
 * {@code GET /api/sweeps/{experiment}/scaling?set=SPLIT&measure=final|peak}: final or peak accuracy
 * against width and depth with the shape tests, bands, backtests and flags of the runs that have ended
 * ({@link SweepScaling}). The curves themselves come from {@code /api/curves}.
 */
final class SweepsApi implements DashboardRoutes {
    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        SweepScaling.Cache cache = new SweepScaling.Cache();
        routes.get("/api/sweeps", ctx -> ctx.json(context.lab().read(SweepsApi::experiments)));
        routes.get("/api/sweeps/{experiment}", ctx -> {
            String experiment = ctx.pathParam("experiment");
            ctx.json(context.lab().read(store -> known(SweepStatus.read(store, experiment, Instant.now()))));
        });
        routes.get("/api/sweeps/{experiment}/scaling", ctx -> {
            String experiment = ctx.pathParam("experiment");
            String set = choice(ctx, "set", SweepScaling.SETS.contains("analogical_ood") ? "analogical_ood" : SweepScaling.SETS.get(0),
                    SweepScaling.SETS);
            String measure = choice(ctx, "measure", "final", List.of("final", "peak"));
            ctx.json(context.lab().read(store -> {
                SweepStatus status = known(SweepStatus.read(store, experiment, Instant.now()));
                if (status.ended() == 0) {
                    return SweepScaling.none(experiment, set, measure, status.running());
                }
                return SweepScaling.of(cache.analysis(store, experiment), set, measure, status.running());
            }));
        });
    }

    private static Map<String, Object> experiments(org.scalelab.store.LabStore store) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> row : SweepStatus.experiments(store).rows()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("experiment", row.get(0));
            e.put("runs", row.get(1));
            e.put("running", row.get(2));
            out.add(e);
        }
        return Map.of("experiments", out);
    }

    private static SweepStatus known(SweepStatus s) {
        if (s.runs().isEmpty()) {
            throw new NotFoundResponse("experiment '" + s.experiment() + "' has no training runs in this lab; "
                    + "GET /api/sweeps lists the experiments (start one with scalelab world sweep --experiment NAME)");
        }
        return s;
    }

    private static String choice(Context ctx, String name, String fallback, List<String> allowed) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        if (!allowed.contains(v)) {
            throw new BadRequestResponse(name + " '" + v + "': give one of " + String.join(", ", allowed));
        }
        return v;
    }
}
