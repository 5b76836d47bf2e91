/**
 * What a reader sees of a result: one {@link org.scalelab.report.Renderer} per result type turns it
 * into the text the command line prints and its section of an HTML {@link org.scalelab.report.Report}
 * (tables, notes, {@link org.scalelab.report.Plot}s as SVG and PNG). Renderers take the result (and, where
 * a plot needs them, the analysis' input points or curves) and nothing of the command line, so the
 * web dashboard calls the same ones.
 *
 * <p>Reading order: {@link org.scalelab.report.Renderer}, then {@link org.scalelab.report.Report},
 * {@link org.scalelab.report.Plot} and {@link org.scalelab.report.TextTable}, then one renderer per result:
 * <ul>
 *   <li>geometry: {@link org.scalelab.report.GeometryRenderer} (metrics, null baselines, phase verdicts, scree, PCA,
 *       tangling);</li>
 *   <li>the controlled world: {@link org.scalelab.report.WorldReportRenderer} (findings, curves, detectors),
 *       {@link org.scalelab.report.WorldSweepRenderer}, {@link org.scalelab.report.WorldBenchRenderer};</li>
 *   <li>test-time compute and reliability: {@link org.scalelab.report.PassAtKRenderer},
 *       {@link org.scalelab.report.CoverageRenderer}, {@link org.scalelab.report.MajorityVoteRenderer},
 *       {@link org.scalelab.report.SamplingBudgetRenderer}, {@link org.scalelab.report.ReliabilityTableRenderer},
 *       {@link org.scalelab.report.ReliabilityRequirementsRenderer};</li>
 *   <li>the lab: {@link org.scalelab.report.RunTableRenderer}, {@link org.scalelab.report.ResultTableRenderer}, {@link org.scalelab.report.QueryResultRenderer},
 *       {@link org.scalelab.report.ModelInfoRenderer};</li>
 *   <li>the guided tour: {@link org.scalelab.report.DemoRenderer} (every step's result beside the truth its data
 *       were drawn from, from the results' JSON).</li>
 * </ul>
 */
package org.scalelab.report;
