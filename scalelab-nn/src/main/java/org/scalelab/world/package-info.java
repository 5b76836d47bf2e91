/**
 * The controlled world: a synthetic world to train transformers from scratch and watch abilities
 * emerge, vanish and scale (Minegishi et al., "Emergent Analogical Reasoning in Transformers",
 * arXiv 2602.01992).
 *
 * <p>Reading order, top to bottom:
 * <ul>
 *   <li>{@link org.scalelab.world.WorldConfig} → {@link org.scalelab.world.WorldGenerator} → {@link org.scalelab.world.World}:
 *       categories E1, E2 and the hidden functor f, {@link org.scalelab.world.Relation}s of four
 *       {@link org.scalelab.world.Domain}s, and {@link org.scalelab.world.Example}s of each
 *       {@link org.scalelab.world.Kind} in a {@link org.scalelab.world.Split}; {@link org.scalelab.world.Vocabulary}
 *       and {@link org.scalelab.world.WorldFiles} (world.json, world.jsonl, vocab.json, tokenizer.json).</li>
 *   <li>{@link org.scalelab.world.RunSpec} → {@link org.scalelab.world.WorldTraining}: one run with the trainer
 *       (org.scalelab.train), evaluated at {@link org.scalelab.dynamics.LogSteps} by
 *       {@link org.scalelab.world.WorldEvaluation} (accuracy, loss, {@link org.scalelab.world.Alignment}),
 *       logged into the lab store; {@link org.scalelab.world.WorldSweep} runs a grid, resumably.</li>
 *   <li>{@link org.scalelab.world.WorldAnalysis}: per experiment, the model-free detectors of
 *       {@code org.scalelab.dynamics} ({@link org.scalelab.dynamics.Emergence}, {@link org.scalelab.dynamics.Transience},
 *       {@link org.scalelab.dynamics.ScalingShape}) over the runs' curves read from the lab store.</li>
 *   <li>{@link org.scalelab.world.WorldCapture}: activation sets of trained models (trajectories by domain with
 *       step boundaries, labelled truth statements); {@link org.scalelab.world.WorldBench}: training throughput.</li>
 * </ul>
 */
package org.scalelab.world;
