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
 *       (org.scalelab.train), evaluated at {@link org.scalelab.world.LogSteps} by
 *       {@link org.scalelab.world.WorldEvaluation} (accuracy, loss, {@link org.scalelab.world.Alignment}),
 *       logged into the lab store; {@link org.scalelab.world.WorldSweep} runs a grid, resumably.</li>
 *   <li>Detectors over {@link org.scalelab.world.Curve}s with {@link org.scalelab.world.SeedInterval}s:
 *       {@link org.scalelab.world.Emergence}, {@link org.scalelab.world.Transience},
 *       {@link org.scalelab.world.ScalingShape} (the law engine's shape test), each call tested against
 *       {@link org.scalelab.world.BinomialNull} (curves simulated with binomial noise on the same examples and
 *       evaluation steps); all combined per experiment by {@link org.scalelab.world.WorldAnalysis}.</li>
 *   <li>{@link org.scalelab.world.WorldCapture}: activation sets of trained models (trajectories by domain with
 *       step boundaries, labelled truth statements); {@link org.scalelab.world.WorldBench}: training throughput.</li>
 * </ul>
 */
package org.scalelab.world;
