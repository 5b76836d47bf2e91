package org.scalelab.laws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.NumericTable;

/**
 * A scaling law chosen by name, fitted the way {@code scalelab fit LAW} fits it: which analysis each
 * law runs, how the Chinchilla fit reads its runs (tokens, or compute / 6N) and adds its backtest. The
 * command line and the dashboard's fit jobs both go through here, so a fit started in either gives the
 * same record.
 */
public final class LawFits {
    private LawFits() {}

    /** The laws a fit may name, with the analysis name their results are saved under. */
    public enum Law {
        POWER, EXP, SIGMOID, BNSL, CHINCHILLA;

        /** The name a user types: {@code power}, {@code exp}, {@code sigmoid}, {@code bnsl}, {@code chinchilla}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The saved result's analysis name, e.g. {@code fit.power}. */
        public String analysis() {
            return "fit." + id();
        }

        /** The law named {@code name}; {@code field} names where it came from in the error. */
        public static Law parse(String field, String name) {
            for (Law l : values()) {
                if (l.id().equals(name)) {
                    return l;
                }
            }
            throw new InputException(field + ": " + InputException.quote(name) + " is not a law; give one of "
                    + String.join(", ", java.util.Arrays.stream(values()).map(Law::id).toList()));
        }
    }

    /**
     * The options of a single-variable law's fit (each law reads its own; see {@code scalelab fit LAW --help}).
     *
     * @param offset  power: fit E (false: Kaplan's pure power law)
     * @param floor   sigmoid: lower asymptote, or null to fit it
     * @param ceiling sigmoid: upper asymptote, or null to fit it
     * @param breaks  bnsl: the largest number of breaks tried
     * @param criterion bnsl: how the number of breaks is chosen
     */
    public record CurveOptions(int bootstrap, long seed, boolean backtest, List<Double> forecastX, boolean offset,
            Double floor, Double ceiling, int breaks, CurveFitter.Criterion criterion) {
        public CurveOptions {
            forecastX = List.copyOf(forecastX);
        }
    }

    /** Fits a single-variable law (any but {@link Law#CHINCHILLA}) to {@code d}. */
    public static CurveFitResult curve(Law law, CurveData d, CurveOptions o) {
        return switch (law) {
            case POWER -> PowerLawFit.analyze(d, new PowerLawFit.Options(o.offset(), o.bootstrap(), o.seed(), o.backtest(),
                    o.forecastX()));
            case EXP -> ExponentialDecayFit.analyze(d, new CurveFitter.Options(o.bootstrap(), o.seed(), o.backtest(), o.forecastX()));
            case SIGMOID -> SigmoidFit.analyze(d, new SigmoidFit.Options(o.floor(), o.ceiling(), o.bootstrap(), o.seed(),
                    o.backtest(), o.forecastX()));
            case BNSL -> BrokenPowerLawFit.analyze(d, new BrokenPowerLawFit.Options(o.breaks(), o.criterion(), o.bootstrap(),
                    o.seed(), o.backtest(), o.forecastX()));
            case CHINCHILLA -> throw new IllegalArgumentException("the Chinchilla law has two variables: use LawFits.chinchilla");
        };
    }

    /**
     * Training runs as the Chinchilla law reads them: N, D and L, the table they came from, and the columns
     * read: {@code params}, {@code loss}, and {@code tokens} or {@code compute} (the other null).
     */
    public record Runs(NumericTable table, double[] params, double[] tokens, double[] loss, Columns columns) {
        /**
         * The columns read, as a fit's provenance records them ({@code params_col}, {@code tokens_col} or
         * {@code compute_col}, {@code loss_col}), so that its runs can be read again from the same input.
         */
        public Map<String, Object> options() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("params_col", columns.params());
            if (columns.tokens() != null) {
                m.put("tokens_col", columns.tokens());
            } else {
                m.put("compute_col", columns.compute());
            }
            m.put("loss_col", columns.loss());
            return m;
        }
    }

    /**
     * The columns holding N, D (or C) and L, as their options name them in errors.
     *
     * @param tokens the tokens column, or null for "tokens, else D = compute / (6 N)"
     * @param compute the compute column, or null for "compute" when there is no tokens column
     */
    public record Columns(String params, String tokens, String compute, String loss) {}

    /**
     * Reads N, D and L through {@code read} (columns → table, checked finite); D from the tokens column,
     * or C/(6N) (Kaplan et al. 2020, C ≈ 6ND) when only compute is there. {@code tokensOption} and
     * {@code computeOption} name the two column options in messages (e.g. {@code --tokens-col}).
     */
    public static Runs runs(Function<List<String>, NumericTable> read, Columns c, String tokensOption, String computeOption) {
        if (c.tokens() != null && c.compute() != null) {
            throw new InputException("give " + tokensOption + " or " + computeOption + ", not both");
        }
        if (c.compute() == null) {
            String tokensCol = c.tokens() == null ? "tokens" : c.tokens();
            try {
                NumericTable t = read.apply(List.of(c.params(), tokensCol, c.loss()));
                return new Runs(t, t.column(c.params()), t.column(tokensCol), t.column(c.loss()), new Columns(c.params(), tokensCol, null, c.loss()));
            } catch (InputException e) {
                if (c.tokens() != null || !e.getMessage().contains("no column '" + tokensCol + "'")) {
                    throw e;
                }
            }
        }
        String computeCol = c.compute() == null ? "compute" : c.compute();
        NumericTable t;
        try {
            t = read.apply(List.of(c.params(), computeCol, c.loss()));
        } catch (InputException e) {
            if (c.compute() == null && e.getMessage().contains("no column '" + computeCol + "'")) {
                throw new InputException(e.getMessage().replace("no column 'compute'", "no column 'tokens' or 'compute'")
                        .replace("--*-col", tokensOption + " or " + computeOption), e);
            }
            throw e;
        }
        t.requirePositive(c.params());
        double[] n = t.column(c.params());
        return new Runs(t, n, ChinchillaFit.tokensFromCompute(n, t.column(computeCol)), t.column(c.loss()),
                new Columns(c.params(), null, computeCol, c.loss()));
    }

    /**
     * A Chinchilla fit as saved ({@code saved}: without bootstrap replicates unless kept) and in full (with
     * them, for the report's band).
     */
    public record Chinchilla(ChinchillaResult saved, ChinchillaResult full) {}

    /**
     * Fits the Chinchilla law to {@code d}, with the backtest when asked and the fit converged; its provenance
     * records the columns read ({@link Runs#options}).
     */
    public static Chinchilla chinchilla(Runs d, ChinchillaFit.Options options, boolean backtest, boolean keepReplicates) {
        ChinchillaResult fitted = ChinchillaFit.analyze(new ChinchillaFit.Runs(d.params(), d.tokens(), d.loss(),
                List.of(d.table().provenanceInput())), options);
        Provenance provenance = fitted.provenance();
        for (Map.Entry<String, Object> o : d.options().entrySet()) {
            provenance = provenance.withOption(o.getKey(), o.getValue());
        }
        fitted = fitted.withProvenance(provenance);
        ChinchillaResult full = !backtest || fitted.status() != FitStatus.CONVERGED ? fitted
                : fitted.withBacktest(ChinchillaFit.backtest(d.params(), d.tokens(), d.loss(), options));
        return new Chinchilla(keepReplicates ? full : full.withoutReplicates(), full);
    }
}
