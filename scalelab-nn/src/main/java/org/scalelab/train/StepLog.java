package org.scalelab.train;

/**
 * What one optimiser update reports.
 *
 * @param step     updates done, counting this one (1 after the first)
 * @param loss     mean cross-entropy over the batch's target tokens, before the update (nats)
 * @param lr       learning rate used by this update
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param targets  target tokens the loss averaged over
 * @param epoch    epoch of the batch's last example (0-based)
 */
public record StepLog(long step, double loss, double lr, double gradNorm, int targets, long epoch) {}
