package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.eval.EvalComparison;
import org.scalelab.report.EvalComparisonRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {"Compare two evaluations of the same examples (two models, or two checkpoints) with paired tests.",
            "McNemar's exact test for acc, a paired bootstrap for mc2, each with the difference A − B and its interval.",
            "The inputs are two --examples-out files of `scalelab eval` over the same task files."},
        footer = {"", "Example:", "  scalelab eval --model lab/models/small --task arc_easy.jsonl --examples-out small.jsonl",
            "  scalelab eval --model lab/models/large --task arc_easy.jsonl --examples-out large.jsonl",
            "  scalelab eval compare small.jsonl large.jsonl"})
final class EvalCompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Parameters(index = "0", paramLabel = "A", description = "--examples-out file of the first evaluation.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "--examples-out file of the second evaluation, on the same examples.")
    Path b;

    @Option(names = "--level", paramLabel = "P", defaultValue = "0.95", description = "Confidence level of the intervals. Default: ${DEFAULT-VALUE}.")
    double level;

    @Option(names = "--replicates", paramLabel = "N", defaultValue = "10000", description = "Bootstrap replicates. Default: ${DEFAULT-VALUE}.")
    int replicates;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the bootstrap. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        if (!(level > 0 && level < 1)) {
            throw new InputException("--level " + level + ": must be between 0 and 1, e.g. 0.95");
        }
        if (replicates < 100) {
            throw new InputException("--replicates " + replicates + ": must be at least 100");
        }
        EvalComparison.Options o = new EvalComparison.Options(level, replicates, seed);
        EvalComparison.Result r = EvalComparison.analyze(new EvalComparison.Input(a.toString(), EvalComparison.read(a), b.toString(),
                EvalComparison.read(b)), o);
        Provenance p = Provenance.of("eval.compare", List.of(new Provenance.Input(a.toString(), Provenance.sha256(a), 0),
                new Provenance.Input(b.toString(), Provenance.sha256(b), 0)), java.util.Map.of("level", level, "replicates", replicates), seed);
        CliSupport.emit(spec, lab, output, "eval.compare", r, p, new EvalComparisonRenderer());
        return 0;
    }
}
