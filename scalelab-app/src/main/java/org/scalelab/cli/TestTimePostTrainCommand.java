package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scalelab testtime posttrain}: a metric against post-training (fine-tuning) compute, fitted by
 * the same laws as pretraining. It is {@code scalelab fit power|sigmoid|shape|bnsl} with the x column
 * defaulting to the fine-tuning compute, so there is one implementation of each law.
 */
@Command(
        name = "posttrain",
        mixinStandardHelpOptions = true,
        description = {
            "Fit a metric against fine-tuning compute with the laws of pretraining.",
            "The same fits as pretraining: power for a loss, sigmoid for an accuracy that emerges, shape for a",
            "rise-then-fall.",
            "Every other option is passed to `scalelab fit LAW` (see its --help)."
        },
        footer = {"", "Examples:",
            "  scalelab testtime posttrain --data posttrain.csv --y-col loss",
            "  scalelab testtime posttrain --law sigmoid --data posttrain.csv --y-col accuracy --floor 0.25 --out lab/reports/rl",
            "  (posttrain.csv: finetune_flops,loss,accuracy — name another x column with --compute-col)"})
final class TestTimePostTrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--law", defaultValue = "power", paramLabel = "LAW",
            description = "power, sigmoid, shape or bnsl. Default: ${DEFAULT-VALUE}.")
    String law;

    @Option(names = "--compute-col", defaultValue = "finetune_flops", paramLabel = "COL",
            description = "Column with the post-training compute (FLOP, steps or samples). Default: ${DEFAULT-VALUE}.")
    String computeCol;

    @CommandLine.Unmatched
    List<String> rest = new ArrayList<>();

    @Override
    public Integer call() {
        if (!List.of("power", "sigmoid", "shape", "bnsl").contains(law)) {
            throw new InputException("--law " + law + ": use power, sigmoid, shape or bnsl");
        }
        List<String> args = new ArrayList<>(List.of("fit", law, "--x-col", computeCol));
        args.addAll(rest);
        String[] fitArgs = args.toArray(String[]::new);
        CommandLine cl = Main.commandLine(fitArgs);
        cl.setOut(spec.commandLine().getOut());
        cl.setErr(spec.commandLine().getErr());
        return cl.execute(fitArgs);
    }
}
