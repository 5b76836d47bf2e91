package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.List;
import org.scalelab.curves.DebiasedEma;
import org.scalelab.curves.MinMaxDownsampling;

/**
 * {@code GET /api/curves?run=R[&run=R2...][&metric=M...][&points=N][&smooth=W][&group=seeds|none][&xlog=true]}:
 * training curves as a chart ({@link CurveCharts}), answered as {@code {"chart", "points", "shown",
 * "downsampled"}}. Without a metric every metric the runs logged is drawn.
 */
final class CurvesApi implements DashboardRoutes {
    /** The most runs one request may draw. */
    static final int MAX_RUNS = 200;

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/curves", ctx -> {
            CurveCharts.Request request = parse(ctx);
            ctx.json(context.lab().read(store -> CurveCharts.chart(store, request)));
        });
    }

    static CurveCharts.Request parse(Context ctx) {
        List<String> runs = ctx.queryParams("run").stream().filter(r -> !r.isBlank()).toList();
        if (runs.isEmpty()) {
            throw new BadRequestResponse("run: give at least one training run, e.g. /api/curves?run=NAME&metric=train_loss");
        }
        if (runs.size() > MAX_RUNS) {
            throw new BadRequestResponse("run: " + runs.size() + " runs asked for, at most " + MAX_RUNS + " at once");
        }
        List<String> metrics = ctx.queryParams("metric").stream().filter(m -> !m.isBlank()).distinct().toList();
        int points = integer(ctx, "points", CurveCharts.DEFAULT_POINTS);
        if (points < MinMaxDownsampling.MIN_POINTS || points > CurveCharts.MAX_POINTS) {
            throw new BadRequestResponse("points: " + points + " is outside " + MinMaxDownsampling.MIN_POINTS + ".." + CurveCharts.MAX_POINTS);
        }
        String smoothText = ctx.queryParam("smooth");
        double smooth;
        try {
            smooth = smoothText == null || smoothText.isBlank() ? 0 : Double.parseDouble(smoothText);
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("smooth: \"" + smoothText + "\" is not a number (0 is off, up to " + DebiasedEma.MAX_WEIGHT + ")");
        }
        if (!(smooth >= 0 && smooth <= DebiasedEma.MAX_WEIGHT)) {
            throw new BadRequestResponse("smooth: " + smoothText + " is outside 0.." + DebiasedEma.MAX_WEIGHT + " (0 is off)");
        }
        String group = ctx.queryParam("group");
        if (group != null && !group.isBlank() && !group.equals("seeds") && !group.equals("none")) {
            throw new BadRequestResponse("group: \"" + group + "\" is neither seeds nor none");
        }
        String xlog = ctx.queryParam("xlog");
        if (xlog != null && !xlog.isBlank() && !xlog.equals("true") && !xlog.equals("false")) {
            throw new BadRequestResponse("xlog: \"" + xlog + "\" is neither true nor false");
        }
        return new CurveCharts.Request(runs, metrics, points, smooth, "seeds".equals(group), "true".equals(xlog));
    }

    private static int integer(Context ctx, String name, int otherwise) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse(name + ": \"" + text + "\" is not a whole number");
        }
    }
}
