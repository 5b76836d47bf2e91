package org.scalelab.cli;

import java.util.Arrays;
import java.util.List;
import org.scalelab.InputException;
import picocli.CommandLine.Option;

/** Options shared by the single-variable law commands ({@code scalelab fit power|bnsl|sigmoid|shape}). */
final class LawOptions {
    private LawOptions() {}

    /** The scale variable: {@code --x-col COL} or its shorthand {@code --x params|tokens|compute}. */
    static final class Scale {
        enum Axis { params, tokens, compute }

        @Option(names = "--x-col", paramLabel = "COL",
                description = "Column holding the scale x (must be > 0). Default: params.")
        String xCol;

        @Option(names = "--x", paramLabel = "AXIS",
                description = "Shorthand for --x-col naming a standard column: ${COMPLETION-CANDIDATES}.")
        Axis axis;

        String column() {
            if (xCol != null && axis != null && !xCol.equals(axis.name())) {
                throw new InputException("--x " + axis + " and --x-col " + xCol + " disagree; give only one");
            }
            return xCol != null ? xCol : axis != null ? axis.name() : "params";
        }
    }

    /** Bootstrap replicates and seed. */
    static final class Uncertainty {
        @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "200",
                description = "Bootstrap replicates for standard errors and 95 %% intervals (0: none). Default: ${DEFAULT-VALUE}.")
        int bootstrap;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
                description = "Seed of the bootstrap resampling (same seed, same numbers). Default: ${DEFAULT-VALUE}.")
        long seed;

        int replicates() {
            if (bootstrap < 0) {
                throw new InputException("--bootstrap must be ≥ 0, got " + bootstrap);
            }
            return bootstrap;
        }
    }

    /** Extrapolation: the backtest and forecasts at new x. */
    static final class Extrapolation {
        @Option(names = "--no-backtest",
                description = "Skip the backtest (fit without the largest 20 %% of x values, predict them).")
        boolean noBacktest;

        @Option(names = "--forecast", paramLabel = "X[,X...]",
                description = "Predict y at these x values, with bootstrap 95 %% intervals, e.g. 1e12,1e13.")
        String forecast;

        List<Double> forecastX() {
            if (forecast == null) {
                return List.of();
            }
            double[] v = CliSupport.doubles("--forecast", forecast);
            for (double d : v) {
                if (!(d > 0)) {
                    throw new InputException("--forecast: x = " + d + " must be > 0");
                }
            }
            return Arrays.stream(v).boxed().toList();
        }
    }
}
