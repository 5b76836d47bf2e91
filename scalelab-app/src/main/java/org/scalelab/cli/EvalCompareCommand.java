package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalComparison;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
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
        description = {"Compare two evaluations of the same examples (two models, or two checkpoints) with paired tests on every metric.",
            "McNemar's exact test for acc, acc_norm and mc1, a paired bootstrap for mc2, each with the difference A − B and its interval.",
            "A and B are two --examples-out files of `scalelab eval` over the same task files, or two checkpoint folders",
            "evaluated here on the --task files with the options of `scalelab eval` (nothing of them is written or stored)."},
        footer = {"", "Examples:", "  scalelab eval --model lab/models/small --task arc_easy.jsonl --examples-out small.jsonl",
            "  scalelab eval --model lab/models/large --task arc_easy.jsonl --examples-out large.jsonl",
            "  scalelab eval compare small.jsonl large.jsonl",
            "  scalelab eval compare --task arc_easy.jsonl --limit 500 lab/models/small lab/models/large"})
final class EvalCompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Parameters(index = "0", paramLabel = "A", description = "The first evaluation: an --examples-out file, or a checkpoint folder to evaluate.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The second, of the same kind as A, on the same examples.")
    Path b;

    @Option(names = "--level", paramLabel = "P", defaultValue = "0.95", description = "Confidence level of the intervals. Default: ${DEFAULT-VALUE}.")
    double level;

    @Option(names = "--replicates", paramLabel = "N", defaultValue = "10000", description = "Bootstrap replicates. Default: ${DEFAULT-VALUE}.")
    int replicates;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the bootstrap (default 0); with checkpoint folders and --limit, also which examples"
            + " are scored, as in `scalelab eval`.")
    Long seed;

    @Option(names = "--norm", paramLabel = "UNIT", description = "What acc_norm divides by: chars, bytes or tokens. Default: the unit the files record"
            + " (with checkpoint folders: chars, as `scalelab eval`).")
    String norm;

    @Option(names = "--task", paramLabel = "FILE", description = "With checkpoint folders: a task file to evaluate both on, repeatable.")
    List<Path> tasks = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", description = "With checkpoint folders: at most N examples per task (the first N, or with --seed a random N).")
    Integer limit;

    @Option(names = "--batch", paramLabel = "N", description = "With checkpoint folders: examples per forward pass. Default: 8.")
    Integer batch;

    @Option(names = "--max-length", paramLabel = "N", description = "With checkpoint folders: most positions an input may take (default: each model's).")
    Integer maxLength;

    @Option(names = "--add-bos", description = "With checkpoint folders: encode with the tokenizer's special tokens, as `scalelab eval --add-bos`.")
    boolean addBos;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "With checkpoint folders: compute dtype, float32 or float16. Default: float32.")
    String dtype;

    @Override
    public Integer call() {
        if (!(level > 0 && level < 1)) {
            throw new InputException("--level " + level + ": must be between 0 and 1, e.g. 0.95");
        }
        if (replicates < 100) {
            throw new InputException("--replicates " + replicates + ": must be at least 100");
        }
        LengthNorm lengthNorm = norm == null ? null : EvalCommand.parseNorm(norm);
        boolean models = models();
        EvalComparison.Options o = new EvalComparison.Options(level, replicates, seed == null ? 0 : seed,
                models && lengthNorm == null ? LengthNorm.CHARS : lengthNorm);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("level", level);
        options.put("replicates", replicates);
        options.put("norm", o.norm() == null ? null : o.norm().name().toLowerCase());
        EvalComparison.Input input;
        List<Provenance.Input> inputs = new ArrayList<>();
        if (models) {
            input = evaluateBoth(o.norm(), options, inputs);
        } else {
            input = new EvalComparison.Input(a.toString(), EvalComparison.read(a), b.toString(), EvalComparison.read(b));
            inputs.add(new Provenance.Input(a.toString(), Provenance.sha256(a), 0));
            inputs.add(new Provenance.Input(b.toString(), Provenance.sha256(b), 0));
        }
        EvalComparison.Result r = EvalComparison.analyze(input, o);
        CliSupport.emit(spec, lab, output, "eval.compare", r, Provenance.of("eval.compare", inputs, options, o.seed()), new EvalComparisonRenderer());
        return 0;
    }

    /** True for two checkpoint folders, false for two files; one line refusing a mix, a missing path, or options of the other kind. */
    private boolean models() {
        for (Path p : new Path[] {a, b}) {
            if (!Files.exists(p)) {
                throw new InputException(p + ": no such file or folder (give two --examples-out files or two checkpoint folders)");
            }
        }
        boolean dirA = Files.isDirectory(a);
        if (dirA != Files.isDirectory(b)) {
            Path dir = dirA ? a : b;
            Path file = dirA ? b : a;
            throw new InputException("eval compare: " + dir + " is a folder (a checkpoint) but " + file
                    + " is a file (an --examples-out file); give two files or two checkpoint folders");
        }
        if (dirA) {
            if (tasks.isEmpty()) {
                throw new InputException("--task FILE: which task files to evaluate the checkpoints " + a + " and " + b + " on");
            }
            if (seed != null && limit == null) {
                throw new InputException("--seed with checkpoint folders chooses which examples --limit keeps; give --limit N too"
                        + " (or leave --seed out: the bootstrap's seed is then 0)");
            }
            if (batch != null && batch < 1) {
                throw new InputException("--batch " + batch + ": must be at least 1");
            }
            return true;
        }
        String only = !tasks.isEmpty() ? "--task" : limit != null ? "--limit" : batch != null ? "--batch" : maxLength != null ? "--max-length"
                : addBos ? "--add-bos" : dtype != null ? "--dtype" : null;
        if (only != null) {
            throw new InputException(only + ": evaluates checkpoint folders, but " + a + " and " + b
                    + " are --examples-out files, already evaluated; leave it out or give two checkpoint folders");
        }
        return false;
    }

    /** Evaluates both checkpoints on the task files in memory (no partial file, no examples file, no run stored). */
    private EvalComparison.Input evaluateBoth(LengthNorm lengthNorm, Map<String, Object> options, List<Provenance.Input> inputs) {
        ComputeDType compute = ComputeDType.parse(dtype == null ? "float32" : dtype);
        List<EvalTask> read = new ArrayList<>();
        for (Path t : tasks) {
            read.add(EvalTask.read(t)); // every file checked before a model is loaded
        }
        Evaluation.Options eo = new Evaluation.Options(limit, seed, lengthNorm);
        options.put("limit", limit);
        options.put("sample_seed", limit == null ? null : seed);
        options.put("dtype", compute.cliName());
        options.put("max_length", maxLength);
        options.put("add_bos", addBos);
        options.put("batch", batch == null ? 8 : batch);
        for (Path model : new Path[] {a, b}) {
            Path config = model.resolve("config.json");
            inputs.add(new Provenance.Input(model.toString(), Files.isRegularFile(config) ? Provenance.sha256(config) : "", 0));
        }
        for (EvalTask t : read) {
            inputs.add(new Provenance.Input(t.file().toString(), Provenance.sha256(t.file()), t.examples().size()));
        }
        List<Evaluation.ExampleRecord> ra = evaluate(a, read, eo, compute);
        List<Evaluation.ExampleRecord> rb = evaluate(b, read, eo, compute);
        return new EvalComparison.Input(a.toString(), ra, b.toString(), rb);
    }

    private List<Evaluation.ExampleRecord> evaluate(Path model, List<EvalTask> read, Evaluation.Options eo, ComputeDType compute) {
        PrintWriter err = spec.commandLine().getErr();
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                err.println(w);
                err.flush();
            });
            boolean bos = EvalCommand.addsBos(t.config().family().modelType(), addBos);
            int length = maxLength == null ? t.config().maxPositions() : maxLength;
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, bos), batch == null ? 8 : batch, length);
            return Evaluation.run(scorer, read, eo, null, null, s -> {}).examples();
        }
    }
}
