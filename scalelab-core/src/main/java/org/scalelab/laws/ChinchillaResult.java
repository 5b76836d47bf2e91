package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.Provenance;

/**
 * A fitted Chinchilla law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2) with its
 * status, bootstrap uncertainty and the options that produced it. Non-finite numbers are stored as
 * null so that the JSON stays valid.
 *
 * @param law               always "chinchilla"
 * @param status            converged / not_converged / degenerate
 * @param reason            why the status is not "converged" (null when it is)
 * @param params            E, A, B, alpha, beta
 * @param logParams         the optimiser's coordinates a = log A, b = log B, e = log E, alpha, beta
 * @param computeOptimal    exponents of the compute-optimal allocation: a = β/(α+β), b = α/(α+β), G
 * @param objective         Huber objective at the optimum (summed or averaged, see {@code reduce})
 * @param nPoints           runs used in the fit (after dropping)
 * @param nDropped          runs removed by drop-highest-loss
 * @param se                bootstrap standard errors (empty without bootstrap)
 * @param ci95              bootstrap 95 % percentile intervals [lo, hi] (empty without bootstrap)
 * @param starts            starting points tried
 * @param convergedStarts   starts whose L-BFGS run converged
 * @param optimizer         stopping status of the winning start
 * @param iterations        L-BFGS iterations of the winning start
 * @param evaluations       value+gradient evaluations over all starts
 * @param gridIterations    L-BFGS iterations over all starts (with {@code evaluations}, the work scipy reports as nit and nfev)
 * @param huberDelta        Huber δ on the log residual
 * @param reduce            "sum" or "mean" over points
 * @param grid              start grid as a spec ("alpha=0:2:0.5,…")
 * @param dropHighestLoss   K of drop-highest-loss
 * @param bootstrap         bootstrap replicates requested
 * @param bootstrapConverged replicates whose refit converged (the ones the intervals use)
 * @param seed              bootstrap seed
 * @param threads           worker threads used
 * @param seconds           wall time of the grid fit
 * @param bootstrapSeconds  wall time of the bootstrap
 * @param replicates        converged bootstrap replicates as [E, A, B, alpha, beta] (for forecasts)
 * @param backtest          extrapolation backtest on the largest-compute runs (null when not run)
 * @param provenance        inputs, options, version
 */
public record ChinchillaResult(
        String law,
        FitStatus status,
        String reason,
        Map<String, Double> params,
        Map<String, Double> logParams,
        Map<String, Double> computeOptimal,
        Double objective,
        int nPoints,
        int nDropped,
        Map<String, Double> se,
        Map<String, List<Double>> ci95,
        int starts,
        int convergedStarts,
        Lbfgs.Status optimizer,
        int iterations,
        long evaluations,
        long gridIterations,
        double huberDelta,
        String reduce,
        String grid,
        int dropHighestLoss,
        int bootstrap,
        int bootstrapConverged,
        long seed,
        int threads,
        double seconds,
        double bootstrapSeconds,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<double[]> replicates,
        Backtest.Result backtest,
        Provenance provenance) {

    /** Names of the law's parameters, in the order of {@link Params} and of each replicate row. */
    public static final List<String> PARAM_NAMES = List.of("E", "A", "B", "alpha", "beta");

    /**
     * The five parameters of L(N, D) = E + A/N^α + B/D^β.
     *
     * @param E     irreducible loss (nats per token)
     * @param A     model-size term coefficient
     * @param B     data term coefficient
     * @param alpha model-size exponent
     * @param beta  data exponent
     */
    public record Params(double E, double A, double B, double alpha, double beta) {

        /** From the optimiser's log-space coordinates x = [a, b, e, alpha, beta]. */
        public static Params fromLogSpace(double[] x) {
            return new Params(Math.exp(x[2]), Math.exp(x[0]), Math.exp(x[1]), x[3], x[4]);
        }

        /** From a row [E, A, B, alpha, beta] (a replicate). */
        public static Params fromRow(double[] row) {
            return new Params(row[0], row[1], row[2], row[3], row[4]);
        }

        public double[] row() {
            return new double[] {E, A, B, alpha, beta};
        }

        /** Predicted loss L(N, D) (Hoffmann et al. 2022, eq. 2). */
        public double loss(double n, double d) {
            return E + A / Math.pow(n, alpha) + B / Math.pow(d, beta);
        }

        public Map<String, Double> asMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("E", finiteOrNull(E));
            m.put("A", finiteOrNull(A));
            m.put("B", finiteOrNull(B));
            m.put("alpha", finiteOrNull(alpha));
            m.put("beta", finiteOrNull(beta));
            return m;
        }

        public boolean isFinite() {
            return Double.isFinite(E) && Double.isFinite(A) && Double.isFinite(B)
                    && Double.isFinite(alpha) && Double.isFinite(beta);
        }
    }

    /** The fitted parameters as a record (NaN where the JSON holds null). */
    public Params fitted() {
        return new Params(orNaN(params.get("E")), orNaN(params.get("A")), orNaN(params.get("B")),
                orNaN(params.get("alpha")), orNaN(params.get("beta")));
    }

    /** The same result without the replicate rows (compact JSON; intervals and standard errors stay). */
    public ChinchillaResult withoutReplicates() {
        return new ChinchillaResult(law, status, reason, params, logParams, computeOptimal, objective, nPoints,
                nDropped, se, ci95, starts, convergedStarts, optimizer, iterations, evaluations, gridIterations, huberDelta, reduce,
                grid, dropHighestLoss, bootstrap, bootstrapConverged, seed, threads, seconds, bootstrapSeconds,
                List.of(), backtest, provenance);
    }

    /** The same result with an extrapolation backtest attached (see {@link ChinchillaFit#backtest}). */
    public ChinchillaResult withBacktest(Backtest.Result result) {
        return new ChinchillaResult(law, status, reason, params, logParams, computeOptimal, objective, nPoints,
                nDropped, se, ci95, starts, convergedStarts, optimizer, iterations, evaluations, gridIterations, huberDelta, reduce,
                grid, dropHighestLoss, bootstrap, bootstrapConverged, seed, threads, seconds, bootstrapSeconds,
                replicates, result, provenance);
    }

    /** The same result with {@code provenance} in place of its own (e.g. with the columns its runs were read from). */
    public ChinchillaResult withProvenance(Provenance provenance) {
        return new ChinchillaResult(law, status, reason, params, logParams, computeOptimal, objective, nPoints,
                nDropped, se, ci95, starts, convergedStarts, optimizer, iterations, evaluations, gridIterations, huberDelta, reduce,
                grid, dropHighestLoss, bootstrap, bootstrapConverged, seed, threads, seconds, bootstrapSeconds,
                replicates, backtest, provenance);
    }

    /** The converged bootstrap replicates as records. */
    public List<Params> replicateParams() {
        return replicates == null ? List.of() : replicates.stream().map(Params::fromRow).toList();
    }

    static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
