package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scalelab.Provenance;
import org.scalelab.stats.BootstrapSummary;

/**
 * The fit of one {@link CurveLaw}: the one result (and JSON form) of every single-variable law.
 *
 * @param law        the law's name ("power", "sigmoid", "bnsl", "exp")
 * @param form       its formula
 * @param status     converged, not_converged or degenerate (see reason)
 * @param reason     why the fit is not converged or degenerate, else null
 * @param warnings   caveats that do not change the status
 * @param parameters every parameter (for a law with breaks: those before the breaks), then the derived
 *                   quantities (x_c, x50), each with se and 95 % CI
 * @param nPoints    number of (x, y) points
 * @param rss        residual sum of squares of the reported fit, on log y for laws fitted in log space
 *                   (power, bnsl), on y otherwise (sigmoid, exp)
 * @param rmse       √(rss / n_points)
 * @param nBreaks    breaks of the reported fit (laws with breaks only, else absent from JSON)
 * @param criterion  "aic" or "bic", which chose the number of breaks (laws with breaks only)
 * @param breaks     each break's location d, slope change c and sharpness f (laws with breaks only)
 * @param candidates the fit with every number of breaks tried (laws with breaks only)
 * @param bootstrap  pairs-bootstrap replicates and seed (null without bootstrap)
 * @param forecasts  y at the asked x, with bootstrap 95 % intervals
 * @param backtest   extrapolation error on the largest x values (null when not asked)
 * @param estimate   the natural parameters (NaN when the fit failed); not in JSON
 * @param replicates each bootstrap replicate's natural parameters (NaN rows failed); not in JSON
 * @param bootstrapSamples replicates of each estimated or derived quantity, for histograms; not in JSON
 * @param curve      the law, for predictions; not in JSON
 */
public record CurveFitResult(String law, String form, FitStatus status, String reason, List<String> warnings,
                             List<FittedParameter> parameters, int nPoints, Double rss, Double rmse,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer nBreaks,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String criterion,
                             @JsonInclude(JsonInclude.Include.NON_NULL) List<Break> breaks,
                             @JsonInclude(JsonInclude.Include.NON_NULL) List<Candidate> candidates,
                             BootstrapSummary bootstrap, List<CurveForecast> forecasts,
                             Backtest.Result backtest, @JsonIgnore double[] estimate, @JsonIgnore double[][] replicates,
                             @JsonIgnore Map<String, double[]> bootstrapSamples, @JsonIgnore CurveLaw curve,
                             Provenance provenance) {

    /** One break: location d (input x units), slope change c, sharpness f. */
    public record Break(FittedParameter d, FittedParameter c, FittedParameter f) {}

    /** The fit with k breaks (point estimates only), its fit quality and information criteria. */
    public record Candidate(int nBreaks, int nParams, FitStatus status, String reason, Double rss, Double aic,
                            Double bic, Map<String, Double> parameters) {}

    /** The fitted curve at x (NaN when the fit failed). */
    public double predict(double x) {
        return curve.value(estimate, x);
    }

    /** Bootstrap replicate b's curve at x (NaN when that refit failed or there was no bootstrap). */
    public double predictReplicate(int b, double x) {
        if (b >= replicates.length) {
            return Double.NaN;
        }
        return curve.value(java.util.Arrays.copyOf(replicates[b], estimate.length), x);
    }

    /** True when there is a fitted curve to draw (the parameters are estimated). */
    @JsonIgnore
    public boolean fitted() {
        return CurveFit.allFinite(estimate);
    }

    /** The parameters, then each break's c, d and f. */
    @JsonIgnore
    public List<FittedParameter> allParameters() {
        if (breaks == null) {
            return parameters;
        }
        List<FittedParameter> all = new ArrayList<>(parameters);
        for (Break b : breaks) {
            all.add(b.c());
            all.add(b.d());
            all.add(b.f());
        }
        return all;
    }

    public FittedParameter parameter(String name) {
        return FittedParameter.named(allParameters(), name);
    }

    /** Number of bootstrap replicates (0 without bootstrap). */
    @JsonIgnore
    public int replicateCount() {
        return bootstrap == null ? 0 : bootstrap.replicates();
    }
}
