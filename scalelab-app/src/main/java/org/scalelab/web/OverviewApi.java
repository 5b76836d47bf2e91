package org.scalelab.web;

import io.javalin.config.RoutesConfig;

/** {@code GET /api/overview}: what the Overview page draws (see {@link LabOverview}). */
final class OverviewApi implements DashboardRoutes {
    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/overview", ctx -> ctx.json(context.lab().read(LabOverview::of)));
    }
}
