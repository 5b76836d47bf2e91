package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.model.GradMode;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.TorchEngine;
import org.scalelab.model.Transformer;

/**
 * Trains a {@link Transformer} on {@link Example}s: seeded batches ({@link DataOrder}), masked
 * cross-entropy ({@link MaskedCrossEntropy}), backward through PyTorch autograd, global-norm
 * clipping and AdamW ({@link AdamW}) on the scheduled learning rate ({@link LearningRateSchedule}),
 * checkpoints in the Hugging Face layout ({@link TrainingCheckpoint}) that also carry the optimiser
 * state, the step and the data-order position, so that {@link #resume} after a kill continues
 * exactly as the uninterrupted run would have (same batches, same float operations).
 *
 * <pre>{@code
 * try (Trainer t = Trainer.startOrResume(initDir, examples, TrainOptions.of(2000, 32, 1e-3, seed), outDir)) {
 *     t.addListener((log, tr) -> System.out.println(log));
 *     TrainResult r = t.run();
 * }
 * }</pre>
 */
public final class Trainer implements AutoCloseable {
    private final Transformer model;
    private final AdamW optimizer;
    private final DataOrder order;
    private final List<Example> data;
    private final TrainOptions options;
    private final Path out;
    private final String dataSha256;
    private final NDManager root;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private long step;
    private double lastLoss = Double.NaN;
    private long resumedFrom = -1;

    private Trainer(Transformer model, List<Example> data, TrainOptions options, Path out, long step, DataOrder.Position position,
                    String dataSha256) {
        this.model = model;
        this.data = List.copyOf(data);
        this.options = options;
        this.out = out;
        this.step = step;
        this.dataSha256 = dataSha256;
        this.order = new DataOrder(data.size(), options.seed(), position);
        this.optimizer = new AdamW(model.trainableParameters(), options.adamW());
        this.root = TorchEngine.get().newBaseManager();
    }

    /**
     * A new run from the model in {@code modelDir} (e.g. one written by {@code ModelInit}); its
     * checkpoints go to {@code out}, which must not hold a run's checkpoints already.
     */
    public static Trainer start(Path modelDir, List<Example> data, TrainOptions options, Path out) {
        if (TrainingCheckpoint.latest(out).isPresent()) {
            throw new InputException(out + ": already holds checkpoints of a training run; resume it or choose another output folder");
        }
        checkNewRunFolder(out);
        String sha = fingerprint(data);
        Transformer model = Transformer.loadTrainable(modelDir);
        try {
            checkData(model.config(), data);
            return new Trainer(model, data, options, out, 0, new DataOrder.Position(0, 0), sha);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * A new run's folder is missing, empty, or holds only what a run of ours leaves when stopped
     * before its first checkpoint (its log and hidden unfinished checkpoints): never a folder of the
     * user's, whose old checkpoints pruning would delete.
     */
    private static void checkNewRunFolder(Path out) {
        Path target = OutputFolder.checkNotLab("--out", out, null);
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new InputException(out + ": is a file, not a folder; choose a new or empty folder for the run");
        }
        try (java.util.stream.Stream<Path> entries = Files.list(target)) {
            Optional<String> foreign = entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(TrainingLogFile.NAME) && !n.matches("\\.checkpoint-\\d+\\..*\\.tmp"))
                    .sorted().findFirst();
            if (foreign.isPresent()) {
                throw new InputException(out + ": holds " + foreign.get() + ", which is not part of a training run; choose a new or empty folder");
            }
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot read the run folder: " + e.getMessage(), e);
        }
    }

    /**
     * Continues the run in {@code out} from its newest complete checkpoint, with the same data and
     * options ({@code steps}, the checkpoint interval and count may change; with a cosine
     * schedule, changing {@code steps} changes the learning rates from here on).
     */
    public static Trainer resume(Path out, List<Example> data, TrainOptions options) {
        Path checkpoint = TrainingCheckpoint.latest(out)
                .orElseThrow(() -> new InputException(out + ": no complete checkpoint to resume from"));
        TrainerState state = TrainerState.read(checkpoint);
        String sha = fingerprint(data);
        if (state.examples() != data.size() || !state.dataSha256().equals(sha)) {
            throw new InputException(checkpoint + ": was trained on other data (" + state.examples() + " examples, sha256 "
                    + state.dataSha256().substring(0, 12) + "…; now " + data.size() + " examples, " + sha.substring(0, 12)
                    + "…); resume with the same data file");
        }
        requireSameOptions(checkpoint, state.options(), optionsJson(options));
        Transformer model = Transformer.loadTrainable(checkpoint);
        try {
            checkData(model.config(), data);
            Trainer t = new Trainer(model, data, options, out, state.step(), new DataOrder.Position(state.epoch(), state.cursor()), sha);
            List<java.util.Map<String, float[]>> moments = TrainingCheckpoint.readMoments(checkpoint);
            t.optimizer.restore(moments.get(0), moments.get(1), state.step());
            t.lastLoss = state.lastLoss();
            t.resumedFrom = state.step();
            return t;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** {@link #resume} when {@code out} holds a checkpoint, else {@link #start}. */
    public static Trainer startOrResume(Path modelDir, List<Example> data, TrainOptions options, Path out) {
        return TrainingCheckpoint.latest(out).isPresent() ? resume(out, data, options) : start(modelDir, data, options, out);
    }

    /** Adds a listener; if this trainer was resumed, it is told the checkpoint's step at once. */
    public Trainer addListener(TrainingListener listener) {
        listeners.add(listener);
        if (resumedFrom >= 0) {
            listener.onResume(resumedFrom, this);
        }
        return this;
    }

    /** The model being trained (evaluate it with ordinary forward passes between steps). */
    public Transformer model() {
        return model;
    }

    public TrainOptions options() {
        return options;
    }

    /** Updates done so far. */
    public long step() {
        return step;
    }

    /** The data order's position: where the next batch starts. */
    public DataOrder.Position position() {
        return order.position();
    }

    /** Trains until {@link TrainOptions#steps()} updates are done, saving checkpoints as configured and at the end. */
    public TrainResult run() {
        long startStep = step;
        long t0 = System.nanoTime();
        try (Progress.Task task = Progress.start("train", Math.max(0, options.steps() - step))) {
            while (step < options.steps()) {
                trainStep();
                if (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0 && step < options.steps()) {
                    saveCheckpoint();
                }
                task.step();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path last = TrainingCheckpoint.dirFor(out, step);
        if (!Files.isDirectory(last)) {
            last = saveCheckpoint();
        }
        long done = step - startStep;
        return new TrainResult(step, done, lastLoss, last, seconds, done > 0 ? done / seconds : 0);
    }

    /** One update on the next batch; listeners are called after it. */
    public StepLog trainStep() {
        int[] indices = order.next(options.batchSize());
        List<Example> batch = new ArrayList<>(indices.length);
        for (int i : indices) {
            batch.add(data.get(i));
        }
        double lr = options.schedule().at(step);
        float loss;
        try (NDManager scope = root.newSubManager()) {
            NDArray lossArray;
            try (GradMode on = GradMode.enabled()) {
                NDArray logits = model.logits(scope, MaskedCrossEntropy.padded(batch));
                lossArray = MaskedCrossEntropy.loss(logits, batch);
                backward(lossArray);
            }
            loss = lossArray.getFloat();
        }
        if (!Float.isFinite(loss)) {
            throw new ScaleLabException("training diverged: loss is " + loss + " at step " + (step + 1)
                    + " (lower the learning rate, add warmup or clip gradients)");
        }
        double norm = optimizer.step(lr, options.clipNorm());
        step++;
        lastLoss = loss;
        StepLog log = new StepLog(step, loss, lr, norm, MaskedCrossEntropy.targetCount(batch), order.position().epoch());
        try (GradMode off = GradMode.disabled()) {
            for (TrainingListener l : listeners) {
                l.onStep(log, this);
            }
        }
        return log;
    }

    /** Saves a checkpoint of the current step (model, optimiser, data position), pruning old ones; returns its folder. */
    public Path saveCheckpoint() {
        Path target = TrainingCheckpoint.dirFor(out, step);
        if (Files.isDirectory(target)) {
            return target;
        }
        DataOrder.Position p = order.position();
        TrainerState state = new TrainerState(step, p.epoch(), p.cursor(), options.seed(), data.size(), dataSha256, lastLoss,
                optionsJson(options));
        Path dir = TrainingCheckpoint.save(out, model, optimizer, state);
        prune();
        for (TrainingListener l : listeners) {
            l.onCheckpoint(step, dir, this);
        }
        return dir;
    }

    private void prune() {
        if (options.keepCheckpoints() <= 0) {
            return;
        }
        List<Path> all = TrainingCheckpoint.list(out);
        for (int i = 0; i < all.size() - options.keepCheckpoints(); i++) {
            // Hide it first (one rename), then delete: a half-deleted folder never looks complete.
            Path old = all.get(i);
            try {
                Path hidden = org.scalelab.io.AtomicFiles.temporarySibling(old);
                Files.move(old, hidden);
                TrainingCheckpoint.deleteTree(hidden);
            } catch (IOException e) {
                throw new ScaleLabException(old + ": cannot delete old checkpoint: " + e.getMessage(), e);
            }
        }
    }

    /** d loss / d leaves, accumulated into each leaf's .grad (the graph is freed afterwards). */
    private static void backward(NDArray loss) {
        try (NDArray seed = loss.getManager().ones(loss.getShape())) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    private static void checkData(ModelConfig config, List<Example> data) {
        if (data.isEmpty()) {
            throw new InputException("training data: no examples");
        }
        for (int i = 0; i < data.size(); i++) {
            Example e = data.get(i);
            for (int t = 0; t < e.length(); t++) {
                int id = e.token(t);
                if (id < 0 || id >= config.vocabSize()) {
                    throw new InputException("training example " + (i + 1) + ": token id " + id + " at position " + t
                            + " is outside the model's vocabulary [0, " + config.vocabSize() + ")");
                }
            }
            if (config.family().learnedPositions() && e.length() > config.maxPositions()) {
                throw new InputException("training example " + (i + 1) + ": " + e.length() + " tokens exceed the model's "
                        + config.maxPositions() + " positions");
            }
        }
    }

    /** SHA-256 over every example's length, tokens and mask, in order. */
    static String fingerprint(List<Example> data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Example e : data) {
                ByteBuffer b = ByteBuffer.allocate(4 + 5 * e.length());
                b.putInt(e.length());
                for (int t = 0; t < e.length(); t++) {
                    b.putInt(e.token(t));
                    b.put((byte) (e.isTarget(t) ? 1 : 0));
                }
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode optionsJson(TrainOptions options) {
        return Json.mapper().valueToTree(options);
    }

    private static void requireSameOptions(Path checkpoint, JsonNode saved, ObjectNode now) {
        for (java.util.Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals("steps") || key.equals("checkpoint_every") || key.equals("keep_checkpoints")) {
                continue;
            }
            // Compared as text: numbers read back from JSON may have another node type (int vs long).
            if (saved.get(key) == null || !now.get(key).toString().equals(saved.get(key).toString())) {
                String hint = key.equals("schedule") ? " (a cosine schedule ends at the run's step count, so more steps would change"
                        + " the learning rates already used; extend constant-schedule runs only)" : "";
                throw new InputException(checkpoint + ": the run was started with " + key + " = " + saved.get(key)
                        + ", now " + now.get(key) + "; resume with the same options (or start a new run)" + hint);
            }
        }
    }

    @Override
    public void close() {
        optimizer.close();
        root.close();
        model.close();
    }
}
