package org.scalelab.cli;

import java.util.List;
import org.scalelab.InputException;
import picocli.CommandLine.Command;

/** {@code scalelab testtime …}: test-time scaling from per-problem counts or per-sample answers. */
@Command(
        name = "testtime",
        mixinStandardHelpOptions = true,
        description = {
            "Test-time and post-training scaling: pass@k, coverage, majority vote, budgets, fine-tuning compute.",
            "Unbiased pass@k, coverage-curve fits with extrapolation, maj@k, and repeated sampling vs a larger",
            "model at equal inference FLOPs."
        },
        footer = {"", "Example:", "  scalelab testtime passk --data counts.csv --k 1,10,100"})
final class TestTimeCommand extends CommandTree.Group {
    static final List<Class<?>> SUBCOMMANDS = List.of(
            TestTimePassKCommand.class,
            TestTimeCoverageCommand.class,
            TestTimeMajorityCommand.class,
            TestTimeBudgetCommand.class,
            TestTimePostTrainCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }

    /** Parses "1,2,4" into positive integers, naming the option on a bad value; null stays null. */
    static int[] ints(String option, String csv) {
        if (csv == null || csv.isBlank()) {
            return null;
        }
        String[] parts = csv.split(",");
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                double d = Double.parseDouble(parts[i].trim());
                if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                v[i] = (int) d;
            } catch (NumberFormatException e) {
                throw new InputException(option + ": '" + parts[i].trim() + "' is not a whole number ≥ 1 (expected e.g. 1,10,100)");
            }
        }
        return v;
    }
}
