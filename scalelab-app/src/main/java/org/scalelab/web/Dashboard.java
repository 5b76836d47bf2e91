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

    /**
     * Starts serving {@code options.lab()} and returns once the server listens. Refuses (exit code 2 on the
     * command line) a host that is not loopback without a token, and a token too short to be secret.
     */
    public static Dashboard start(DashboardOptions options) {
        return start(options, Guard.Limits.DEFAULT, List.of());
    }

    /** Starts with {@code extra} areas after the registered ones (tests add pages of their own). */
    static Dashboard start(DashboardOptions options, List<DashboardRoutes> extra) {
        return start(options, Guard.Limits.DEFAULT, extra);
    }

    /** {@link #start(DashboardOptions)} with other limits and extra areas (tests). */
    static Dashboard start(DashboardOptions options, Guard.Limits limits, List<DashboardRoutes> extra) {
        Guard.checkStart(options);
        Guard guard = new Guard(options, limits);
        DashboardContext context = new DashboardContext(options, new LabSnapshots(options.lab()), new LiveEvents());
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.staticFiles.enableWebjars();
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/web/static";
                files.location = Location.CLASSPATH;
            });
            config.router.javaLangErrorHandler((res, error) -> {
                // An Error (out of memory, stack overflow) skips the exception handlers; answer it as JSON too.
                res.setStatus(500);
                res.setContentType("application/json");
                try {
                    res.getWriter().write(Json.write(new ApiError(500, "internal error: " + error.getClass().getSimpleName())));
                } catch (java.io.IOException e) {
                    // The client is gone; nothing to answer.
                }
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new Guard.JettyErrors()));
            config.routes.before(guard::check);
            AnswerCache answers = new AnswerCache(context.lab());
            config.routes.before(answers::serve);
            config.routes.after(answers::keep);
            config.routes.exception(ScaleLabException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500,
                    "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
            config.routes.error(404, ctx -> errorUnlessAnswered(ctx, "no such page or endpoint: " + ctx.method() + " " + ctx.path()));
            config.routes.error(405, ctx -> errorUnlessAnswered(ctx, ctx.method() + " is not allowed on " + ctx.path()));
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

    /** A 404 or 405 that no handler explained yet (no route, wrong method) answers JSON too. */
    private static void errorUnlessAnswered(Context ctx, String message) {
        String type = ctx.res().getContentType();
        if (type == null || !type.startsWith("application/json")) {
            error(ctx, ctx.statusCode(), message);
        }
    }

    /** Answers an error as JSON: a message a person can act on, never a stack trace. */
    static void error(Context ctx, int status, String message) {
        ctx.status(status).json(new ApiError(status, message));
    }

    /** The port the server listens on (the free one chosen when started with port 0). */
    public int port() {
        return app.port();
    }

    /**
     * The address a person opens: {@link #url()}, with {@code ?token=} when the server has a token (the
     * page then keeps it in a cookie and drops it from the address).
     */
    public String openUrl() {
        String token = context.options().token();
        return token == null ? url() : url() + "?" + Guard.TOKEN_PARAMETER + "=" + token;
    }

    /** The server's root address, without a token. */
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
