package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.laws.PassAtK;
import org.scalelab.laws.PassAtKInput;
import org.scalelab.report.PassAtKRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "passk",
        mixinStandardHelpOptions = true,
        description = {
            "Unbiased pass@k per problem and averaged over problems.",
            "Chen et al. 2021, eq. 1, from one row per problem with n samples drawn and c correct (CSV, Parquet or JSONL)."
        },
        footer = {"", "Example:", "  scalelab testtime passk --data counts.csv --k 1,10,100 --out lab/reports/passk",
            "  (counts.csv: problem,n,c   e.g.   HumanEval/0,200,37)"})
final class TestTimePassKCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "CSV, Parquet or JSONL file with one row per problem: problem id, samples n, correct c.")
    Path data;

    @Option(names = "--problem-col", defaultValue = "problem", description = "Column with the problem id (default: ${DEFAULT-VALUE}).")
    String problemCol;

    @Option(names = "--n-col", defaultValue = "n", description = "Column with the number of samples drawn (default: ${DEFAULT-VALUE}).")
    String nCol;

    @Option(names = "--c-col", defaultValue = "c", description = "Column with the number of correct samples (default: ${DEFAULT-VALUE}).")
    String cCol;

    @Option(names = "--k", paramLabel = "K,K,…",
            description = "k values (each ≤ the smallest n). Default: 1, 2, 4, … up to the smallest n, and n itself.")
    String ks;

    @Override
    public Integer call() {
        PassAtKInput.Data d = PassAtKInput.read(data, problemCol, nCol, cCol);
        PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(d.problems(), List.of(d.input())),
                new PassAtK.Options(TestTimeCommand.ints("--k", ks)));
        CliSupport.emit(spec, lab, output, "testtime.passk", r, r.provenance(), new PassAtKRenderer());
        return 0;
    }
}
