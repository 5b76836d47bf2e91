package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.NotFoundResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.laws.LawFits;
import org.scalelab.store.QueryResult;
import org.scalelab.store.ResultSummary;
import org.scalelab.store.StoredResult;

/**
 * The Laws page's data and the dashboard's jobs: what can be fitted (the lab's imports and their
 * families), the saved fits with their views and provenance, two fits compared on one chart, and
 * {@code /api/jobs} where a fit is started (see {@link FitJob}, {@link Jobs}).
 *
 * <p>{@code GET /api/laws/data} → imports, laws, whether jobs are allowed; {@code GET /api/laws/fits} →
 * saved fits, newest first; {@code GET /api/laws/fits/{id}} → the fit's view and provenance;
 * {@code GET /api/laws/compare?a=ID&b=ID} → one chart with both fits' data, curves and bands.
 */
final class LawsApi implements DashboardRoutes {
    /** How many fits' full report sections (with their bootstrap bands) the server keeps after fitting them. */
    static final int KEPT_REPORTS = 64;

    /** What the page offers to fit: the lab's imports (with their families) and the laws. */
    record Data(boolean allowJobs, List<ImportChoice> imports, List<String> laws) {}

    /** One import: its id, source file, number of runs and families. */
    record ImportChoice(long id, String source, long rows, List<String> families) {}

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        Map<Long, LawViews.Kept> reports = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, LawViews.Kept> eldest) {
                return size() > KEPT_REPORTS;
            }
        });
        Jobs jobs = new Jobs(context, Map.of("fit", FitJob.kind(reports::put), "sweep", SweepJob::prepare));
        jobs.add(routes);
        routes.get("/api/laws/data", ctx -> ctx.json(data(context)));
        routes.get("/api/laws/fits", ctx -> ctx.json(fits(context)));
        routes.get("/api/laws/fits/{id}", ctx -> ctx.json(LawViews.fit(context, id(ctx.pathParam("id"), "id"), reports)));
        routes.get("/api/laws/compare", ctx -> ctx.json(LawViews.compare(context,
                id(ctx.queryParam("a"), "a"), id(ctx.queryParam("b"), "b"), reports)));
    }

    static long id(String text, String parameter) {
        if (text == null || text.isBlank()) {
            throw new BadRequestResponse(parameter + ": missing; give a result id");
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse(parameter + ": " + org.scalelab.InputException.quote(text) + " is not a result id");
        }
    }

    static Data data(DashboardContext context) {
        QueryResult q = context.lab().read(store -> store.sql("SELECT i.import_id, i.source, i.rows, "
                + "list_sort(list_distinct(list(r.family) FILTER (WHERE r.family IS NOT NULL))) "
                + "FROM imports i LEFT JOIN runs r USING (import_id) GROUP BY ALL ORDER BY i.import_id", 10_000));
        List<ImportChoice> imports = new ArrayList<>();
        for (List<Object> row : q.rows()) {
            List<String> families = new ArrayList<>();
            if (row.get(3) instanceof List<?> l) {
                l.forEach(f -> families.add(String.valueOf(f)));
            } else if (row.get(3) != null) {
                families.addAll(parseList(String.valueOf(row.get(3))));
            }
            imports.add(new ImportChoice(((Number) row.get(0)).longValue(), String.valueOf(row.get(1)),
                    ((Number) row.get(2)).longValue(), families));
        }
        List<String> laws = Arrays.stream(LawFits.Law.values()).map(LawFits.Law::id).toList();
        return new Data(context.options().allowJobs(), imports, laws);
    }

    private static List<String> parseList(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        List<String> out = new ArrayList<>();
        for (String s : t.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** The saved fits of a law (not shape tests), newest first. */
    static List<ResultSummary> fits(DashboardContext context) {
        List<ResultSummary> all = context.lab().read(store -> store.listResults());
        List<ResultSummary> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (isLawFit(all.get(i).analysis())) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    static boolean isLawFit(String analysis) {
        return Arrays.stream(LawFits.Law.values()).anyMatch(l -> l.analysis().equals(analysis));
    }

    static StoredResult load(DashboardContext context, long id) {
        StoredResult r;
        try {
            r = context.lab().read(store -> store.loadResult(id));
        } catch (org.scalelab.InputException e) {
            throw new NotFoundResponse(e.getMessage());
        }
        if (!isLawFit(r.analysis())) {
            throw new BadRequestResponse("result " + id + " is a " + r.analysis() + " result, not a law's fit");
        }
        return r;
    }
}
