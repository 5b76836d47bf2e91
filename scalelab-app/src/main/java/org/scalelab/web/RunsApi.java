package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.time.Duration;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.store.RunTable;

/**
 * The runs and the read-only SQL box. {@code GET /api/runs} answers one page of the runs table,
 * filtered, sorted and cut in DuckDB; {@code GET /api/runs/training} the training runs of an
 * experiment; {@code POST /api/sql} one reading statement, with the same checks as {@code scalelab runs sql}
 * on the dashboard's read-only view of the lab (no other file readable or writable) and a time limit.
 */
final class RunsApi implements DashboardRoutes {
    /** How long a query of the SQL box may run. */
    static final Duration SQL_TIME_LIMIT = Duration.ofSeconds(10);
    /** How long one page of the runs table may take. */
    static final Duration TABLE_TIME_LIMIT = Duration.ofSeconds(10);
    /** Rows a SQL box answer keeps unless the request asks for fewer. */
    static final int SQL_MAX_ROWS = 10_000;

    @Override
    public void add(RoutesConfig routes, DashboardContext context) {
        routes.get("/api/runs", ctx -> {
            RunTable.Query q = new RunTable.Query(ctx.queryParam("q"), ctx.queryParam("family"), ctx.queryParam("model"),
                    ctx.queryParam("sort"), bool(ctx, "desc"), number(ctx, "offset", 0),
                    (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(ctx, "limit", 100))));
            ctx.json(context.lab().read(store -> store.runTable(q, TABLE_TIME_LIMIT)));
        });
        routes.get("/api/runs/training", ctx -> {
            String experiment = ctx.queryParam("experiment");
            String e = experiment == null || experiment.isBlank() ? null : experiment.strip();
            ctx.json(context.lab().read(store -> store.trainingRuns(e)));
        });
        routes.post("/api/sql", ctx -> {
            JsonNode body = body(ctx);
            JsonNode sql = body.path("sql");
            if (!sql.isTextual() || sql.asText().isBlank()) {
                throw new BadRequestResponse("sql: give one reading statement as text, e.g. {\"sql\": \"SELECT * FROM points LIMIT 10\"}");
            }
            JsonNode max = body.path("maxRows");
            int maxRows = SQL_MAX_ROWS;
            if (!max.isMissingNode() && !max.isNull()) {
                if (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 0 || max.asInt() > SQL_MAX_ROWS) {
                    throw new BadRequestResponse("maxRows: " + max + " must be a whole number from 0 to " + SQL_MAX_ROWS);
                }
                maxRows = max.asInt();
            }
            int rows = maxRows;
            try {
                ctx.json(context.lab().read(store -> store.sql(sql.asText(), rows, SQL_TIME_LIMIT)));
            } catch (ScaleLabException e) {
                throw new BadRequestResponse(oneLine(e.getMessage()).replace("--timeout SECONDS", "`scalelab runs sql --timeout SECONDS`"));
            }
        });
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = Json.mapper().readTree(ctx.body());
            if (body == null || !body.isObject()) {
                throw new BadRequestResponse("the request body must be a JSON object {\"sql\": \"...\", \"maxRows\": 1000}");
            }
            return body;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequestResponse("the request body is not JSON: " + Json.problem(e));
        }
    }

    /** A message on one line (a statement spread over lines is quoted in it). */
    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static boolean bool(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank() || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        throw new BadRequestResponse(name + ": '" + v + "' must be true or false");
    }

    private static long number(Context ctx, String name, long otherwise) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse(name + ": '" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "' is not a whole number");
        }
    }
}
