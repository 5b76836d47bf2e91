package org.scalelab.web;

import io.javalin.config.RoutesConfig;

/**
 * One area of the dashboard (runs, laws, sweeps, ...): its pages and JSON endpoints. Handlers stay thin:
 * parse the request, call the store or an analysis, answer JSON; every analysis and every renderer is
 * the one the command line uses. A new area is one class plus one line in {@link Dashboard#AREAS}.
 */
public interface DashboardRoutes {
    /** Registers this area's routes. Paths under {@code /api/} answer JSON; others serve pages. */
    void add(RoutesConfig routes, DashboardContext context);
}
