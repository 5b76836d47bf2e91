package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.ModelConfig;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.train.AdamWOptions;
import org.scalelab.train.Example;
import org.scalelab.train.LearningRateSchedule;
import org.scalelab.train.TrainOptions;
import org.scalelab.train.TrainResult;
import org.scalelab.train.Trainer;
import org.scalelab.train.TrainingCheckpoint;
import org.scalelab.train.TrainingData;
import org.scalelab.train.TrainingLogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {"Train a model (a Hugging Face checkpoint folder) on a JSONL file with AdamW.",
            "Writes OUT/checkpoint-<step>/ (a Hugging Face folder that capture, generate and model info read, plus",
            "optimizer state) every --checkpoint-every steps and at the end, and OUT/train_log.jsonl (step, loss,",
            "lr, grad_norm). After an interruption, the same command with --resume continues exactly where the",
            "newest checkpoint left off."},
        footer = {"", "Example:",
            "  scalelab model init --family gpt_neox --d-model 64 --layers 2 --heads 4 --vocab 257 --out lab/models/tiny",
            "  scalelab train --model lab/models/tiny --data train.jsonl --out lab/runs/tiny --steps 500 --lr 1e-3 --batch 16 --seed 1",
            "", "train.jsonl, one object per line, in any of three forms:",
            "  {\"text\": \"the cat sat\"}                            loss on every token after the first",
            "  {\"prompt\": \"2+2=\", \"completion\": \"4\"}              loss on the completion only",
            "  {\"tokens\": [5, 9, 2, 7], \"loss_mask\": [0, 0, 0, 1]}  token ids; loss on tokens marked 1"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Starting checkpoint folder (e.g. from scalelab model init); ignored with --resume.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training examples, JSONL (text, prompt+completion, or tokens+loss_mask).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder for checkpoints and the training log: new, empty, or (with --resume) a run to continue.")
    Path out;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Optimiser updates to reach.")
    long steps;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-3", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16", description = "Examples per update. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the data order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--schedule", paramLabel = "KIND", defaultValue = "cosine", description = "cosine (to --min-lr-ratio · lr at --steps) or constant, after the warmup. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--warmup", paramLabel = "N", description = "Linear warmup steps. Default: min(100, steps / 10).")
    Integer warmup;

    @Option(names = "--min-lr-ratio", paramLabel = "R", defaultValue = "0.1", description = "Floor of the cosine as a fraction of --lr. Default: ${DEFAULT-VALUE}.")
    double minLrRatio;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01", description = "AdamW's decoupled weight decay λ. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--decay", paramLabel = "SCOPE", defaultValue = "matrices",
            description = "Parameters that are decayed: matrices (weights and embeddings, not biases or norm gains), matrices-except-embeddings, or all. Default: ${DEFAULT-VALUE}.")
    String decay;

    @Option(names = "--beta1", paramLabel = "X", defaultValue = "0.9", description = "AdamW β₁. Default: ${DEFAULT-VALUE}.")
    double beta1;

    @Option(names = "--beta2", paramLabel = "X", defaultValue = "0.999", description = "AdamW β₂. Default: ${DEFAULT-VALUE}.")
    double beta2;

    @Option(names = "--clip", paramLabel = "X", defaultValue = "1.0", description = "Global gradient-norm clipping threshold; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0", description = "Save a checkpoint every N steps (0: only at the end). Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "2", description = "Checkpoints kept (the newest; 0 keeps all). Default: ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (same data and options).")
    boolean resume;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    /** What the command did. */
    record Summary(String out, String checkpoint, long step, long stepsThisRun, Long resumedFrom, int examples, double finalLoss,
                   double seconds, double stepsPerSecond, String log) {}

    @Override
    public Integer call() {
        LearningRateSchedule.Kind kind = switch (schedule.toLowerCase(Locale.ROOT)) {
            case "cosine" -> LearningRateSchedule.Kind.COSINE;
            case "constant" -> LearningRateSchedule.Kind.CONSTANT;
            default -> throw new InputException("--schedule: \"" + schedule + "\" is not a schedule (cosine or constant)");
        };
        AdamWOptions.DecayScope scope = switch (decay.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "matrices" -> AdamWOptions.DecayScope.MATRICES;
            case "matrices-except-embeddings" -> AdamWOptions.DecayScope.MATRICES_EXCEPT_EMBEDDINGS;
            case "all" -> AdamWOptions.DecayScope.ALL;
            default -> throw new InputException("--decay: \"" + decay + "\" is not a scope (matrices, matrices-except-embeddings, all)");
        };
        if (steps <= 0) {
            throw new InputException("--steps: " + steps + " must be positive");
        }
        int w = warmup != null ? warmup : (int) Math.min(100, steps / 10);
        TrainOptions options = new TrainOptions(steps, batch, new LearningRateSchedule(kind, lr, w, steps, minLrRatio),
                new AdamWOptions(beta1, beta2, 1e-8, weightDecay, scope), clip, seed, checkpointEvery, keep);
        boolean hasCheckpoint = TrainingCheckpoint.latest(out).isPresent();
        if (resume && !hasCheckpoint) {
            throw new InputException("--resume: " + out + " holds no complete checkpoint to resume from");
        }
        if (!resume && hasCheckpoint) {
            throw new InputException("--out: " + out + " already holds a training run; add --resume to continue it, or choose another folder");
        }
        Path source = resume ? TrainingCheckpoint.latest(out).orElseThrow() : model;
        ModelConfig config = ModelConfig.read(source);
        List<Example> examples = TrainingData.readJsonl(data, () -> ModelTokenizer.load(source), config.maxPositions());
        Path logFile = out.resolve(TrainingLogFile.NAME);
        TrainResult r;
        Long resumedFrom = null;
        try (Trainer t = resume ? Trainer.resume(out, examples, options) : Trainer.start(model, examples, options, out);
             TrainingLogFile log = new TrainingLogFile(logFile)) {
            if (resume) {
                resumedFrom = t.step();
            }
            t.addListener(log);
            r = t.run();
        }
        Summary s = new Summary(out.toString(), r.checkpoint().toString(), r.step(), r.stepsThisRun(), resumedFrom, examples.size(),
                r.finalLoss(), r.seconds(), r.stepsPerSecond(), logFile.toString());
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.pretty(s));
        } else {
            pw.printf(Locale.ROOT, "trained %d steps%s on %d examples in %.1f s (%.2f steps/s), final loss %.4f → %s%n", r.stepsThisRun(),
                    resumedFrom != null ? " (resumed at step " + resumedFrom + ")" : "", examples.size(), r.seconds(), r.stepsPerSecond(),
                    r.finalLoss(), r.checkpoint());
        }
        pw.flush();
        return 0;
    }
}
