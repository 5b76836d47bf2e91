package org.scalelab.world;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.dynamics.LogSteps;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelInit;
import org.scalelab.store.LabStore;
import org.scalelab.train.AdamWOptions;
import org.scalelab.train.LearningRateSchedule;
import org.scalelab.train.StepLog;
import org.scalelab.train.TrainOptions;
import org.scalelab.train.TrainResult;
import org.scalelab.train.Trainer;
import org.scalelab.train.TrainingCheckpoint;
import org.scalelab.train.TrainingListener;

/**
 * Trains one model on a world and logs its curves into the lab store (table training_curves):
 * at log-spaced steps ({@link LogSteps}) the accuracy and loss of every evaluation set, the
 * training loss and the alignment metrics ({@link WorldEvaluation}). Checkpoints are Hugging Face
 * folders under {@code runDir/checkpoints}. Killed at any point (even kill -9) and started again,
 * the run resumes from its newest checkpoint; the trainer replays the steps after it bit for bit
 * and the store replaces, never duplicates, the points it logs again (primary key run, step, metric).
 */
public final class WorldTraining {
    private WorldTraining() {}

    /**
     * @param evalPerDecade     evaluation points per factor of 10 in steps (default 8)
     * @param maxEvalPerSet     examples measured per evaluation set (default 512; larger sets are subsampled)
     * @param checkpointEvery   steps between checkpoints (0: steps / 8, at least 50)
     * @param cosine            cosine decay to 10 % after warmup instead of a constant rate after warmup
     * @param alignment         also log the alignment metrics at each evaluation
     * @param threads           PyTorch intra-op threads (process-wide; default 1: these models are too small to
     *                          split an operation across cores, and a sweep runs one model per core instead)
     */
    public record Options(int evalPerDecade, int maxEvalPerSet, int checkpointEvery, boolean cosine, boolean alignment, int threads) {
        public Options {
            if (evalPerDecade < 1 || maxEvalPerSet < 1 || checkpointEvery < 0 || threads < 1) {
                throw new InputException("evaluation points per decade, examples per set and threads must be ≥ 1, checkpoint interval ≥ 0");
            }
        }

        public static Options defaults() {
            return new Options(8, 512, 0, false, true, 1);
        }

        public Options withCheckpointEvery(int every) {
            return new Options(evalPerDecade, maxEvalPerSet, every, cosine, alignment, threads);
        }

        public Options withCosine(boolean c) {
            return new Options(evalPerDecade, maxEvalPerSet, checkpointEvery, c, alignment, threads);
        }

        public Options withEvalPerDecade(int n) {
            return new Options(n, maxEvalPerSet, checkpointEvery, cosine, alignment, threads);
        }

        public Options withThreads(int n) {
            return new Options(evalPerDecade, maxEvalPerSet, checkpointEvery, cosine, alignment, n);
        }
    }

    /**
     * Sets PyTorch's intra-op thread count for the whole process. With more threads than free
     * cores (a shared machine, or two runs side by side) PyTorch's workers spin-wait for cores they do
     * not get, which small models, made of short kernels, pay for most; runs are also only
     * reproducible bit for bit at a fixed count.
     */
    public static void useThreads(int threads) {
        org.scalelab.model.TorchEngine.get();
        if (ai.djl.pytorch.jni.JniUtils.getNumThreads() != threads) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }

    /**
     * @param run        the run's name in the store: "&lt;experiment&gt;/&lt;spec name&gt;"
     * @param skipped    it had finished (or diverged) before: nothing was trained now
     * @param status     "finished" or "diverged" (the loss or gradient became infinite at step {@code steps})
     * @param finalMetrics the metrics logged at the last evaluated step
     * @param checkpoint the final weights (a Hugging Face folder); null when diverged
     */
    public record RunResult(String run, RunSpec spec, long parameters, long steps, double seconds, double stepsPerSecond,
                            boolean skipped, String status, Map<String, Double> finalMetrics, Path checkpoint) {}

    /** Status of a run whose training diverged. */
    public static final String DIVERGED = "diverged";

    /**
     * The model trained on a world: the GPT-2-like pre-LN block with rotary positions used by
     * Minegishi et al. (LayerNorm with biases, 4 · width GELU MLP, tied unembedding, RoPE on every
     * head dimension; ScaleLab's {@code gpt_neox} family, {@link ModelConfig#gptNeoX}); context =
     * the world's longest example and the ⟨eos⟩ a trajectory is trained with.
     */
    public static ModelConfig modelConfig(World world, RunSpec spec) {
        return ModelConfig.gptNeoX(world.vocabulary().size(), spec.width(), spec.depth(), spec.heads(), Math.max(16, world.maxSequenceLength() + 1));
    }

    /**
     * The world's training examples as trainer examples: loss on the target tokens only. A trajectory's
     * target is followed by ⟨eos⟩, in the loss too, so that a model learns where its chain ends: the
     * length of a chain it generates is then its own choice, not the number of tokens it was given. The
     * world's files and its evaluation keep the chain alone.
     */
    public static List<org.scalelab.train.Example> trainingExamples(World world) {
        List<org.scalelab.train.Example> out = new ArrayList<>();
        int eos = world.vocabulary().id(Vocabulary.EOS);
        for (Example e : world.training()) {
            int[] prompt = world.vocabulary().encode(e.text());
            int[] all = world.vocabulary().encode(e.fullText());
            if (e.kind() == Kind.TRAJECTORY) {
                all = Arrays.copyOf(all, all.length + 1);
                all[all.length - 1] = eos;
            }
            boolean[] mask = new boolean[all.length];
            Arrays.fill(mask, prompt.length, all.length, true);
            out.add(new org.scalelab.train.Example(all, mask));
        }
        return out;
    }

    public static TrainOptions trainOptions(RunSpec spec, Options options) {
        int warmup = (int) Math.min(100, spec.steps() / 10);
        LearningRateSchedule schedule = options.cosine() ? LearningRateSchedule.cosine(spec.lr(), warmup, spec.steps(), 0.1)
                : LearningRateSchedule.constant(spec.lr(), warmup);
        int every = options.checkpointEvery() > 0 ? options.checkpointEvery() : Math.max(50, spec.steps() / 8);
        return TrainOptions.of(spec.steps(), spec.batch(), spec.lr(), spec.seed()).withSchedule(schedule)
                .withAdamW(AdamWOptions.defaults().withWeightDecay(spec.weightDecay())).withCheckpoints(every, 2);
    }

    /** Name of a run in the store. */
    public static String runName(String experiment, RunSpec spec) {
        return experiment + "/" + spec.name();
    }

    /** The final checkpoint of a finished run in {@code runDir}, if any. */
    public static Optional<Path> finalCheckpoint(Path runDir, RunSpec spec) {
        return TrainingCheckpoint.latest(runDir.resolve("checkpoints")).filter(p -> p.getFileName().toString()
                .equals(TrainingCheckpoint.dirFor(runDir.resolve("checkpoints"), spec.steps()).getFileName().toString()));
    }

    /**
     * Trains (or resumes, or skips when finished) one run.
     *
     * @param experiment the group of runs this one belongs to (e.g. the world's folder name); the run is stored as experiment/spec
     * @param runDir     the run's folder: init/ (random initial checkpoint), checkpoints/
     * @param progress   called after each logged evaluation (may be null)
     */
    public static RunResult run(World world, String experiment, RunSpec spec, Path runDir, LabStore store, Options options,
                                java.util.function.BiConsumer<String, Long> progress) {
        String run = runName(experiment, spec);
        ModelConfig config = modelConfig(world, spec);
        String specJson = specJson(world, spec, options);
        LabStore.TrainingRun before = store.trainingRun(run);
        if (before != null && !before.specJson().equals(specJson)) {
            throw new InputException("run " + run + " is in the lab with other settings (" + before.specJson() + "); use another experiment name");
        }
        Optional<Path> done = finalCheckpoint(runDir, spec);
        if (before != null && "finished".equals(before.status()) && done.isPresent()) {
            return new RunResult(run, spec, before.parameters(), spec.steps(), before.seconds(), spec.steps() / Math.max(1e-9, before.seconds()),
                    true, "finished", lastMetrics(store, run), done.get());
        }
        if (before != null && DIVERGED.equals(before.status())) {
            // Training is deterministic: running it again would diverge at the same step.
            return new RunResult(run, spec, before.parameters(), before.step(), before.seconds(), 0, true, DIVERGED, lastMetrics(store, run), null);
        }
        useThreads(options.threads());
        Path init = runDir.resolve("init");
        if (!Files.isDirectory(init)) {
            // The seed of the run initialises the weights too (the trainer's seed only orders the data).
            ModelInit.write(init, config, spec.seed());
            writeTokenizer(world, init);
        }
        List<org.scalelab.train.Example> data = trainingExamples(world);
        TrainOptions trainOptions = trainOptions(spec, options);
        long[] evalSteps = LogSteps.of(spec.steps(), options.evalPerDecade());
        WorldEvaluation eval = new WorldEvaluation(world, options.maxEvalPerSet());
        double previousSeconds = before == null ? 0 : before.seconds();
        Map<String, Double> last = new LinkedHashMap<>();
        try (Trainer trainer = Trainer.startOrResume(init, data, trainOptions, runDir.resolve("checkpoints"))) {
            long parameters = trainer.model().parameterCount();
            store.putTrainingRun(new LabStore.TrainingRun(run, experiment, specJson, "running", parameters, trainer.step(), previousSeconds));
            long t0 = System.nanoTime();
            trainer.addListener(new TrainingListener() {
                @Override
                public void onStep(StepLog log, Trainer t) {
                    if (Arrays.binarySearch(evalSteps, log.step()) < 0) {
                        return;
                    }
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("train_loss", log.loss());
                    m.put("lr", log.lr());
                    m.putAll(eval.accuracy(t.model()));
                    if (options.alignment()) {
                        m.putAll(eval.alignment(t.model()));
                    }
                    store.putCurvePoints(run, log.step(), m);
                    last.clear();
                    last.putAll(m);
                    if (progress != null) {
                        progress.accept(run, log.step());
                    }
                }
            });
            TrainResult r;
            try {
                r = trainer.run();
            } catch (ScaleLabException e) {
                if (!String.valueOf(e.getMessage()).contains("diverged")) {
                    throw e;
                }
                // Training is deterministic (also with other runs in the JVM, see ConcurrentTrainingTest), so
                // a resume would diverge again at the same step. A diverging cell is a result of the sweep
                // (too high a rate for this size), not a failure of it.
                double seconds = previousSeconds + (System.nanoTime() - t0) / 1e9;
                store.putTrainingRun(new LabStore.TrainingRun(run, experiment, specJson, DIVERGED, parameters, trainer.step(), seconds));
                return new RunResult(run, spec, parameters, trainer.step(), seconds, 0, false, DIVERGED, lastMetrics(store, run), null);
            }
            double seconds = previousSeconds + (System.nanoTime() - t0) / 1e9;
            store.putTrainingRun(new LabStore.TrainingRun(run, experiment, specJson, "finished", parameters, r.step(), seconds));
            return new RunResult(run, spec, parameters, r.step(), seconds, r.stepsPerSecond(), false, "finished",
                    last.isEmpty() ? lastMetrics(store, run) : Map.copyOf(last), r.checkpoint());
        }
    }

    /** The world's word-level tokenizer next to the weights, so checkpoints (and captures) encode world text. */
    static void writeTokenizer(World world, Path dir) {
        try {
            WorldFiles.atomicWrite(dir.resolve(WorldFiles.TOKENIZER), Json.pretty(world.vocabulary().tokenizerJson()) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot write tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** What decides a run's curves: the world's config, the spec and the evaluation options. */
    static String specJson(World world, RunSpec spec, Options options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", spec.asMap());
        m.put("world", world.config().asMap());
        m.put("eval_per_decade", options.evalPerDecade());
        m.put("max_eval_per_set", options.maxEvalPerSet());
        m.put("schedule", options.cosine() ? "cosine" : "constant");
        return Json.write(m);
    }

    static Map<String, Double> lastMetrics(LabStore store, String run) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<LabStore.CurvePoint> points = store.curvePoints(run);
        if (points.isEmpty()) {
            return m;
        }
        long lastStep = points.get(points.size() - 1).step();
        for (LabStore.CurvePoint p : points) {
            if (p.step() == lastStep) {
                m.put(p.metric(), p.value());
            }
        }
        return m;
    }
}
