package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.ShapeTest;
import org.scalelab.report.ShapeRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab fit shape}: is a metric monotone, U-shaped or inverted-U in log x? */
@Command(
        name = "shape",
        mixinStandardHelpOptions = true,
        description = {
            "Test whether a metric is monotone, U-shaped or inverted-U in log x.",
            "This finds non-monotonic scaling. A quadratic in log10 x proposes a turning point;",
            "a U needs significant curvature, the turning point and its bootstrap 95 %%",
            "interval inside the data, and the points on each side of it moving in",
            "opposite directions (Simonsohn's two-lines test), so that convex power",
            "laws are not called U.",
            ""
        },
        footer = {
            "",
            "Example:",
            "  scalelab fit shape --data data/chinchilla_hoffmann2022_fig4.csv --x compute --y-col loss"
        })
final class FitShapeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Mixin
    LawOptions.Scale scale;

    @Mixin
    LawOptions.Uncertainty uncertainty;

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "loss",
            description = "Column holding the metric. Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.05",
            description = "Significance level of each one-sided test in the verdict. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Override
    public Integer call() {
        if (!(alpha > 0 && alpha < 1)) {
            throw new InputException("--alpha must be between 0 and 1, got " + alpha);
        }
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        ShapeTest.Result r = ShapeTest.analyze(new CurveData(t, xCol, yCol),
                new ShapeTest.Options(alpha, uncertainty.replicates(), uncertainty.seed));
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.shape", r, r.provenance(), () -> ShapeRenderer.text(r, xCol, yCol),
                report -> ShapeRenderer.section(report, r, x, y, xCol, yCol));
        return 0;
    }
}
