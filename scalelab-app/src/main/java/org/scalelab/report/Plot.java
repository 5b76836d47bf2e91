package org.scalelab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.scalelab.ScaleLabException;

/**
 * One chart, built fluently and written as SVG (for the HTML report) and PNG (for slides and
 * quick looks) through JFreeChart. Log axes drop non-positive values (they cannot be shown) rather
 * than failing. Layers are drawn in the order added, later on top.
 */
public final class Plot {
    /** Colour-blind-safe palette (Okabe & Ito 2008). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000)
    };

    private enum Kind { POINTS, LINE, DASHED, BAND, HISTOGRAM, CELLS, HEATMAP }

    private record Layer(Kind kind, String name, double[] x, double[] y, double[] lo, double[] hi, int bins) {}

    private record Marker(String label, double value, boolean vertical) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean logX;
    private boolean logY;
    private int width = 720;
    private int height = 440;
    private String[] xCategories;
    private String[] yCategories;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    private Plot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /**
     * n points from {@code from} to {@code to}, evenly spaced on a log axis, each rounded to 12
     * significant digits so that 1:1e7:15 gives 100, not 99.99999999999997.
     */
    public static double[] logGrid(double from, double to, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = Double.parseDouble(String.format(java.util.Locale.ROOT, "%.12g", from * Math.pow(to / from, n == 1 ? 0 : (double) i / (n - 1))));
        }
        return g;
    }

    public static Plot of(String title, String xLabel, String yLabel) {
        return new Plot(title, xLabel, yLabel);
    }

    public Plot logX() {
        logX = true;
        return this;
    }

    public Plot logY() {
        logY = true;
        return this;
    }

    public Plot size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    /** Categorical axes: coordinate i is labelled {@code x[i]} / {@code y[i]} (a grid such as size × domain). */
    public Plot categories(String[] x, String[] y) {
        this.xCategories = x.clone();
        this.yCategories = y.clone();
        return this;
    }

    /** Filled squares, one grid cell each (with {@link #categories}): one colour per series. */
    public Plot cells(String series, double[] x, double[] y) {
        layers.add(new Layer(Kind.CELLS, series, x.clone(), y.clone(), null, null, 0));
        return this;
    }

    /**
     * One coloured block per grid cell (with {@link #categories}): {@code z[row][column]} at
     * x = column, y = row, on a diverging scale from {@code lo} (blue) through their midpoint
     * (white) to {@code hi} (red); NaN cells are grey.
     */
    public Plot heatmap(String series, double[][] z, double lo, double hi) {
        int n = 0;
        for (double[] row : z) {
            n += row.length;
        }
        double[] x = new double[n];
        double[] y = new double[n];
        double[] v = new double[n];
        int k = 0;
        for (int r = 0; r < z.length; r++) {
            for (int c = 0; c < z[r].length; c++) {
                x[k] = c;
                y[k] = r;
                v[k++] = z[r][c];
            }
        }
        // the layer keeps the values in lo and the scale's ends in hi
        layers.add(new Layer(Kind.HEATMAP, series, x, y, v, new double[] {lo, hi}, 0));
        return this;
    }

    /** Scatter of observed points. */
    public Plot points(String series, double[] x, double[] y) {
        layers.add(new Layer(Kind.POINTS, series, x.clone(), y.clone(), null, null, 0));
        return this;
    }

    /** A fitted or predicted curve (solid). */
    public Plot line(String series, double[] x, double[] y) {
        layers.add(new Layer(Kind.LINE, series, x.clone(), y.clone(), null, null, 0));
        return this;
    }

    /** An extrapolation or reference curve (dashed). */
    public Plot dashed(String series, double[] x, double[] y) {
        layers.add(new Layer(Kind.DASHED, series, x.clone(), y.clone(), null, null, 0));
        return this;
    }

    /** A shaded interval (e.g. a 95 % CI) around {@code mid}. */
    public Plot band(String series, double[] x, double[] mid, double[] lo, double[] hi) {
        layers.add(new Layer(Kind.BAND, series, x.clone(), mid.clone(), lo.clone(), hi.clone(), 0));
        return this;
    }

    /** Histogram of samples (e.g. bootstrap replicates of a parameter). */
    public Plot histogram(String series, double[] values, int bins) {
        layers.add(new Layer(Kind.HISTOGRAM, series, values.clone(), null, null, null, bins));
        return this;
    }

    /** A labelled vertical line at x. */
    public Plot vline(String label, double x) {
        markers.add(new Marker(label, x, true));
        return this;
    }

    /** A labelled horizontal line at y. */
    public Plot hline(String label, double y) {
        markers.add(new Marker(label, y, false));
        return this;
    }

    /** Writes {@code name.svg} and {@code name.png} into {@code dir}. */
    public void save(Path dir, String name) {
        JFreeChart chart = chart();
        try {
            Files.createDirectories(dir);
            ChartUtils.saveChartAsPNG(dir.resolve(name + ".png").toFile(), chart, width, height);
            SVGUtils.writeToSVG(dir.resolve(name + ".svg").toFile(), svgElement(chart));
        } catch (IOException e) {
            throw new ScaleLabException("cannot write plot " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** The plot as the SVG document {@link #save} writes. */
    public String svg() {
        return "<?xml version=\"1.0\"?>\n" + svgElement(chart());
    }

    /** The plot as the PNG image {@link #save} writes. */
    public byte[] png() {
        try {
            return ChartUtils.encodeAsPNG(chart().createBufferedImage(width, height));
        } catch (IOException e) {
            throw new ScaleLabException("cannot draw plot '" + title + "' as PNG: " + e.getMessage(), e);
        }
    }

    private String svgElement(JFreeChart chart) {
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        chart.draw(g2, new Rectangle(0, 0, width, height));
        return g2.getSVGElement();
    }

    /**
     * What the plot holds, read-only, for a face that draws it itself (the dashboard): the same layers and
     * markers, in order. Layer kinds are {@code points, line, dashed, band, histogram, cells, heatmap}; a
     * band's {@code y} is its middle line; a heatmap's {@code x, y} are column and row indices, {@code lo}
     * its values and {@code hi} the two ends of its colour scale.
     */
    public Contents contents() {
        List<Contents.Layer> ls = layers.stream().map(l -> new Contents.Layer(l.kind.name().toLowerCase(java.util.Locale.ROOT),
                l.name, copy(l.x), copy(l.y), copy(l.lo), copy(l.hi), l.bins)).toList();
        List<Contents.Marker> ms = markers.stream().map(m -> new Contents.Marker(m.label, m.value, m.vertical)).toList();
        return new Contents(title, xLabel, yLabel, logX, logY, xCategories == null ? null : List.of(xCategories),
                yCategories == null ? null : List.of(yCategories), ls, ms);
    }

    private static double[] copy(double[] a) {
        return a == null ? null : a.clone();
    }

    /** A plot's contents (see {@link #contents()}). */
    public record Contents(String title, String xLabel, String yLabel, boolean logX, boolean logY, List<String> xCategories,
            List<String> yCategories, List<Layer> layers, List<Marker> markers) {
        /** One layer as added. */
        public record Layer(String kind, String name, double[] x, double[] y, double[] lo, double[] hi, int bins) {}

        /** A reference line. */
        public record Marker(String label, double value, boolean vertical) {}
    }

    /** Blue (lo) → white (midpoint) → red (hi); values outside are clamped, NaN is grey. */
    private record DivergingScale(double lo, double hi) implements org.jfree.chart.renderer.PaintScale {
        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi > lo ? hi : lo + 1;
        }

        @Override
        public java.awt.Paint getPaint(double v) {
            if (!Double.isFinite(v)) {
                return new Color(0xBBBBBB);
            }
            double t = Math.max(0, Math.min(1, (v - lo) / (getUpperBound() - lo))) * 2 - 1; // −1 … 1
            Color end = t < 0 ? new Color(0x2166AC) : new Color(0xB2182B);
            double a = Math.abs(t);
            return new Color((int) Math.round(255 + (end.getRed() - 255) * a), (int) Math.round(255 + (end.getGreen() - 255) * a),
                    (int) Math.round(255 + (end.getBlue() - 255) * a));
        }
    }

    JFreeChart chart() {
        List<org.jfree.chart.title.PaintScaleLegend> heatmapLegends = new ArrayList<>();
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(xCategories != null ? new org.jfree.chart.axis.SymbolAxis(xLabel, xCategories) : axis(xLabel, logX));
        plot.setRangeAxis(yCategories != null ? new org.jfree.chart.axis.SymbolAxis(yLabel, yCategories) : axis(yLabel, logY));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        int colour = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            Color c = PALETTE[colour++ % PALETTE.length];
            switch (l.kind) {
                case CELLS -> {
                    XYSeries s = new XYSeries(l.name, false, true);
                    for (int k = 0; k < l.x.length; k++) {
                        s.add(l.x[k], l.y[k]);
                    }
                    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
                    r.setSeriesPaint(0, c);
                    int side = Math.max(12, Math.min(width / Math.max(1, xCategories == null ? 4 : xCategories.length),
                            height / Math.max(1, yCategories == null ? 4 : yCategories.length)) / 2);
                    r.setSeriesShape(0, new Rectangle(-side / 2, -side / 2, side, side));
                    r.setLegendShape(0, new Rectangle(-5, -5, 10, 10));
                    plot.setDataset(i, new XYSeriesCollection(s));
                    plot.setRenderer(i, r);
                }
                case HEATMAP -> {
                    org.jfree.data.xy.DefaultXYZDataset ds = new org.jfree.data.xy.DefaultXYZDataset();
                    ds.addSeries(l.name, new double[][] {l.x, l.y, l.lo});
                    org.jfree.chart.renderer.xy.XYBlockRenderer r = new org.jfree.chart.renderer.xy.XYBlockRenderer();
                    DivergingScale scale = new DivergingScale(l.hi[0], l.hi[1]);
                    r.setPaintScale(scale);
                    r.setDefaultSeriesVisibleInLegend(false); // the colour bar names the series
                    plot.setDataset(i, ds);
                    plot.setRenderer(i, r);
                    org.jfree.chart.axis.NumberAxis legendAxis = new org.jfree.chart.axis.NumberAxis(l.name);
                    legendAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
                    org.jfree.chart.title.PaintScaleLegend legend = new org.jfree.chart.title.PaintScaleLegend(scale, legendAxis);
                    legend.setPosition(RectangleEdge.RIGHT);
                    legend.setMargin(new RectangleInsets(8, 8, 8, 8));
                    heatmapLegends.add(legend);
                }
                case POINTS, LINE, DASHED -> {
                    XYSeries s = new XYSeries(l.name, false, true);
                    for (int k = 0; k < l.x.length; k++) {
                        if (shown(l.x[k], logX) && shown(l.y[k], logY)) {
                            s.add(l.x[k], l.y[k]);
                        }
                    }
                    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(l.kind != Kind.POINTS, l.kind == Kind.POINTS);
                    r.setSeriesPaint(0, c);
                    r.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
                    r.setSeriesStroke(0, l.kind == Kind.DASHED
                            ? new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
                    plot.setDataset(i, new XYSeriesCollection(s));
                    plot.setRenderer(i, r);
                }
                case BAND -> {
                    YIntervalSeries s = new YIntervalSeries(l.name, false, true);
                    for (int k = 0; k < l.x.length; k++) {
                        if (shown(l.x[k], logX) && shown(l.lo[k], logY) && shown(l.hi[k], logY) && shown(l.y[k], logY)) {
                            s.add(l.x[k], l.y[k], l.lo[k], l.hi[k]);
                        }
                    }
                    YIntervalSeriesCollection ds = new YIntervalSeriesCollection();
                    ds.addSeries(s);
                    DeviationRenderer r = new DeviationRenderer(true, false);
                    r.setSeriesPaint(0, c);
                    r.setSeriesFillPaint(0, c);
                    r.setAlpha(0.18f);
                    r.setSeriesStroke(0, new BasicStroke(1.5f));
                    plot.setDataset(i, ds);
                    plot.setRenderer(i, r);
                }
                case HISTOGRAM -> {
                    double[] v = java.util.Arrays.stream(l.x).filter(Double::isFinite).toArray();
                    HistogramDataset ds = new HistogramDataset();
                    if (v.length > 0) {
                        double min = java.util.Arrays.stream(v).min().getAsDouble();
                        double max = java.util.Arrays.stream(v).max().getAsDouble();
                        if (min == max) {
                            min -= 0.5;
                            max += 0.5;
                        }
                        ds.addSeries(l.name, v, Math.max(1, l.bins), min, max);
                    }
                    XYBarRenderer r = new XYBarRenderer(0.05);
                    r.setShadowVisible(false);
                    r.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
                    r.setSeriesPaint(0, new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
                    plot.setDataset(i, ds);
                    plot.setRenderer(i, r);
                }
                default -> throw new IllegalStateException();
            }
        }
        for (Marker m : markers) {
            ValueMarker vm = new ValueMarker(m.value, new Color(0x555555),
                    new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {3f, 3f}, 0f));
            vm.setLabel(m.label);
            vm.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            vm.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
            if (m.vertical) {
                plot.addDomainMarker(vm);
            } else {
                plot.addRangeMarker(vm);
            }
        }
        tuneLogTicks(plot, plot.getDomainAxis(), true);
        tuneLogTicks(plot, plot.getRangeAxis(), false);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        heatmapLegends.forEach(chart::addSubtitle);
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        return chart;
    }

    /**
     * Log axes: one labelled tick per decade ("1E19") when the data span two decades or more;
     * otherwise JFreeChart's automatic ticks with plain numbers (a loss axis from 2.3 to 4.8).
     */
    private static void tuneLogTicks(XYPlot plot, ValueAxis axis, boolean domain) {
        if (!(axis instanceof LogAxis log)) {
            return;
        }
        org.jfree.data.Range r = domain ? plot.getDataRange(axis) : plot.getDataRange(axis);
        if (r == null || !(r.getLowerBound() > 0)) {
            return;
        }
        double decades = Math.log10(r.getUpperBound() / r.getLowerBound());
        if (decades >= 2) {
            log.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(decades > 12 ? 2 : 1));
            log.setNumberFormatOverride(new java.text.DecimalFormat("0E0"));
        } else {
            log.setNumberFormatOverride(decades < 0.5 ? new java.text.DecimalFormat("0.###") : new java.text.DecimalFormat("0.##"));
            if (r.getUpperBound() >= 1e4 || r.getLowerBound() < 1e-3) {
                log.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            }
        }
    }

    private static boolean shown(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    private static ValueAxis axis(String label, boolean log) {
        if (log) {
            LogAxis a = new LogAxis(label);
            a.setBase(10);
            a.setSmallestValue(1e-300);
            a.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            return a;
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        return a;
    }
}
