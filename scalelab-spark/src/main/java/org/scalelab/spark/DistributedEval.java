package org.scalelab.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.eval.ChoiceScorer;
import org.scalelab.eval.ContinuationTokens;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalResult;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.Evaluation;
import org.scalelab.eval.ExampleScore;
import org.scalelab.eval.LengthNorm;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelTokenizer;

/**
 * {@code eval} as a Spark job: the examples every task file gives ({@link Evaluation#selectAll}) are
 * put in the order the single-machine scorer runs them ({@link ChoiceScorer#scoringOrder}, computed on
 * the driver with the tokenizer alone), cut into its batches, and the batches dealt to partitions in
 * runs; each task scores its batches with the executor's one model ({@link ExecutorModels}) and returns
 * the log-probs, and the driver computes the metrics from them ({@link Evaluation#of}). Every forward
 * pass is one the single-machine evaluation runs, so the per-example log-probs, and so every metric,
 * are the ones it gives.
 *
 * <p>The scores come back as the tasks' results: Spark returns one committed attempt per partition, so a
 * retried task's examples count once, and nothing is written on the executors. Not on Spark: the
 * partial file a single-machine evaluation resumes from (a failed job is run again), {@code --rolling}
 * texts and interventions.
 */
public final class DistributedEval {
    private DistributedEval() {
    }

    /**
     * @param batch     examples per forward pass, as {@code eval --batch}
     * @param maxLength the most positions an input takes, or null: the model's
     * @param addBos    {@code --add-bos} (Gemma adds its BOS in any case, as single-machine eval does)
     * @param partitions at most this many tasks
     */
    public record Settings(int batch, Integer maxLength, boolean addBos, int partitions) {
        public Settings {
            if (batch < 1) {
                throw new InputException("--batch " + batch + ": must be at least 1");
            }
            if (partitions < 1) {
                throw new InputException("--partitions " + partitions + ": must be at least 1");
            }
        }
    }

    /**
     * What the job returns: the result {@code eval} reports (its model name the checkpoint folder's) and
     * every example's scores, as {@link Evaluation#run} returns them.
     */
    public record Outcome(EvalResult result, Evaluation.Result evaluation) {
    }

    /** Evaluates the model in {@code model} on {@code taskFiles} on {@code spark}. */
    public static Outcome run(SparkSession spark, Path model, ComputeDType dtype, List<Path> taskFiles, Evaluation.Options options,
                              Settings settings) {
        if (taskFiles.isEmpty()) {
            throw new InputException("--task FILE: give at least one task file (JSON lines)");
        }
        List<EvalTask> tasks = new ArrayList<>();
        for (Path t : taskFiles) {
            tasks.add(EvalTask.read(t));
        }
        List<List<EvalExample>> selected = Evaluation.selectAll(tasks, options);
        ModelConfig config = ModelConfig.read(model);
        String family = config.family().modelType();
        boolean bos = ContinuationTokens.addsBos(family, settings.addBos());
        int length = settings.maxLength() == null ? config.maxPositions() : settings.maxLength();
        ChoiceScorer.checkMaxLength(length, config.maxPositions());
        List<Batch> batches = new ArrayList<>();
        try (ModelTokenizer tok = ModelTokenizer.load(model)) {
            ContinuationTokens tokens = new ContinuationTokens(tok, bos);
            for (int i = 0; i < tasks.size(); i++) {
                int[] order = ChoiceScorer.scoringOrder(tokens, length, selected.get(i)); // also every input checked, before any job
                for (int from = 0; from < order.length; from += settings.batch()) {
                    batches.add(new Batch(i, java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + settings.batch()))));
                }
            }
        }
        List<List<Batch>> parts = deal(batches, settings.partitions());
        Job job = new Job(model.toAbsolutePath().normalize().toString(), dtype.cliName(),
                taskFiles.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(), options.limit(), options.seed(),
                options.norm().name(), settings.batch(), length, bos);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<PartScores> results = JobProgress.collect(sc, sc.parallelize(parts, parts.size()).map(p -> scorePart(job, p)), "eval");
        List<ExampleScore[]> byTask = new ArrayList<>();
        for (List<EvalExample> s : selected) {
            byTask.add(new ExampleScore[s.size()]);
        }
        long params = -1;
        for (PartScores part : results) {
            params = part.parameterCount();
            for (Scored s : part.scores()) {
                ExampleScore[] slot = byTask.get(s.task());
                if (slot[s.example()] != null) {
                    throw new ScaleLabException("eval on Spark: example " + s.example() + " of task " + tasks.get(s.task()).name() + " was scored twice");
                }
                slot[s.example()] = ExampleScore.of(selected.get(s.task()).get(s.example()), s.logprobs(), s.tokens());
            }
        }
        List<List<ExampleScore>> scores = new ArrayList<>();
        for (int i = 0; i < byTask.size(); i++) {
            for (int j = 0; j < byTask.get(i).length; j++) {
                if (byTask.get(i)[j] == null) {
                    throw new ScaleLabException("eval on Spark: example " + selected.get(i).get(j).id() + " of task " + tasks.get(i).name() + " was not scored");
                }
            }
            scores.add(List.of(byTask.get(i)));
        }
        Evaluation.Result r = Evaluation.of(tasks, selected, scores, options, 0);
        Path name = model.toAbsolutePath().normalize().getFileName();
        EvalResult result = new EvalResult(name == null ? model.toString() : name.toString(), family, params, options.norm().name().toLowerCase(),
                r.tasks(), 0, List.of());
        return new Outcome(result, r);
    }

    /** Consecutive runs of batches, one run per partition, as even as whole batches allow. */
    static <T> List<List<T>> deal(List<T> batches, int partitions) {
        int per = Math.max(1, (batches.size() + partitions - 1) / partitions);
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < batches.size(); from += per) {
            out.add(new ArrayList<>(batches.subList(from, Math.min(batches.size(), from + per))));
        }
        return out;
    }

    /** On an executor: scores one partition's batches, each as the single-machine scorer runs it. */
    private static PartScores scorePart(Job job, List<Batch> batches) {
        Evaluation.Options options = new Evaluation.Options(job.limit(), job.seed(), LengthNorm.valueOf(job.norm()));
        Map<Integer, List<EvalExample>> selected = new HashMap<>();
        List<Scored> out = new ArrayList<>();
        ExecutorModels.Loaded m = ExecutorModels.get(Path.of(job.model()), ComputeDType.parse(job.dtype()));
        long params;
        synchronized (m.lock()) {
            params = m.model().parameterCount();
            ChoiceScorer scorer = new ChoiceScorer(m.model(), new ContinuationTokens(m.tokenizer(), job.bos()), job.batch(), job.maxLength());
            for (Batch b : batches) {
                List<EvalExample> examples = selected.computeIfAbsent(b.task(),
                        t -> Evaluation.select(EvalTask.read(Path.of(job.tasks().get(t))), options));
                List<EvalExample> run = new ArrayList<>();
                Map<String, Integer> index = new HashMap<>();
                for (int j : b.examples()) {
                    run.add(examples.get(j));
                    index.put(examples.get(j).id(), j);
                }
                scorer.score(run, s -> out.add(new Scored(b.task(), index.get(s.id()), s.logprobs(), s.tokens())));
            }
        }
        InjectedFailure.maybeFail("eval");
        return new PartScores(params, out);
    }

    /** What every task needs, as plain values Spark ships to the executors. */
    private record Job(String model, String dtype, List<String> tasks, Integer limit, Long seed, String norm, int batch, int maxLength,
                       boolean bos) implements Serializable {
        Job {
            tasks = List.copyOf(tasks);
        }
    }

    /** One forward pass: examples (indices into the task's selected examples) of task {@code task}, in scoring order. */
    private record Batch(int task, int[] examples) implements Serializable {
    }

    /** One example's summed log-prob and token count per choice. */
    private record Scored(int task, int example, double[] logprobs, int[] tokens) implements Serializable {
    }

    /** What a committed task returns. */
    private record PartScores(long parameterCount, List<Scored> scores) implements Serializable {
    }
}
