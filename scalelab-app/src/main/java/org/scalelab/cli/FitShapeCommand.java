package org.scalelab.cli;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.ShapeTest;
import org.scalelab.report.Plot;
import org.scalelab.report.TextTable;
import org.scalelab.store.NumericTable;
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
        ShapeTest.Result r = ShapeTest.analyze(t, xCol, yCol,
                new ShapeTest.Options(alpha, uncertainty.replicates(), uncertainty.seed));
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.shape", r, r.provenance(), () -> text(r, xCol, yCol), report -> {
            boolean nonMonotone = r.turningPoint() != null;
            report.verdict("shape", r.status() == FitStatus.DEGENERATE ? "degenerate: " + r.reason()
                    : r.shape() + (r.why() == null ? "" : " — " + r.why()), !nonMonotone);
            if (r.status() != FitStatus.DEGENERATE) {
                double lo = Arrays.stream(x).min().orElseThrow();
                double hi = Arrays.stream(x).max().orElseThrow();
                double[] g = FitPlots.logGrid(lo, hi, 200);
                Plot p = Plot.of("Shape test", xCol, yCol).logX().points("data", x, y)
                        .line("quadratic in log10 " + xCol, g, Arrays.stream(g).map(r::predict).toArray());
                if (nonMonotone) {
                    p.vline("turning point", r.turningPoint().x());
                }
                report.plot("fit", p, "Data and the quadratic in log10 x that proposes the turning point.");
                report.plot("residuals", FitPlots.residualPlot(xCol, x, y, r::predict, false),
                        "Residuals of the quadratic: structure left here means the quadratic is only a proposal.");
                if (r.bootstrapVertexLog10() != null) {
                    report.plot("bootstrap_vertex", Plot.of("Bootstrap distribution of the vertex", "log10 " + xCol,
                            "replicates").histogram("vertex", r.bootstrapVertexLog10(), 30),
                            "Replicates without a vertex of this kind sit one data range beyond the end they point to.");
                }
            }
        });
        return 0;
    }

    static String text(ShapeTest.Result r, String xCol, String yCol) {
        if (r.status() == FitStatus.DEGENERATE) {
            return "shape of " + yCol + " vs " + xCol + ": degenerate (" + r.reason() + ")";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("shape of ").append(yCol).append(" vs log10 ").append(xCol).append(": ").append(r.shape())
                .append("  (").append(r.nPoints()).append(" points)\n");
        if (r.turningPoint() != null) {
            sb.append("turning point: ").append(xCol).append(" = ").append(TextTable.num(r.turningPoint().x()))
                    .append(", 95 % CI ").append(FitPlots.interval(r.turningPoint().ci95())).append('\n');
        } else if (r.why() != null) {
            sb.append("not U / inverted U because ").append(r.why()).append('\n');
        }
        sb.append("quadratic: c2 = ").append(TextTable.num(r.coefficients().get("c2"))).append(" (p = ")
                .append(TextTable.num(r.pValue())).append("), linear trend slope ")
                .append(TextTable.num(r.trendSlope())).append(" per decade (p = ").append(TextTable.num(r.trendPValue()))
                .append(')');
        if (r.left() != null) {
            sb.append("\ntwo lines: left slope ").append(TextTable.num(r.left().slope())).append(" (p = ")
                    .append(TextTable.num(r.left().pValue())).append(", ").append(r.left().nPoints())
                    .append(" points), right slope ").append(TextTable.num(r.right().slope())).append(" (p = ")
                    .append(TextTable.num(r.right().pValue())).append(", ").append(r.right().nPoints()).append(" points)");
        }
        if (r.bootstrapSupport() != null) {
            sb.append("\nbootstrap support: ").append(TextTable.num(100 * r.bootstrapSupport()))
                    .append(" % of replicates have this curvature with the vertex inside the data");
        }
        return sb.toString();
    }
}
