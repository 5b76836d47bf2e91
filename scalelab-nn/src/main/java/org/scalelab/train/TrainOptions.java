package org.scalelab.train;

import org.scalelab.InputException;

/**
 * Everything that decides a training run besides the model and the data.
 *
 * @param steps             optimiser updates to reach (a resumed run continues up to this count)
 * @param batchSize         examples per update
 * @param schedule          learning rate per update (constant or cosine, with linear warmup)
 * @param adamW             optimiser hyper-parameters and which parameters are decayed
 * @param clipNorm          global gradient-norm clipping threshold; 0 disables clipping
 * @param seed              data order (the only randomness in training; initial weights come with the model)
 * @param checkpointEvery   save a checkpoint every this many updates (0: only at the end)
 * @param keepCheckpoints   keep only the newest this many checkpoints (0: keep all)
 */
public record TrainOptions(long steps, int batchSize, LearningRateSchedule schedule, AdamWOptions adamW, double clipNorm,
                           long seed, long checkpointEvery, int keepCheckpoints) {
    public TrainOptions {
        if (steps <= 0) {
            throw new InputException("steps must be positive, got " + steps);
        }
        if (batchSize <= 0) {
            throw new InputException("batch size must be positive, got " + batchSize);
        }
        if (schedule == null || adamW == null) {
            throw new InputException("train options: schedule and AdamW options are required");
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new InputException("gradient clipping norm must be ≥ 0 (0 = off), got " + clipNorm);
        }
        if (checkpointEvery < 0 || keepCheckpoints < 0) {
            throw new InputException("checkpoint interval and count must be ≥ 0, got " + checkpointEvery + ", " + keepCheckpoints);
        }
    }

    /**
     * {@code steps} updates of {@code batchSize} examples at learning rate {@code lr}: cosine decay
     * to 10% of the peak after a warmup of min(100, steps/10) updates, AdamW defaults
     * ({@link AdamWOptions#defaults()}), clipping at norm 1, a checkpoint at the end only, the last 2 kept.
     */
    public static TrainOptions of(long steps, int batchSize, double lr, long seed) {
        int warmup = (int) Math.min(100, steps / 10);
        return new TrainOptions(steps, batchSize, LearningRateSchedule.cosine(lr, warmup, steps, 0.1), AdamWOptions.defaults(),
                1.0, seed, 0, 2);
    }

    public TrainOptions withSchedule(LearningRateSchedule s) {
        return new TrainOptions(steps, batchSize, s, adamW, clipNorm, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainOptions withAdamW(AdamWOptions a) {
        return new TrainOptions(steps, batchSize, schedule, a, clipNorm, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainOptions withClipNorm(double c) {
        return new TrainOptions(steps, batchSize, schedule, adamW, c, seed, checkpointEvery, keepCheckpoints);
    }

    public TrainOptions withCheckpoints(long every, int keep) {
        return new TrainOptions(steps, batchSize, schedule, adamW, clipNorm, seed, every, keep);
    }

    public TrainOptions withSteps(long n) {
        return new TrainOptions(n, batchSize, schedule, adamW, clipNorm, seed, checkpointEvery, keepCheckpoints);
    }
}
