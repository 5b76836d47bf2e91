package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.scalelab.io.Json;
import org.scalelab.laws.BrokenPowerLawFit;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.CurveFitter;
import org.scalelab.laws.ExponentialDecayFit;
import org.scalelab.laws.PowerLawFit;
import org.scalelab.laws.ShapeTest;
import org.scalelab.laws.SigmoidFit;
import org.scalelab.store.StoredResult;

/**
 * A saved single-variable fit done again on its own input with the options and seed its provenance
 * recorded, for what the saved record leaves out (the fitted curve, the bootstrap replicates behind the
 * band). The fits are deterministic given their seed, so the refit is the fit the command made; it is
 * used only when its record equals the saved one ({@link #differs}).
 */
final class SavedFits {
    private SavedFits() {}

    /** Refits kept, newest used last: a page's view and its plot downloads would each refit otherwise. */
    private static final int KEPT = 16;

    private static final java.util.Map<String, Object> KEPT_REFITS = new java.util.LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Object> eldest) {
            return size() > KEPT;
        }
    };

    /**
     * The refit of {@code stored} on an input whose hash was just checked against the recorded one: made by
     * {@code refit} once, then kept (the fits are deterministic, so the same result and input give the same refit).
     */
    @SuppressWarnings("unchecked")
    static <T> T kept(StoredResult stored, java.util.function.Supplier<T> refit) {
        String key = stored.resultId() + "|" + stored.createdAt() + "|" + stored.inputs();
        synchronized (KEPT_REFITS) {
            Object r = KEPT_REFITS.get(key);
            if (r != null) {
                return (T) r;
            }
        }
        T r = refit.get();
        synchronized (KEPT_REFITS) {
            KEPT_REFITS.put(key, r);
        }
        return r;
    }

    /** The law {@code analysis} (fit.power|exp|sigmoid|bnsl) fitted again to {@code data} with the recorded options. */
    static CurveFitResult refit(String analysis, CurveData data, JsonNode options) {
        int bootstrap = options.path("bootstrap").asInt();
        long seed = options.path("seed").asLong();
        boolean backtest = options.path("backtest").asBoolean(true);
        List<Double> forecastX = new ArrayList<>();
        options.path("forecast_x").forEach(v -> forecastX.add(v.asDouble()));
        return switch (analysis) {
            case "fit.power" -> PowerLawFit.analyze(data,
                    new PowerLawFit.Options(options.path("offset").asBoolean(), bootstrap, seed, backtest, forecastX));
            case "fit.exp" -> ExponentialDecayFit.analyze(data, new CurveFitter.Options(bootstrap, seed, backtest, forecastX));
            case "fit.sigmoid" -> SigmoidFit.analyze(data, new SigmoidFit.Options(level(options.path("floor")),
                    level(options.path("ceiling")), bootstrap, seed, backtest, forecastX));
            case "fit.bnsl" -> BrokenPowerLawFit.analyze(data, new BrokenPowerLawFit.Options(options.path("max_breaks").asInt(),
                    CurveFitter.Criterion.valueOf(options.path("criterion").asText().toUpperCase(Locale.ROOT)), bootstrap, seed,
                    backtest, forecastX));
            default -> throw new IllegalArgumentException("not a curve fit: " + analysis);
        };
    }

    /** The shape test done again on {@code data} with the recorded options. */
    static ShapeTest.Result retest(CurveData data, JsonNode options) {
        return ShapeTest.analyze(data, new ShapeTest.Options(options.path("alpha").asDouble(), options.path("bootstrap").asInt(),
                options.path("seed").asLong()));
    }

    /** A sigmoid asymptote as recorded: a number, or "fit" (null) when it was fitted. */
    private static Double level(JsonNode v) {
        return v.isNumber() ? v.asDouble() : null;
    }

    /**
     * Null when {@code again}'s record equals the saved one (provenance aside, which holds the time it
     * was made); otherwise the first field that differs.
     */
    static String differs(Object again, StoredResult stored) {
        JsonNode now;
        try {
            // written and read back, so that numbers get the node types the saved JSON was read with
            now = Json.mapper().readTree(Json.write(again));
        } catch (java.io.IOException e) {
            return "its refit cannot be compared with the saved record (" + e.getMessage() + ")";
        }
        JsonNode then = stored.result();
        if (now instanceof ObjectNode n && then instanceof ObjectNode t) {
            n = n.deepCopy();
            t = t.deepCopy();
            n.remove("provenance");
            t.remove("provenance");
            if (n.equals(t)) {
                return null;
            }
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!t.get(f).equals(n.get(f))) {
                    return "fitting its input again with the recorded options and seed gives a different " + f
                            + " than the saved record (it was probably saved by another version)";
                }
            }
        }
        return "fitting its input again with the recorded options and seed gives a different record than the saved one "
                + "(it was probably saved by another version)";
    }
}
