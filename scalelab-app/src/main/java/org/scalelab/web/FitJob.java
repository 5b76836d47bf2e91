package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.scalelab.InputException;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.ChinchillaFit;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.CurveFitter;
import org.scalelab.laws.LawFits;
import org.scalelab.report.ChinchillaRenderer;
import org.scalelab.report.CurveFitRenderer;
import org.scalelab.report.Report;
import org.scalelab.store.LabStore;
import org.scalelab.store.MissingScaleException;

/**
 * A fit as a background job ({@code POST /api/jobs {"kind": "fit", "law": ...}}): the same fit as
 * {@code scalelab fit LAW --query SQL}, option for option (see {@link LawFits}), so its saved record is the
 * command's. The request is checked and the data read (read-only) before the job is queued, so a bad
 * law, a missing column or a non-finite value answers 400 at once; the job then fits and opens the lab
 * for writing only to save the result.
 *
 * <p>Fields: {@code law}; the data, {@code import} (an import id, with {@code family} optionally) or
 * {@code query} (read-only SQL over the lab, as {@code --query}); {@code x}, {@code y} (columns; Chinchilla:
 * {@code params_col}, {@code tokens_col}, {@code compute_col}, {@code loss_col}); {@code bootstrap},
 * {@code seed}, {@code backtest}, {@code forecast} (list of x); power: {@code offset}; sigmoid:
 * {@code floor}, {@code ceiling} (number or "fit"); bnsl: {@code breaks}, {@code criterion}; Chinchilla:
 * {@code huber_delta}, {@code reduce}, {@code grid}, {@code drop_highest_loss}, {@code keep_replicates}.
 * Defaults are the command's.
 */
final class FitJob {
    private FitJob() {}

    /** How long saving waits for another process that holds the lab (a sweep writes a step at a time). */
    static final Duration SAVE_WAIT = Duration.ofSeconds(60);

    private static final Set<String> FIELDS = Set.of("kind", "law", "import", "family", "query", "x", "y", "bootstrap", "seed",
            "backtest", "forecast", "offset", "floor", "ceiling", "breaks", "criterion", "params_col", "tokens_col",
            "compute_col", "loss_col", "huber_delta", "reduce", "grid", "drop_highest_loss", "keep_replicates");

    /** A fit's report section (the renderer {@code --out} uses) and provenance, kept by result id for the page to draw. */
    interface Reports {
        void put(long resultId, LawViews.Kept kept);
    }

    static Jobs.Kind kind(Reports reports) {
        return (context, request) -> prepare(context, request, reports);
    }

    static Jobs.Prepared prepare(DashboardContext context, JsonNode r, Reports reports) {
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new BadRequestResponse(f + ": not a field of a fit request; the fields are " + String.join(", ",
                        FIELDS.stream().sorted().toList()));
            }
        }
        if (!r.hasNonNull("law")) {
            throw new BadRequestResponse("law: missing; give one of power, exp, sigmoid, bnsl, chinchilla");
        }
        LawFits.Law law = LawFits.Law.parse("law", RequestFields.text(r, "law", null));
        String sql = source(r);
        Function<List<String>, NumericTable> read = columns -> {
            try {
                return context.lab().read(store -> store.query(sql, columns));
            } catch (MissingScaleException e) {
                throw new InputException(e.getMessage(), e);
            }
        };
        int bootstrap = RequestFields.integer(r, "bootstrap", law == LawFits.Law.CHINCHILLA ? 1000 : 200);
        if (bootstrap < 0) {
            throw new BadRequestResponse("bootstrap: " + bootstrap + " must be ≥ 0 (0: no intervals)");
        }
        long seed = RequestFields.whole(r, "seed", 0);
        boolean backtest = RequestFields.bool(r, "backtest", true);
        if (law == LawFits.Law.CHINCHILLA) {
            ChinchillaFit.Options o = new ChinchillaFit.Options(RequestFields.number(r, "huber_delta", 1e-3),
                    ChinchillaFit.Reduce.parse(RequestFields.text(r, "reduce", "sum")),
                    ChinchillaFit.Grid.parse(RequestFields.text(r, "grid", "default")),
                    RequestFields.integer(r, "drop_highest_loss", 0), bootstrap, seed, Runtime.getRuntime().availableProcessors());
            boolean keep = RequestFields.bool(r, "keep_replicates", false);
            LawFits.Columns columns = new LawFits.Columns(RequestFields.text(r, "params_col", "params"),
                    RequestFields.text(r, "tokens_col", null), RequestFields.text(r, "compute_col", null),
                    RequestFields.text(r, "loss_col", "loss"));
            LawFits.Runs d = LawFits.runs(read, columns, "tokens_col", "compute_col");
            return new Jobs.Prepared("chinchilla fit of " + d.params().length + " runs", job -> {
                LawFits.Chinchilla fit = LawFits.chinchilla(d, o, backtest, keep);
                Report report = Report.create("ScaleLab — " + law.analysis());
                ChinchillaRenderer.section(report, fit.saved(), fit.full().replicates(), d.params(), d.tokens(), d.loss());
                return save(context, job, law.analysis(), fit.saved(), fit.saved().provenance(), report, reports);
            });
        }
        LawFits.CurveOptions o = new LawFits.CurveOptions(bootstrap, seed, backtest, forecast(r), RequestFields.bool(r, "offset", true),
                level(r, "floor", 0.0), level(r, "ceiling", 1.0), RequestFields.integer(r, "breaks", 2), criterion(r));
        String xCol = RequestFields.text(r, "x", "params");
        String yCol = RequestFields.text(r, "y", law == LawFits.Law.SIGMOID ? "accuracy" : "loss");
        CurveData d = new CurveData(read.apply(List.of(xCol, yCol)), xCol, yCol);
        return new Jobs.Prepared(law.id() + " fit of " + yCol + " against " + xCol + " (" + d.x().length + " points)", job -> {
            CurveFitResult fit = LawFits.curve(law, d, o);
            Report report = Report.create("ScaleLab — " + law.analysis());
            CurveFitRenderer.section(report, fit, d.x(), d.y(), xCol, yCol, d.table().source());
            return save(context, job, law.analysis(), fit, fit.provenance(), report, reports);
        });
    }

    /** Saves the result, unless the job was cancelled: the lab is opened for writing only for this. */
    private static Long save(DashboardContext context, Jobs.Job job, String analysis, Object result,
            org.scalelab.Provenance provenance, Report report, Reports reports) {
        job.say("saving the result");
        long id;
        // The snapshot keeper's copy takes this monitor too: its file lock belongs to the whole process, so only
        // the monitor keeps it from copying (and, closing its channel, unlocking) the store while this writes.
        synchronized (LabStore.processHold(context.lab().lab())) {
            try (LabStore store = LabStore.open(context.lab().lab(), new LabStore.Wait(SAVE_WAIT, m -> { }))) {
                id = store.saveResult(analysis, result, provenance);
            }
        }
        reports.put(id, new LawViews.Kept(analysis, report, provenance));
        return id;
    }

    /** The query the data come from: {@code query} as given, or the points of one import (and family). */
    static String source(JsonNode r) {
        boolean hasQuery = r.hasNonNull("query");
        boolean hasImport = r.hasNonNull("import");
        if (hasQuery == hasImport) {
            throw new BadRequestResponse(hasQuery ? "give either import or query, not both"
                    : "no data: give import (an import id of the lab) or query (SQL such as SELECT params, loss FROM points)");
        }
        if (hasQuery) {
            if (r.hasNonNull("family")) {
                throw new BadRequestResponse("family: filters an import's points; with a query, filter in its WHERE clause");
            }
            String q = RequestFields.text(r, "query", null);
            if (q.isBlank()) {
                throw new BadRequestResponse("query: empty; give SQL such as SELECT params, loss FROM points");
            }
            return q;
        }
        JsonNode imp = r.get("import");
        if (!imp.canConvertToLong() || !imp.isIntegralNumber()) {
            throw new BadRequestResponse("import: " + InputException.quote(imp.asText()) + " is not an import id (a whole number)");
        }
        String sql = "SELECT * FROM points WHERE import_id = " + imp.asLong();
        if (r.hasNonNull("family")) {
            sql += " AND family = '" + RequestFields.text(r, "family", null).replace("'", "''") + "'";
        }
        return sql;
    }

    /** A sigmoid's asymptote: a number, or "fit" (null: fitted). */
    private static Double level(JsonNode r, String field, double fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isTextual() && "fit".equalsIgnoreCase(v.asText().trim())) {
            return null;
        }
        return RequestFields.number(r, field, fallback);
    }

    private static CurveFitter.Criterion criterion(JsonNode r) {
        String c = RequestFields.text(r, "criterion", "bic");
        for (CurveFitter.Criterion k : CurveFitter.Criterion.values()) {
            if (k.name().equalsIgnoreCase(c)) {
                return k;
            }
        }
        throw new BadRequestResponse("criterion: " + InputException.quote(c) + " is not aic or bic");
    }

    private static List<Double> forecast(JsonNode r) {
        JsonNode v = r.get("forecast");
        List<Double> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new BadRequestResponse("forecast: " + InputException.quote(v.toString()) + " must be a list of x values, e.g. [1e12, 1e13]");
        }
        for (JsonNode x : v) {
            if (!x.isNumber() || !(x.asDouble() > 0) || !Double.isFinite(x.asDouble())) {
                throw new BadRequestResponse("forecast: x = " + x + " must be a number > 0");
            }
            out.add(x.asDouble());
        }
        return out;
    }
}
