package org.scalelab.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSetWriter;
import org.scalelab.model.Capture;
import org.scalelab.model.ComputeDType;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.StepRule;

/**
 * {@code capture} as a Spark job: the prompts file is cut by prompt index into partitions, each a
 * run of whole batches; each task captures its partition with the executor's one model
 * ({@link ExecutorModels}) into a part of the set ({@link ActivationSetWriter#part}) in a folder of
 * its own attempt; the driver merges the parts of the attempts Spark committed into one activation
 * set ({@link ActivationSetWriter#merge}) with the manifest a single-machine capture writes.
 *
 * <p>What makes it the same set: the trajectories are the prompts in file order with their ids,
 * domains, labels and step boundaries; each part starts at a multiple of the batch size, so every
 * forward pass is one a single-machine capture runs, and rows equal its rows; every row's
 * {@code trajectory_index} is its prompt's index in the whole file. Only the shards differ: each
 * part cuts its own (a shard never spans two parts), so a set has up to one shard more per part.
 *
 * <p>Retries: a failed task runs again in a new attempt folder; the result Spark returns for a
 * partition names the attempt it committed, and only that folder is merged, so a retried partition's
 * rows appear once. The staging folder (a hidden sibling of the output) holds every attempt and is
 * deleted once the merged set is complete, or when the job fails. The output folder must not exist:
 * a distributed capture never writes into another set, and does not resume (a failed job is run again).
 *
 * <p>Every executor reads the checkpoint, the prompts file and the staging folder at the same paths
 * as the driver: on a cluster they live on a file system all machines mount.
 */
public final class DistributedCapture {
    private static final Progress.Listener SILENT = new Progress.Listener() {
        @Override
        public void start(String task, long total) {
        }

        @Override
        public void update(long done) {
        }

        @Override
        public void finish() {
        }
    };

    private DistributedCapture() {
    }

    /**
     * Captures {@code prompts} through the model in {@code model} into the new set {@code out} on
     * {@code spark}, in at most {@code partitions} tasks. Options as single-machine capture's; steering
     * and ablation ({@code options.interventions()}) are not run on Spark.
     */
    public static Capture.Summary run(SparkSession spark, Path model, ComputeDType dtype, Path prompts, Path out, Capture.Options options,
                                      int partitions) {
        if (partitions < 1) {
            throw new InputException("--partitions " + partitions + ": must be at least 1");
        }
        if (!options.interventions().isEmpty()) {
            throw new InputException("--steer/--ablate/--replace: interventions are not run on Spark; capture them on one machine");
        }
        requireNewOutput(out);
        List<Prompt> all = Prompt.readJsonl(prompts);
        ModelConfig config = ModelConfig.read(model);
        List<String> hooks = Capture.hooks(config, options);
        int keys;
        try (ModelTokenizer tok = ModelTokenizer.load(model)) {
            keys = Capture.keys(config, hooks, tok, all, options);
        }
        List<Slice> slices = slices(all.size(), options.batch(), partitions);
        Path target = out.toAbsolutePath().normalize();
        Path staging = target.resolveSibling("." + target.getFileName() + ".staging-" + UUID.randomUUID());
        Job job = new Job(model.toAbsolutePath().normalize().toString(), dtype.cliName(), prompts.toAbsolutePath().normalize().toString(),
                options.hooks(), options.positions().toString(), options.shardBytes(), options.batch(), options.specialTokens(),
                options.steps() == null ? null : options.steps().spec(), keys, staging.toString());
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot create the staging folder " + staging + ": " + e.getMessage(), e);
        }
        Capture.Summary summary;
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Part> parts = new ArrayList<>(JobProgress.collect(sc, sc.parallelize(slices, slices.size()).map(s -> capturePart(job, s)), "capture"));
            parts.sort(Comparator.comparingInt(Part::partition));
            ActivationManifest merged = ActivationSetWriter.merge(out, parts.stream().map(p -> Path.of(p.dir())).toList());
            long rows = parts.stream().mapToLong(Part::rows).sum();
            int unsegmented = parts.stream().mapToInt(Part::unsegmented).sum();
            summary = new Capture.Summary(out, merged.trajectories().size(), 0, rows, merged.shards().size(), merged.hooks(), unsegmented);
        } catch (RuntimeException e) {
            try {
                deleteTree(staging); // the job failed or the merge was refused: nothing of this capture is kept
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        deleteTree(staging); // only now that the merged set is complete
        return summary;
    }

    /** Refuses an output folder that exists: a capture on Spark writes a new set, never into or over another. */
    public static void requireNewOutput(Path out) {
        if (Files.exists(out)) {
            throw new InputException("--out " + out + ": exists; a capture on Spark writes a new folder (to resume an interrupted"
                    + " single-machine capture, run capture without --spark)");
        }
    }

    /** The partitions: prompt index ranges of whole batches, in order, as even as whole batches allow; never empty. */
    static List<Slice> slices(int prompts, int batch, int partitions) {
        int batches = (prompts + batch - 1) / batch;
        int perPart = (batches + partitions - 1) / partitions;
        List<Slice> out = new ArrayList<>();
        for (int from = 0; from < prompts; from += perPart * batch) {
            out.add(new Slice(out.size(), from, (int) Math.min(prompts, (long) from + (long) perPart * batch)));
        }
        return out;
    }

    /** On an executor: captures one partition into a new folder of this attempt. */
    private static Part capturePart(Job job, Slice slice) {
        TaskContext ctx = TaskContext.get();
        Path dir = Path.of(job.staging(), String.format("part-%05d-attempt-%d", slice.partition(), ctx.taskAttemptId()));
        Capture.Options options = new Capture.Options(job.hooks(), Positions.parse(job.positions()), job.shardBytes(), job.batch(), List.of(),
                job.specialTokens(), job.steps() == null ? null : StepRule.parse(job.steps()));
        List<Prompt> part = Prompt.readJsonl(Path.of(job.prompts())).subList(slice.from(), slice.to());
        ExecutorModels.Loaded m = ExecutorModels.get(Path.of(job.model()), ComputeDType.parse(job.dtype()));
        Capture.Summary s;
        synchronized (m.lock()) {
            // The driver shows progress per partition; a task's own prompts would talk over it (in local mode, one JVM).
            s = Progress.reportingTo(SILENT, () -> Capture.runPart(m.model(), m.tokenizer(), part, slice.from(), job.keys(), dir, options));
        }
        InjectedFailure.maybeFail("capture");
        return new Part(slice.partition(), dir.toString(), s.rows(), s.unsegmented());
    }

    /** Deletes the staging folder this capture created. */
    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot remove the capture's staging folder: " + e.getMessage()
                    + "; delete it by hand (the activation set itself is complete)", e);
        }
    }

    /** What every task needs, as plain values Spark ships to the executors. */
    private record Job(String model, String dtype, String prompts, List<String> hooks, String positions, long shardBytes, int batch,
                       boolean specialTokens, String steps, int keys, String staging) implements Serializable {
        Job {
            hooks = List.copyOf(hooks);
        }
    }

    /** Partition {@code partition}: prompts {@code from} … {@code to − 1} of the file. */
    record Slice(int partition, int from, int to) implements Serializable {
    }

    /** What a committed task returns: the folder of its part. */
    private record Part(int partition, String dir, long rows, int unsegmented) implements Serializable {
    }
}
