package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.scalelab.InputException;
import org.scalelab.report.Plot;
import org.scalelab.report.Report;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;
import org.scalelab.store.StoredResult;

/**
 * Saved results: {@code GET /api/results[?analysis=PREFIX]} (newest first), {@code /api/results/{id}} (the
 * record with its provenance, as {@code scalelab results show} prints it), {@code /api/results/{id}/view}
 * (its report as a {@link ReportView}) and {@code /api/results/{id}/plots/{name}.svg|png|csv|json} (one plot
 * drawn by the report's own JFreeChart code, or its data).
 */
final class ResultsApi implements DashboardRoutes {
    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/results", ctx -> ctx.json(list(context, ctx.queryParam("analysis"))));
        routes.get("/api/results/{id}", ctx -> ctx.json(load(context, ctx)));
        routes.get("/api/results/{id}/view", ctx -> ctx.json(withLab(context, ctx, ResultViews::view)));
        routes.get("/api/results/{id}/plots/{file}", ctx -> {
            Drawn d = withLab(context, ctx, (stored, lab) -> new Drawn(stored, ResultViews.report(stored, lab)));
            plot(ctx, d.stored(), d.report());
        });
    }

    /** A result and its report. */
    private record Drawn(StoredResult stored, Report report) {}

    private static List<ResultSummary> list(DashboardContext context, String prefix) {
        if (!hasStore(context)) {
            return List.of();
        }
        List<ResultSummary> all = new ArrayList<>(context.lab().read(LabStore::listResults));
        all.removeIf(r -> prefix != null && !prefix.isBlank() && !r.analysis().startsWith(prefix.strip()));
        all.sort(Comparator.comparingLong(ResultSummary::resultId).reversed());
        return all;
    }

    private static StoredResult load(DashboardContext context, Context ctx) {
        long id = id(ctx.pathParam("id"));
        if (!hasStore(context)) {
            throw new NotFoundResponse("no result " + id + ": the lab " + context.lab().lab() + " holds no store yet");
        }
        try {
            return context.lab().read(store -> store.loadResult(id));
        } catch (InputException e) {
            throw new NotFoundResponse(e.getMessage());
        }
    }

    /** {@code body} applied to the result and the lab (for the plots drawn from the lab's data). */
    private static <T> T withLab(DashboardContext context, Context ctx, java.util.function.BiFunction<StoredResult, SavedInput.Lab, T> body) {
        return body.apply(load(context, ctx), new SavedInput.Lab(context.lab()));
    }

    static long id(String text) {
        try {
            long id = Long.parseLong(text);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestResponse("result id: '" + text + "' is not a result number (expected e.g. /api/results/12)");
    }

    private static boolean hasStore(DashboardContext context) {
        return Files.exists(context.lab().lab().resolve(LabStore.FILE_NAME));
    }

    /** One of the result's plots, by the name its report gives it, as SVG, PNG, CSV or JSON. */
    private static void plot(Context ctx, StoredResult stored, Report report) {
        String file = ctx.pathParam("file");
        int dot = file.lastIndexOf('.');
        String name = dot < 0 ? file : file.substring(0, dot);
        String format = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!List.of("svg", "png", "csv", "json").contains(format)) {
            throw new BadRequestResponse("plot file: '" + file + "' must end in .svg, .png, .csv or .json");
        }
        Plot plot = report.blocks().stream().filter(b -> b instanceof Report.Figure f && f.name().equals(name))
                .map(b -> ((Report.Figure) b).plot()).findFirst()
                .orElseThrow(() -> new NotFoundResponse("result " + stored.resultId() + " has no plot '" + name + "'"));
        String download = "result-" + stored.resultId() + "-" + name + "." + format;
        ctx.header("Content-Disposition", "inline; filename=\"" + download + "\"");
        switch (format) {
            case "svg" -> ctx.contentType("image/svg+xml").result(plot.svg().getBytes(StandardCharsets.UTF_8));
            case "png" -> ctx.contentType("image/png").result(plot.png());
            case "json" -> ctx.json(ChartSpec.of(plot));
            default -> ctx.contentType("text/csv; charset=utf-8").result(csv(ChartSpec.of(plot)));
        }
    }

    /** Every point of a chart, one row each: series, kind, index, x, y, lo, hi, z (the page's CSV download too). */
    static String csv(ChartSpec spec) {
        StringBuilder sb = new StringBuilder("series,kind,index,x,y,lo,hi,z\n");
        for (ChartSpec.Series s : spec.series()) {
            int n = Math.max(length(s.x()), length(s.z()));
            for (int i = 0; i < n; i++) {
                sb.append(cell(s.name())).append(',').append(s.kind()).append(',').append(i).append(',').append(at(s.x(), i)).append(',')
                        .append(at(s.y(), i)).append(',').append(at(s.lo(), i)).append(',').append(at(s.hi(), i)).append(',')
                        .append(at(s.z(), i)).append('\n');
            }
        }
        return sb.toString();
    }

    private static int length(double[] a) {
        return a == null ? 0 : a.length;
    }

    private static String at(double[] a, int i) {
        if (a == null || i >= a.length) {
            return "";
        }
        double v = a[i];
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String cell(String s) {
        return s.matches(".*[\",\\n\\r].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
