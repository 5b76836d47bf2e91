/**
 * Training the runtime's own model classes with PyTorch autograd (through DJL).
 *
 * <p>Reading order:
 * <ul>
 *   <li>{@link org.scalelab.model.Transformer#loadTrainable}: parameters as F32 copies that require
 *       gradients; {@link org.scalelab.model.Transformer#logits(ai.djl.ndarray.NDManager, int[][])} the
 *       differentiable forward pass; {@link org.scalelab.model.GradMode} the thread's autograd switch.</li>
 *   <li>{@link org.scalelab.train.Example}: a sequence and its target tokens;
 *       {@link org.scalelab.train.MaskedCrossEntropy}: the loss on targets only;
 *       {@link org.scalelab.train.DataOrder}: seeded epochs of permutations.</li>
 *   <li>{@link org.scalelab.train.AdamW} ({@link org.scalelab.train.AdamWOptions}) with global-norm clipping,
 *       {@link org.scalelab.train.LearningRateSchedule}: constant or cosine after a linear warmup.</li>
 *   <li>{@link org.scalelab.train.Trainer}: the loop, listeners ({@link org.scalelab.train.TrainingListener},
 *       {@link org.scalelab.train.TrainingLogFile}), {@link org.scalelab.train.TrainingCheckpoint}s in the
 *       Hugging Face layout with optimiser state, and exact resume.</li>
 * </ul>
 */
package org.scalelab.train;
