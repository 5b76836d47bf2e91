package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The dashboard's pages, each at a stable address. A page is a static HTML file under
 * {@code web/pages/} that loads {@code /static/app.js} (navigation, chart drawing) and its own script
 * {@code /static/pages/NAME.js}, which fetches its data from {@code /api/}.
 */
final class Pages implements DashboardRoutes {
    /** Address, page file stem and navigation label, in navigation order. */
    record Page(String path, String name, String label) {}

    static final List<Page> PAGES = List.of(
            new Page("/", "overview", "Overview"),
            new Page("/runs", "runs", "Runs"),
            new Page("/laws", "laws", "Laws"),
            new Page("/testtime", "testtime", "Test-time & reliability"),
            new Page("/sweeps", "sweeps", "World sweeps"),
            new Page("/geometry", "geometry", "Geometry"),
            new Page("/phases", "phases", "Capability phases"),
            new Page("/results/{id}", "result", "Result"));

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        for (Page page : PAGES) {
            byte[] html = resource("/web/pages/" + page.name() + ".html");
            routes.get(page.path(), ctx -> page(ctx, html));
        }
    }

    private static void page(Context ctx, byte[] html) {
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    private static byte[] resource(String name) {
        try (InputStream in = Pages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing dashboard page " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
