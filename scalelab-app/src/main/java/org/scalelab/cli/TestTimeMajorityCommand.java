package org.scalelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.laws.MajorityVote;
import org.scalelab.laws.SampleAnswers;
import org.scalelab.report.MajorityVoteRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "majority",
        mixinStandardHelpOptions = true,
        description = {
            "Majority-vote accuracy maj@k from per-sample answers, next to pass@k.",
            "maj@k is the expected score of the most frequent answer among k samples drawn without replacement",
            "(ties split fractionally). Exact by",
            "dynamic programming; seeded Monte Carlo only when that would be too costly (the output says which).",
            "Rows: problem, answer (blank = no answer), and correct (1/0) or reference (the reference answer)."
        },
        footer = {"", "Example:", "  scalelab testtime majority --data samples.jsonl --k 1,4,16,64 --out lab/reports/majority",
            "  (samples.jsonl lines like {\"problem\": \"gsm8k/17\", \"answer\": \"42\", \"reference\": \"42\"})"})
final class TestTimeMajorityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--data", paramLabel = "FILE", required = true, description = "CSV, Parquet or JSONL file with one row per sample.")
    Path data;

    @Option(names = "--problem-col", defaultValue = "problem", description = "Problem id column (default: ${DEFAULT-VALUE}).")
    String problemCol;

    @Option(names = "--answer-col", defaultValue = "answer", description = "Sampled answer column (default: ${DEFAULT-VALUE}).")
    String answerCol;

    @Option(names = "--correct-col", defaultValue = "correct", description = "Correct flag column, 1/0 or true/false (default: ${DEFAULT-VALUE}).")
    String correctCol;

    @Option(names = "--reference-col", defaultValue = "reference",
            description = "Reference answer column, used when there is no correct column (default: ${DEFAULT-VALUE}).")
    String referenceCol;

    @Option(names = "--k", paramLabel = "K,K,…", description = "k values (default 1, 2, 4, … up to the fewest samples of any problem).")
    String ks;

    @Option(names = "--draws", defaultValue = "20000", description = "Monte Carlo subsets per (problem, k) when exact is too costly (default: ${DEFAULT-VALUE}).")
    int draws;

    @Option(names = "--exact-limit", defaultValue = "200000000",
            description = "Operation budget per (problem, k) for the exact computation (default: ${DEFAULT-VALUE}).")
    long exactLimit;

    @Option(names = "--seed", defaultValue = "0", description = "Monte Carlo seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        SampleAnswers.Data d = SampleAnswers.read(data, problemCol, answerCol, correctCol, referenceCol);
        MajorityVote.Result r = MajorityVote.analyze(new MajorityVote.Input(d.samples(), List.of(d.input())),
                new MajorityVote.Options(TestTimeCommand.ints("--k", ks), exactLimit, draws, seed));
        CliSupport.emit(spec, lab, output, "testtime.majority", r, r.provenance(), new MajorityVoteRenderer());
        return 0;
    }
}
