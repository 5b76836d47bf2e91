package org.scalelab.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.DistributedRuns;
import org.scalelab.eval.EvalResult;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.LengthNorm;
import org.scalelab.eval.Metric;
import org.scalelab.eval.RollingPerplexity;
import org.scalelab.eval.RollingScore;
import org.scalelab.eval.TaskScore;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.report.EvalRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.store.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Score a model on multiple-choice task files by log-likelihood, as lm-evaluation-harness does.",
            "Each choice's score is the summed log-probability of \" \" + choice after the context; acc, acc_norm,",
            "mc1 and mc2 with their standard errors. The result is stored in the lab as metrics TASK/METRIC of the",
            "model with its parameter count (read by fit shape, fit sigmoid, the points view). An interrupted run",
            "resumes: every scored example is kept in a partial file (next to --examples-out, else in the lab)",
            "and a rerun with the same options skips it. --rolling scores plain text: perplexity and bits per byte.",
            "--steer/--ablate/--replace with --at score the model under that intervention (context and choices alike)."},
        footer = {"", "Examples:",
            "  scalelab eval --model lab/models/tiny --task arc_easy.jsonl --task piqa.jsonl --examples-out tiny.jsonl",
            "  scalelab eval --model lab/models/tiny --task truthfulqa_mc2.jsonl --limit 200 --seed 1 --json",
            "  scalelab eval --model lab/models/tiny --rolling wiki.txt",
            "  scalelab eval --spark spark://head:7077 --partitions 32 --model /shared/models/m --task /shared/arc_easy.jsonl",
            "  scalelab eval --model lab/models/tiny --task truth.jsonl --steer truth.npy --at blocks.1.hook_resid_post --alpha 2",
            "  scalelab eval compare small.jsonl large.jsonl",
            "  scalelab eval compare --task arc_easy.jsonl lab/models/small lab/models/large",
            "  scalelab eval convert --format arc arc_easy_validation.jsonl tasks/arc_easy.jsonl",
            "", "Task lines: {\"id\", \"context\", \"choices\": [..], \"gold\": i | [i, ..], \"domain\"?, \"labels\"?} (docs/eval.md)."})
final class EvalCommand extends CommandTree.Group implements java.util.concurrent.Callable<Integer> {
    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder (config.json, safetensors weights, tokenizer.json).")
    Path model;

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name in the lab and the report. Default: the checkpoint folder's name "
            + "(give one when several models' folders share a name, e.g. each run's checkpoint-00001500).")
    String name;

    @Option(names = "--task", paramLabel = "FILE", description = "Task file (JSON lines), repeatable; the task is named after the file.")
    List<Path> tasks = new ArrayList<>();

    @Option(names = "--rolling", paramLabel = "FILE", description = "Plain UTF-8 text to score whole (perplexity, bits per byte), repeatable.")
    List<Path> rolling = new ArrayList<>();

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Examples per forward pass (each with all its choices). Scores do not depend on it. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--limit", paramLabel = "N", description = "Score at most N examples per task: the first N, or with --seed a random N.")
    Integer limit;

    @Option(names = "--seed", paramLabel = "N", description = "With --limit: which examples (a random sample drawn with this seed, kept in file order).")
    Long seed;

    @Option(names = "--norm", paramLabel = "UNIT", defaultValue = "chars",
            description = "What acc_norm divides a choice's log-prob by: chars (lm-eval's acc_norm), bytes or tokens. Default: ${DEFAULT-VALUE}.")
    String norm;

    @Option(names = "--max-length", paramLabel = "N", description = "Most positions an input may take (default: the model's); longer contexts are cut from the left.")
    Integer maxLength;

    @Option(names = "--add-bos", description = "Encode with the tokenizer's special tokens (a leading BOS), as lm-eval's add_bos_token. On by default for Gemma, as lm-eval does.")
    boolean addBos;

    @Option(names = "--examples-out", paramLabel = "FILE", description = "Write one JSON line per example: task, id, logprobs, bytes, gold, chosen, correct, chars, tokens, norm.")
    Path examplesOut;

    @Option(names = "--force", description = "Replace an existing --examples-out file (never a task or text file given to this command).")
    boolean force;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", description = "Compute dtype: float32 or float16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Mixin
    SteerOptions steering;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Score on Apache Spark: local[N], spark://host:port or yarn. The examples are split into partitions of whole"
                    + " batches, each executor loads the model once; the result, the lab's run and --examples-out equal this command's"
                    + " without --spark. The model and task files must be at the same path on every executor. Takes --task files only"
                    + " (no --rolling, no --steer/--ablate/--replace) and does not resume; needs the Spark module (docs/scale-out.md).")
    String spark;

    @Option(names = "--partitions", paramLabel = "N",
            description = "With --spark: split the examples into at most N Spark tasks. Default: the cluster's default parallelism.")
    Integer partitions;

    @Override
    List<Class<?>> subcommands() {
        return List.of(EvalCompareCommand.class, EvalConvertCommand.class);
    }

    @Override
    public void run() {
        call();
    }

    @Override
    public Integer call() {
        ComputeDType compute = ComputeDType.parse(dtype);
        LengthNorm lengthNorm = parseNorm(norm);
        if (model == null) {
            throw new InputException("--model DIR: which checkpoint to evaluate (or `scalelab eval compare A B`)");
        }
        if (name != null && name.isBlank()) {
            throw new InputException("--name: give a non-empty model name (or leave it out to use the checkpoint folder's name)");
        }
        if (tasks.isEmpty() && rolling.isEmpty()) {
            throw new InputException("--task FILE: give at least one task file (JSON lines), or --rolling FILE for plain text");
        }
        if (seed != null && limit == null) {
            throw new InputException("--seed: chooses which examples --limit keeps; give --limit N too");
        }
        if (batch < 1) {
            throw new InputException("--batch " + batch + ": must be at least 1");
        }
        List<EvalTask> read = new ArrayList<>();
        for (Path t : tasks) {
            read.add(EvalTask.read(t)); // every file checked before the model is loaded or anything written
        }
        for (Path r : rolling) {
            if (!Files.isRegularFile(r)) {
                throw new InputException("--rolling " + r + ": no such file");
            }
        }
        checkExamplesOut();
        List<org.scalelab.model.Intervention> interventions = steering.interventions();
        if (!interventions.isEmpty() && !rolling.isEmpty()) {
            throw new InputException("--rolling: is scored without interventions; run --steer/--ablate/--replace with --task files only");
        }
        Evaluation.Options options = new Evaluation.Options(limit, seed, lengthNorm);
        if (spark != null) {
            return onSpark(read, options, compute);
        }
        if (partitions != null) {
            throw new InputException("--partitions " + partitions + ": splits an evaluation on Spark; give --spark MASTER too");
        }
        PrintWriter err = spec.commandLine().getErr();
        try (Transformer t = Transformer.load(model, compute); ModelTokenizer tok = ModelTokenizer.load(model)) {
            t.nonFiniteWarning().ifPresent(w -> {
                err.println(w);
                err.flush();
            });
            String family = t.config().family().modelType();
            boolean bos = addsBos(family, addBos);
            int length = maxLength == null ? t.config().maxPositions() : maxLength;
            ChoiceScorer scorer = new ChoiceScorer(t, new ContinuationTokens(tok, bos), batch, length).steered(interventions);
            ObjectNode header = header(read, compute, length, bos);
            Path partial = partialFile(header);
            Evaluation.Result result = null;
            if (!read.isEmpty()) {
                result = Evaluation.run(scorer, read, options, partial, header, s -> {});
                if (result.resumed() > 0) {
                    err.println("resumed: " + result.resumed() + " examples scored by an earlier run were read from " + partial);
                    err.flush();
                }
            }
            List<RollingScore> rollingScores = new ArrayList<>();
            for (Path r : rolling) {
                rollingScores.add(RollingPerplexity.score(t, tok, r, length, batch, bos));
            }
            report(family, t.parameterCount(), lengthNorm, result, rollingScores, header, provenance(read, options, compute, length, bos));
            if (result != null) {
                Evaluation.finish(partial);
            }
        }
        return 0;
    }

    /**
     * The evaluation on a Spark cluster, through the engine the Spark module registers: the same scores, reported and
     * stored as in this process. What it does not do (plain text, interventions, resuming) is refused before the
     * module is looked for.
     */
    private int onSpark(List<EvalTask> read, Evaluation.Options options, ComputeDType compute) {
        if (spark.isBlank()) {
            throw new InputException("--spark: give a master (local[2], spark://host:7077 or yarn)");
        }
        if (partitions != null && partitions < 1) {
            throw new InputException("--partitions " + partitions + ": must be at least 1");
        }
        if (!rolling.isEmpty()) {
            throw new InputException("--rolling: is scored on this machine only; run it without --spark (--task files run on Spark)");
        }
        if (!steering.interventions().isEmpty()) {
            throw new InputException("--spark: scores the unmodified model; run --steer/--ablate/--replace without --spark");
        }
        ModelConfig config = ModelConfig.read(model);
        String family = config.family().modelType();
        boolean bos = addsBos(family, addBos);
        int length = maxLength == null ? config.maxPositions() : maxLength;
        ObjectNode header = header(read, compute, length, bos);
        Path partial = partialFile(header);
        if (Files.exists(partial)) {
            throw new InputException(partial + ": holds the examples an interrupted evaluation scored; resume it without --spark,"
                    + " or delete the file to score everything on Spark");
        }
        DistributedRuns.Scores scores = DistributedRuns.find(CaptureCommand.NO_SPARK)
                .eval(spark, model, compute, read.stream().map(EvalTask::file).toList(), options, batch, maxLength, addBos,
                        partitions == null ? 0 : partitions);
        report(scores.family(), scores.parameterCount(), options.norm(), scores.result(), List.of(), header, provenance(read, options, compute, length, bos));
        return 0;
    }

    /** The result of scored tasks and texts: --examples-out written, the run stored in the lab, the report printed. */
    private void report(String family, long params, LengthNorm lengthNorm, Evaluation.Result result, List<RollingScore> rollingScores, ObjectNode header,
                        Provenance provenance) {
        EvalResult r = new EvalResult(modelName(), family, params, lengthNorm.name().toLowerCase(),
                result == null ? List.of() : result.tasks(), result == null ? 0 : result.resumed(), rollingScores);
        if (examplesOut != null && result != null) {
            Evaluation.writeExamples(examplesOut, result.examples());
        }
        if (!output.noStore) {
            store(r, header, result, provenance);
        }
        CliSupport.emit(spec, lab, output, "eval", r, provenance, new EvalRenderer());
    }

    /** Stores the run (model, parameters, TASK/METRIC with stderr) in the lab's runs, once per identical evaluation. */
    private void store(EvalResult r, ObjectNode header, Evaluation.Result result, Provenance provenance) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> stderr = new LinkedHashMap<>();
        for (TaskScore s : r.tasks()) {
            for (Map.Entry<String, Metric> m : s.metrics().entrySet()) {
                String name = s.task() + "/" + m.getKey();
                metrics.put(name, m.getValue().value());
                if (Double.isFinite(m.getValue().stderr())) {
                    stderr.put(name, m.getValue().stderr());
                }
            }
        }
        for (RollingScore s : r.rolling()) {
            metrics.put(s.text() + "/bits_per_byte", s.bitsPerByte());
            metrics.put(s.text() + "/word_perplexity", s.wordPerplexity());
            metrics.put(s.text() + "/byte_perplexity", s.bytePerplexity());
        }
        // One evaluation is one import: the same model files, tasks and options give the same scores
        // (whatever the batch size), so a rerun is recognised and not stored twice.
        String sha = Provenance.sha256(Json.write(header) + "\nnorm=" + r.norm() + "\nrolling=" + rollingFingerprint()
                + (name == null ? "" : "\nname=" + name));
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            boolean seen = store.sql("SELECT import_id FROM imports WHERE sha256 = '" + sha + "'").rows().size() > 0;
            if (seen) {
                note("the lab already holds this evaluation's scores (same model, tasks, options and results); not imported again");
                return;
            }
            store.importRecords("scalelab eval " + model, sha,
                    List.of(new RunRecord(r.model(), r.family(), (double) r.params(), null, null, null, metrics, stderr)),
                    Json.write(provenance.options()));
        }
    }

    private String rollingFingerprint() {
        StringBuilder sb = new StringBuilder();
        for (Path r : rolling) {
            sb.append(Provenance.sha256(r)).append(';');
        }
        return sb.toString();
    }

    private void note(String line) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(line);
        err.flush();
    }

    private String modelName() {
        if (name != null) {
            return name;
        }
        Path name = model.toAbsolutePath().normalize().getFileName();
        String folder = name == null ? model.toString() : name.toString();
        // A steered model's scores are stored under a name of their own, never as the plain model's.
        StringBuilder steered = new StringBuilder(folder);
        for (org.scalelab.model.Intervention i : steering.interventions()) {
            steered.append('+').append(i.kind().name().toLowerCase()).append('@').append(i.hook());
            if (i.kind() == org.scalelab.model.Intervention.Kind.ADD) {
                steered.append(" α=").append(i.alpha());
            }
        }
        return steered.toString();
    }

    /** What makes two runs' log-probs the same: the model's files, the task files, and the options that change a score or the examples. */
    private ObjectNode header(List<EvalTask> read, ComputeDType compute, int length, boolean bos) {
        ObjectNode h = Json.mapper().createObjectNode();
        h.put("format", "scalelab-eval-partial/1");
        h.put("model", model.toAbsolutePath().normalize().toString());
        h.put("model_files", modelFingerprint());
        ArrayNode ts = h.putArray("tasks");
        for (EvalTask t : read) {
            ts.addObject().put("task", t.name()).put("sha256", Provenance.sha256(t.file()));
        }
        if (limit == null) {
            h.putNull("limit");
        } else {
            h.put("limit", limit);
        }
        if (seed == null) {
            h.putNull("seed");
        } else {
            h.put("seed", seed);
        }
        h.put("dtype", compute.cliName());
        h.put("max_length", length);
        h.put("add_bos", bos);
        if (!steering.interventions().isEmpty()) {
            h.put("interventions", steering.interventions().toString()); // a steered run's scores are not the plain model's
        }
        return h;
    }

    /**
     * config.json's and tokenizer.json's hashes and the weight files' names, sizes and modification
     * times (as make and rsync tell files apart: hashing gigabytes of weights would cost more than a short eval).
     */
    private String modelFingerprint() {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"config.json", ModelTokenizer.FILE}) {
            Path p = model.resolve(f);
            sb.append(f).append('=').append(Files.isRegularFile(p) ? Provenance.sha256(p) : "-").append(';');
        }
        try (Stream<Path> files = Files.list(model)) {
            files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(p -> {
                try {
                    sb.append(p.getFileName()).append('=').append(Files.size(p)).append('@').append(Files.getLastModifiedTime(p).toMillis()).append(';');
                } catch (IOException e) {
                    sb.append(p.getFileName()).append("=?;");
                }
            });
        } catch (IOException e) {
            throw new InputException(model + ": cannot list the checkpoint folder: " + e.getMessage());
        }
        return Provenance.sha256(sb.toString());
    }

    /**
     * --examples-out is checked before the model loads: an existing file is replaced only with --force,
     * and never when it is one of this command's inputs (a task file written over by its own scores).
     */
    private void checkExamplesOut() {
        if (examplesOut == null) {
            return;
        }
        List<Path> inputs = new ArrayList<>(tasks);
        inputs.addAll(rolling);
        for (Path in : inputs) {
            if (sameFile(in, examplesOut)) {
                throw new InputException("--examples-out " + examplesOut + ": is an input of this command (" + in
                        + "); write the per-example records to a file of their own");
            }
        }
        OutputFolder.checkFile("--examples-out", examplesOut, lab.dir(), force, "--force");
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) ? Files.isSameFile(a, b) : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** Next to --examples-out (FILE.partial), else in the lab's evals/ folder, named by the header's hash. */
    private Path partialFile(ObjectNode header) {
        if (examplesOut != null) {
            Path abs = examplesOut.toAbsolutePath();
            return abs.resolveSibling(abs.getFileName() + ".partial");
        }
        return lab.dir().resolve("evals").resolve(Provenance.sha256(Json.write(header)).substring(0, 16) + ".partial.jsonl");
    }

    private Provenance provenance(List<EvalTask> read, Evaluation.Options options, ComputeDType compute, int length, boolean bos) {
        List<Provenance.Input> inputs = new ArrayList<>();
        inputs.add(new Provenance.Input(model.toString(), modelFingerprint(), 0));
        for (EvalTask t : read) {
            inputs.add(new Provenance.Input(t.file().toString(), Provenance.sha256(t.file()), t.examples().size()));
        }
        for (Path r : rolling) {
            inputs.add(new Provenance.Input(r.toString(), Provenance.sha256(r), 0));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("limit", limit);
        o.put("norm", options.norm().name().toLowerCase());
        o.put("dtype", compute.cliName());
        o.put("max_length", length);
        o.put("add_bos", bos);
        o.put("batch", batch);
        if (!steering.interventions().isEmpty()) {
            o.put("interventions", steering.interventions().toString());
        }
        return Provenance.of("eval", inputs, o, seed);
    }

    /** Whether inputs start with the tokenizer's special tokens: asked for, or a Gemma model (lm-eval adds Gemma's BOS by default). */
    static boolean addsBos(String family, boolean asked) {
        return ContinuationTokens.addsBos(family, asked);
    }

    static LengthNorm parseNorm(String s) {
        return switch (s.toLowerCase()) {
            case "chars" -> LengthNorm.CHARS;
            case "bytes" -> LengthNorm.BYTES;
            case "tokens" -> LengthNorm.TOKENS;
            default -> throw new InputException("--norm " + InputException.quote(s) + ": expected chars, bytes or tokens");
        };
    }
}
