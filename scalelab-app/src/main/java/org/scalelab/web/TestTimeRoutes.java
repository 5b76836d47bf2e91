package org.scalelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scalelab.laws.Reliability;

/**
 * The Test-time &amp; reliability page's own endpoint, the nines planner:
 * {@code GET /api/testtime/reliability?p=0.99,0.999&steps=10,100[&rho=0]} answers task success per per-step
 * accuracy and number of steps; {@code ?target=0.9&steps=10,100[&rho=0]} answers the per-step accuracy a
 * target success needs. Both run {@link Reliability#analyze}, the analysis {@code scalelab reliability}
 * runs with the same options, and answer {@code {"analysis", "result"}}, where {@code result} is the record
 * {@code scalelab reliability --json} prints. Nothing is saved. The page's saved results come from
 * {@code /api/results}.
 */
final class TestTimeRoutes implements DashboardRoutes {
    /** More values than a person types into the planner: a larger request is a mistake or an attack. */
    static final int MAX_VALUES = 100;

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/testtime/reliability", TestTimeRoutes::reliability);
    }

    private static void reliability(Context ctx) {
        long[] steps = steps(ctx.queryParam("steps"));
        double rho = number("rho", ctx.queryParam("rho") == null ? "0" : ctx.queryParam("rho"));
        String target = ctx.queryParam("target");
        String p = ctx.queryParam("p");
        Map<String, Object> answer = new LinkedHashMap<>();
        if (target != null && p != null) {
            throw new BadRequestResponse("give either p (success of each per-step accuracy) or target (the accuracy a target success needs), not both");
        }
        if (target != null) {
            Reliability.Requirements r = Reliability.analyze(new Reliability.Targets(numbers("target", target), steps), new Reliability.Options(rho));
            answer.put("analysis", "reliability.requirement");
            answer.put("result", r);
        } else {
            if (p == null) {
                throw new BadRequestResponse("p: give per-step accuracies (e.g. 0.99,0.999), or target: the task success to reach");
            }
            Reliability.Table r = Reliability.analyze(new Reliability.Grid(numbers("p", p), steps), new Reliability.Options(rho));
            answer.put("analysis", "reliability.table");
            answer.put("result", r);
        }
        ctx.json(answer);
    }

    /** Numbers of steps: whole numbers ≥ 1, as {@code scalelab reliability --steps} takes them. */
    static long[] steps(String text) {
        if (text == null || text.isBlank()) {
            throw new BadRequestResponse("steps: give the numbers of steps (e.g. 10,100,1000)");
        }
        double[] v = numbers("steps", text);
        long[] n = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 1 || v[i] != Math.rint(v[i]) || v[i] > Long.MAX_VALUE) {
                throw new BadRequestResponse("steps: " + v[i] + " is not a whole number ≥ 1");
            }
            n[i] = (long) v[i];
        }
        return n;
    }

    /** A comma-separated list of finite numbers; a message naming the field and the value otherwise. */
    static double[] numbers(String field, String text) {
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_VALUES) {
            throw new BadRequestResponse(field + ": " + parts.length + " values; at most " + MAX_VALUES);
        }
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = number(field, parts[i]);
        }
        return v;
    }

    static double number(String field, String text) {
        String t = text.trim();
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new BadRequestResponse(field + ": '" + shorten(t) + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new BadRequestResponse(field + ": " + t + " is not finite");
        }
        return v;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
