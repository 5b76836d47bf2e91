/**
 * Interpretability analyses on the runtime's TransformerLens-named hooks (docs/interpretability.md).
 *
 * <p>Reading order:
 * <ul>
 *   <li>{@link org.scalelab.interp.PatchPair}: clean/corrupted prompt pairs (JSONL) with their answer and wrong token.</li>
 *   <li>{@link org.scalelab.interp.Patching}: activation patching per layer × position, layer × head or hook, and head
 *       ablation, scored by the normalised logit-difference recovery; each patched run carries an
 *       {@link org.scalelab.model.ActivationPatch} in its {@link org.scalelab.model.HookSet}.</li>
 *   <li>{@link org.scalelab.interp.Lens}: the logit lens (each residual with its own final-norm scale) and direct logit
 *       attribution (the scale frozen from the last residual, {@link org.scalelab.model.Transformer#directLogits}).</li>
 *   <li>{@link org.scalelab.interp.SteeringSweep}: steering's dose-response on held-out eval tasks against random directions
 *       (docs/phase.md, "Steering"), summarised by {@link org.scalelab.phase.DoseResponse}.</li>
 * </ul>
 */
package org.scalelab.interp;
