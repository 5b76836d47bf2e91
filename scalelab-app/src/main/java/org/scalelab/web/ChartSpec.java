package org.scalelab.web;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.report.Plot;

/**
 * A chart as the browser draws it ({@code ScaleLab.chart} in {@code /static/app.js}, with ECharts): the
 * same layers a report's {@link org.scalelab.report.Plot} holds, as plain data. Handlers build one from a
 * renderer's plot or from curves; the page never computes what it shows.
 *
 * @param title the chart's title
 * @param x the horizontal axis
 * @param y the vertical axis
 * @param series the layers, drawn in order (later on top)
 * @param markers vertical or horizontal reference lines
 */
public record ChartSpec(String title, Axis x, Axis y, List<Series> series, List<Marker> markers) {
    /**
     * A report plot's layers as a chart spec, number for number: points, lines, dashed lines, bands (with their
     * middle line in {@code y}), histograms (their values and bin count), cells and heatmaps (values in
     * {@code z}, the colour scale's ends as {@code lo[0]} and {@code hi[0]}), and its markers.
     */
    public static ChartSpec of(Plot plot) {
        Plot.Contents c = plot.contents();
        List<Series> series = new ArrayList<>();
        for (Plot.Contents.Layer l : c.layers()) {
            series.add(switch (l.kind()) {
                case "heatmap" -> new Series(l.name(), "heatmap", l.x(), l.y(), new double[] {l.hi()[0]}, new double[] {l.hi()[1]}, l.lo(),
                        0, null);
                case "band" -> new Series(l.name(), "band", l.x(), l.y(), l.lo(), l.hi(), null, 0, null);
                case "histogram" -> new Series(l.name(), "histogram", l.x(), null, null, null, null, l.bins(), null);
                default -> new Series(l.name(), l.kind(), l.x(), l.y(), null, null, null, 0, null);
            });
        }
        List<Marker> markers = c.markers().stream().map(m -> new Marker(m.label(), m.value(), m.vertical())).toList();
        return new ChartSpec(c.title(), new Axis(c.xLabel(), c.logX(), c.xCategories()), new Axis(c.yLabel(), c.logY(), c.yCategories()),
                List.copyOf(series), markers);
    }

    /**
     * An axis.
     *
     * @param label the axis title
     * @param log whether it starts on a log scale (the page offers a log/linear toggle)
     * @param categories labels of a categorical axis (coordinate i is {@code categories[i]}), or null
     */
    public record Axis(String label, boolean log, List<String> categories) {
        public static Axis linear(String label) {
            return new Axis(label, false, null);
        }

        public static Axis log(String label) {
            return new Axis(label, true, null);
        }
    }

    /**
     * One layer.
     *
     * @param name the legend entry
     * @param kind {@code points}, {@code line}, {@code dashed}, {@code band} (lo..hi around x), {@code
     *     histogram} (x holds the values, {@code bins} the bin count), {@code cells}, {@code heatmap}
     *     ({@code z} row-major over the categories)
     * @param x horizontal coordinates
     * @param y vertical coordinates (null for band, histogram)
     * @param lo band lower edge, or null
     * @param hi band upper edge, or null
     * @param z heatmap values, row-major, or null
     * @param bins histogram bins, 0 otherwise
     * @param links page addresses to open on click (e.g. {@code /results/12}): one per point, or a single one
     *     that every point of the series opens (a curve of one run), or null
     */
    public record Series(String name, String kind, double[] x, double[] y, double[] lo, double[] hi, double[] z, int bins,
            List<String> links) {
        public static Series line(String name, double[] x, double[] y) {
            return new Series(name, "line", x, y, null, null, null, 0, null);
        }

        public static Series points(String name, double[] x, double[] y) {
            return new Series(name, "points", x, y, null, null, null, 0, null);
        }

        public static Series band(String name, double[] x, double[] lo, double[] hi) {
            return new Series(name, "band", x, null, lo, hi, null, 0, null);
        }
    }

    /**
     * A reference line.
     *
     * @param label its label
     * @param value where it crosses its axis
     * @param vertical true for a line at x = value, false for y = value
     */
    public record Marker(String label, double value, boolean vertical) {}
}
