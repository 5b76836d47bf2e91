package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.DataInput;
import org.scalelab.io.NumericTable;
import org.scalelab.io.TextColumns;
import org.scalelab.laws.CoverageCurve;
import org.scalelab.laws.PassAtK;
import org.scalelab.laws.PassAtKInput;
import org.scalelab.report.CoverageRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "coverage",
        mixinStandardHelpOptions = true,
        description = {
            "Fit coverage(k) = exp(-a k^-b) and extrapolate the k needed for a target coverage.",
            "The law of Brown et al. 2024 (Large Language Monkeys), fitted by least squares on ln(-ln coverage) vs ln k.",
            "Input: one row per problem (problem,n,c → coverage = mean pass@k, with bootstrap CIs over problems)",
            "or one row per k (k,coverage → no CIs). The kind is detected from the columns present."
        },
        footer = {"", "Examples:", "  scalelab testtime coverage --data counts.csv --target 0.9 --out lab/reports/coverage",
            "  scalelab testtime coverage --data curve.csv --k-col k --coverage-col coverage --json"})
final class TestTimeCoverageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "CSV, Parquet or JSONL: per-problem counts (problem,n,c) or a coverage curve (k,coverage).")
    Path data;

    @Option(names = "--problem-col", defaultValue = "problem", description = "Problem id column (default: ${DEFAULT-VALUE}).")
    String problemCol;

    @Option(names = "--n-col", defaultValue = "n", description = "Samples-drawn column (default: ${DEFAULT-VALUE}).")
    String nCol;

    @Option(names = "--c-col", defaultValue = "c", description = "Correct-samples column (default: ${DEFAULT-VALUE}).")
    String cCol;

    @Option(names = "--k-col", defaultValue = "k", description = "k column of a coverage curve (default: ${DEFAULT-VALUE}).")
    String kCol;

    @Option(names = "--coverage-col", defaultValue = "coverage", description = "Coverage column of a curve (default: ${DEFAULT-VALUE}).")
    String coverageCol;

    @Option(names = "--k", paramLabel = "K,K,…", description = "k values at which to evaluate pass@k from counts (default 1, 2, 4, … n).")
    String ks;

    @Option(names = "--target", defaultValue = "0.9", description = "Coverage to extrapolate the needed k for (default: ${DEFAULT-VALUE}).")
    double target;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap replicates over problems; 0 = none (default: ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--level", defaultValue = "0.95", description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
    double level;

    @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        CoverageCurve.Options o = new CoverageCurve.Options(target, bootstrap, level, seed);
        TextColumns header = TextColumns.read(data, List.of(), List.of(problemCol, nCol, cCol, kCol, coverageCol));
        CoverageCurve.Result r;
        if (header.has(nCol) && header.has(cCol)) {
            PassAtKInput.Data d = PassAtKInput.read(data, problemCol, nCol, cCol);
            r = CoverageCurve.analyze(new PassAtK.Input(d.problems(), List.of(d.input())),
                    o.withKs(TestTimeCommand.ints("--k", ks)));
        } else if (header.has(kCol) && header.has(coverageCol)) {
            if (ks != null) {
                throw new InputException("--k applies to per-problem counts (problem,n,c); " + data + " is a coverage curve (k,coverage)");
            }
            NumericTable t = DataInput.readFile(data, List.of(kCol, coverageCol));
            r = CoverageCurve.analyze(
                    new CoverageCurve.Points(t.column(kCol), t.column(coverageCol), List.of(t.provenanceInput())), o);
        } else {
            throw new InputException(data + ": need columns '" + nCol + "' and '" + cCol + "' (per-problem counts) or '" + kCol
                    + "' and '" + coverageCol + "' (a coverage curve); name them with --n-col/--c-col or --k-col/--coverage-col");
        }
        CliSupport.emit(spec, lab, output, "testtime.coverage", r, r.provenance(), new CoverageRenderer());
        return 0;
    }
}
