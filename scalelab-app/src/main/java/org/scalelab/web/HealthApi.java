package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import java.util.Map;

/** {@code GET /api/health}: {@code {"status": "ok"}} while the server serves. */
final class HealthApi implements DashboardRoutes {
    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/health", ctx -> ctx.json(Map.of("status", "ok")));
    }
}
