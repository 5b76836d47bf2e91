package org.scalelab.eval;

/** What the model gave one example: the summed log-prob of each choice and each choice's lengths. */
public record ExampleScore(String id, double[] logprobs, int[] chars, int[] bytes, int[] tokens) {}
