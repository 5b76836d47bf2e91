package org.scalelab.train;

import java.nio.file.Path;

/**
 * What {@link Trainer#run()} did.
 *
 * @param step           updates done in total (including those before a resume)
 * @param stepsThisRun   updates done by this call
 * @param finalLoss      loss of the last update
 * @param checkpoint     the checkpoint holding the final weights (a Hugging Face model folder)
 * @param seconds        wall time of this call's updates (checkpoint saves included)
 * @param stepsPerSecond stepsThisRun / seconds
 */
public record TrainResult(long step, long stepsThisRun, double finalLoss, Path checkpoint, double seconds, double stepsPerSecond) {}
