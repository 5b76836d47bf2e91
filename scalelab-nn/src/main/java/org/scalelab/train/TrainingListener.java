package org.scalelab.train;

/**
 * Called by {@link Trainer} after every update, on the training thread with grad mode off, so
 * a listener may log the {@link StepLog}, evaluate {@link Trainer#model()} with ordinary forward
 * passes, or call {@link Trainer#saveCheckpoint()}. After a resume the calls continue from the
 * step after the checkpoint: steps at or before it are not reported again, later ones are
 * (a run killed after step 130 with its last checkpoint at 100 reports 101 … 130 again), so
 * keep what a listener records keyed by step, or drop entries after {@link #onResume}'s step.
 */
public interface TrainingListener {
    void onStep(StepLog log, Trainer trainer);

    /** Training continues from a checkpoint taken after {@code step} updates. */
    default void onResume(long step, Trainer trainer) {}

    /** A checkpoint of {@code step} updates is complete in {@code dir}. */
    default void onCheckpoint(long step, java.nio.file.Path dir, Trainer trainer) {}
}
