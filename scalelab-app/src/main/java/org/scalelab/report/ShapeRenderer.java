package org.scalelab.report;

import java.util.Arrays;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.ShapeTest;

/**
 * Renders a shape test ({@link ShapeTest.Result}): monotone, U or inverted U, as text and as a report
 * section with the proposing quadratic, its residuals and the bootstrap distribution of its vertex.
 */
public final class ShapeRenderer {
    private ShapeRenderer() {}

    /** The report section for a test of {@code yCol} against log10 {@code xCol} on points (x, y). */
    public static void section(Report report, ShapeTest.Result r, double[] x, double[] y, String xCol, String yCol) {
        boolean nonMonotone = r.turningPoint() != null;
        report.verdict("shape", r.status() == FitStatus.DEGENERATE ? "degenerate: " + r.reason()
                : r.shape() + (r.why() == null ? "" : " — " + r.why()), !nonMonotone);
        if (r.status() != FitStatus.DEGENERATE) {
            double lo = Arrays.stream(x).min().orElseThrow();
            double hi = Arrays.stream(x).max().orElseThrow();
            double[] g = CurveFitRenderer.logGrid(lo, hi, 200);
            Plot p = Plot.of("Shape test", xCol, yCol).logX().points("data", x, y)
                    .line("quadratic in log10 " + xCol, g, Arrays.stream(g).map(r::predict).toArray());
            if (nonMonotone) {
                p.vline("turning point", r.turningPoint().x());
            }
            report.plot("fit", p, "Data and the quadratic in log10 x that proposes the turning point.");
            report.plot("residuals", CurveFitRenderer.residualPlot(xCol, x, y, r::predict, false),
                    "Residuals of the quadratic: structure left here means the quadratic is only a proposal.");
            if (r.bootstrapVertexLog10() != null) {
                report.plot("bootstrap_vertex", Plot.of("Bootstrap distribution of the vertex", "log10 " + xCol,
                        "replicates").histogram("vertex", r.bootstrapVertexLog10(), 30),
                        "Replicates without a vertex of this kind sit one data range beyond the end they point to.");
            }
        }
    }

    /** The text form: the verdict, the turning point, the quadratic and two-lines tests, bootstrap support. */
    public static String text(ShapeTest.Result r, String xCol, String yCol) {
        if (r.status() == FitStatus.DEGENERATE) {
            return "shape of " + yCol + " vs " + xCol + ": degenerate (" + r.reason() + ")";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("shape of ").append(yCol).append(" vs log10 ").append(xCol).append(": ").append(r.shape())
                .append("  (").append(r.nPoints()).append(" points)\n");
        if (r.turningPoint() != null) {
            sb.append("turning point: ").append(xCol).append(" = ").append(TextTable.num(r.turningPoint().x()))
                    .append(", 95 % CI ").append(CurveFitRenderer.interval(r.turningPoint().ci95())).append('\n');
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
