package org.scalelab.laws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * Compute-optimal allocation and loss forecasts from a fitted Chinchilla law.
 *
 * <p>With training compute C ≈ 6·N·D, minimising L(N, D) = E + A/N^α + B/D^β along C = 6ND gives
 * (Hoffmann et al. 2022, eq. 4 and Appendix D):
 * N_opt(C) = G·(C/6)^a, D_opt(C) = G⁻¹·(C/6)^b, with G = (αA / (βB))^(1/(α+β)), a = β/(α+β),
 * b = α/(α+β). Uncertainty comes from evaluating the same formula at every bootstrap replicate's
 * parameters and taking percentile intervals (the replicate spread, not a delta-method guess).
 */
public final class ComputeOptimal {
    private ComputeOptimal() {}

    /** Training FLOP per parameter per token (forward + backward), Kaplan et al. 2020 / Hoffmann et al. 2022. */
    public static final double FLOP_PER_PARAM_TOKEN = 6.0;

    /** a = β/(α+β): N_opt ∝ C^a. */
    public static double exponentA(ChinchillaResult.Params p) {
        return p.beta() / (p.alpha() + p.beta());
    }

    /** b = α/(α+β): D_opt ∝ C^b. */
    public static double exponentB(ChinchillaResult.Params p) {
        return p.alpha() / (p.alpha() + p.beta());
    }

    /** G = (αA / (βB))^(1/(α+β)). */
    public static double coefficientG(ChinchillaResult.Params p) {
        return Math.pow(p.alpha() * p.A() / (p.beta() * p.B()), 1.0 / (p.alpha() + p.beta()));
    }

    /** N_opt(C) = G·(C/6)^a. */
    public static double optimalParams(ChinchillaResult.Params p, double compute) {
        return coefficientG(p) * Math.pow(compute / FLOP_PER_PARAM_TOKEN, exponentA(p));
    }

    /** D_opt(C) = G⁻¹·(C/6)^b; N_opt·D_opt = C/6. */
    public static double optimalTokens(ChinchillaResult.Params p, double compute) {
        return Math.pow(compute / FLOP_PER_PARAM_TOKEN, exponentB(p)) / coefficientG(p);
    }

    /**
     * A point estimate with its bootstrap 95 % percentile interval and standard error (null when
     * there are no replicates or the value is not finite).
     */
    public record Estimate(Double value, Double lo, Double hi, Double se) {
        static Estimate of(double value, double[] samples) {
            if (samples.length == 0) {
                return new Estimate(ChinchillaResult.finiteOrNull(value), null, null, null);
            }
            double[] iv = Quantiles.percentileInterval(samples, 0.95);
            return new Estimate(ChinchillaResult.finiteOrNull(value), ChinchillaResult.finiteOrNull(iv[0]),
                    ChinchillaResult.finiteOrNull(iv[1]), ChinchillaResult.finiteOrNull(Bootstrap.standardError(samples)));
        }
    }

    /** The compute-optimal model for one budget C (FLOP). */
    public record Allocation(double compute, Estimate params, Estimate tokens, Estimate tokensPerParam, Estimate loss) {}

    /** Predicted loss at a given model size N and token count D. */
    public record LossPrediction(double params, double tokens, Estimate loss) {}

    /**
     * A forecast: allocations for budgets and/or losses at (N, D) points, from a fit's parameters and
     * its bootstrap replicates (the intervals are their 2.5 and 97.5 percentiles).
     */
    public record Forecast(String law, Map<String, Double> params, Map<String, Double> exponents,
                           int replicates, List<Allocation> budgets, List<LossPrediction> points,
                           Provenance provenance) {}

    /** Allocation for one budget: N_opt, D_opt, D_opt/N_opt and L(N_opt, D_opt), with replicate CIs. */
    public static Allocation allocate(ChinchillaResult.Params fit, List<ChinchillaResult.Params> replicates, double compute) {
        if (!(compute > 0) || !Double.isFinite(compute)) {
            throw new org.scalelab.InputException("--compute " + compute + ": a budget must be a positive number of FLOP");
        }
        int r = replicates.size();
        double[] n = new double[r];
        double[] d = new double[r];
        double[] ratio = new double[r];
        double[] loss = new double[r];
        for (int i = 0; i < r; i++) {
            ChinchillaResult.Params p = replicates.get(i);
            n[i] = optimalParams(p, compute);
            d[i] = optimalTokens(p, compute);
            ratio[i] = d[i] / n[i];
            loss[i] = p.loss(n[i], d[i]);
        }
        double n0 = optimalParams(fit, compute);
        double d0 = optimalTokens(fit, compute);
        return new Allocation(compute, Estimate.of(n0, n), Estimate.of(d0, d), Estimate.of(d0 / n0, ratio),
                Estimate.of(fit.loss(n0, d0), loss));
    }

    /** Predicted loss L(N, D) with replicate CIs. */
    public static LossPrediction lossAt(ChinchillaResult.Params fit, List<ChinchillaResult.Params> replicates,
                                        double params, double tokens) {
        if (!(params > 0) || !(tokens > 0) || !Double.isFinite(params) || !Double.isFinite(tokens)) {
            throw new org.scalelab.InputException("--params " + params + " --tokens " + tokens + ": both must be positive numbers");
        }
        double[] loss = new double[replicates.size()];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = replicates.get(i).loss(params, tokens);
        }
        return new LossPrediction(params, tokens, Estimate.of(fit.loss(params, tokens), loss));
    }

    /**
     * Forecast from a fit: one allocation per budget and one loss per (params[i], tokens[i]) pair.
     * Either array may be empty.
     */
    public static Forecast forecast(ChinchillaResult.Params fit, List<ChinchillaResult.Params> replicates,
                                    double[] budgets, double[] params, double[] tokens, Provenance provenance) {
        if (params.length != tokens.length) {
            throw new org.scalelab.InputException("forecast: " + params.length + " --params values but "
                    + tokens.length + " --tokens values; give them in pairs");
        }
        List<Allocation> allocations = new ArrayList<>();
        for (double c : budgets) {
            allocations.add(allocate(fit, replicates, c));
        }
        List<LossPrediction> points = new ArrayList<>();
        for (int i = 0; i < params.length; i++) {
            points.add(lossAt(fit, replicates, params[i], tokens[i]));
        }
        Map<String, Double> exponents = new LinkedHashMap<>();
        exponents.put("a", ChinchillaResult.finiteOrNull(exponentA(fit)));
        exponents.put("b", ChinchillaResult.finiteOrNull(exponentB(fit)));
        exponents.put("G", ChinchillaResult.finiteOrNull(coefficientG(fit)));
        return new Forecast("chinchilla", fit.asMap(), exponents, replicates.size(), allocations, points, provenance);
    }

    /** Forecast from a fit result, using its stored bootstrap replicates for the intervals. */
    public static Forecast forecast(ChinchillaResult result, double[] budgets, double[] params, double[] tokens) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("compute", budgets);
        options.put("params", params);
        options.put("tokens", tokens);
        options.put("fit", result.provenance() == null ? null : result.provenance().options());
        Provenance provenance = Provenance.of("forecast chinchilla",
                result.provenance() == null ? List.of() : result.provenance().inputs(), options, result.seed());
        return forecast(result.fitted(), result.replicateParams(), budgets, params, tokens, provenance);
    }
}
