package org.scalelab.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.List;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;

/**
 * The dashboard server ({@code scalelab serve}): pages under {@code /}, JSON under {@code /api/},
 * scripts and styles under {@code /static/}, ECharts from its WebJar under {@code /webjars/}. Each area
 * of the dashboard is one {@link DashboardRoutes}; they share the {@link DashboardContext}.
 */
public final class Dashboard implements AutoCloseable {
    /** The dashboard's areas, in the order their pages appear in the navigation; register a new one here. */
    static final List<DashboardRoutes> AREAS = List.of(
            new Pages(),
            new HealthApi(),
            new TestTimeRoutes(),
            new GeometryRoutes(),
            new ResultsApi(),
            new EventsApi(),
            new SweepsApi(),
            new CurvesApi(),
            new RunsApi(),
            new OverviewApi(),
            new LawsApi());

    private final Javalin app;
    private final DashboardContext context;

    private Dashboard(Javalin app, DashboardContext context) {
        this.app = app;
        this.context = context;
    }

    /** Starts serving {@code options.lab()} and returns once the server listens. */
    public static Dashboard start(DashboardOptions options) {
        return start(options, List.of());
    }

    /** Starts with {@code extra} areas after the registered ones (tests add pages of their own). */
    static Dashboard start(DashboardOptions options, List<DashboardRoutes> extra) {
        DashboardContext context = new DashboardContext(options, new LabSnapshots(options.lab()), new LiveEvents());
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.staticFiles.enableWebjars();
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/web/static";
                files.location = Location.CLASSPATH;
            });
            config.routes.exception(ScaleLabException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500,
                    "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
            for (DashboardRoutes area : AREAS) {
                area.add(config.routes, context);
            }
            for (DashboardRoutes area : extra) {
                area.add(config.routes, context);
            }
        });
        try {
            app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            context.lab().close();
            throw new ScaleLabException("cannot listen on " + options.host() + ":" + options.port() + ": " + rootMessage(e), e);
        }
        return new Dashboard(app, context);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Answers an error as JSON: a message a person can act on, never a stack trace. */
    static void error(Context ctx, int status, String message) {
        ctx.status(status).json(new ApiError(status, message));
    }

    /** The port the server listens on (the free one chosen when started with port 0). */
    public int port() {
        return app.port();
    }

    /** The address a browser opens. */
    public String url() {
        String host = context.options().host();
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port() + "/";
    }

    public DashboardContext context() {
        return context;
    }

    @Override
    public void close() {
        context.events().close();
        app.stop();
        context.lab().close();
    }
}
