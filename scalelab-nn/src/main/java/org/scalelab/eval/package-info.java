/**
 * Multiple-choice evaluation by log-likelihood, the way lm-evaluation-harness scores its
 * multiple-choice tasks. Reading order: {@link org.scalelab.eval.EvalTask} (a task file, read strictly)
 * of {@link org.scalelab.eval.EvalExample}s; the model gives an {@link org.scalelab.eval.ExampleScore}
 * per example; {@link org.scalelab.eval.TaskMetrics} turns them into a
 * {@link org.scalelab.eval.TaskScore} of {@link org.scalelab.eval.Metric}s (acc, acc_norm by
 * {@link org.scalelab.eval.LengthNorm}, mc1, mc2, each with lm-eval's standard error);
 * {@link org.scalelab.eval.EvalTaskConverter} writes task files from Hugging Face dataset rows.
 */
package org.scalelab.eval;
