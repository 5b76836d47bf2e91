package org.scalelab.web;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.report.Report;

/**
 * A report as the dashboard lays it out ({@code ScaleLab.report} in {@code /static/app.js}): its blocks in
 * order, each plot as a {@link ChartSpec} with the same numbers and links to the server-drawn SVG and PNG.
 * Made from the {@link Report} a renderer filled, so the page shows what the command line's report shows.
 *
 * @param id the saved result shown, or null for a report not saved
 * @param analysis the result's analysis name, or null
 * @param title the report's title
 * @param blocks headings, text, tables, verdicts, charts, code and links, in order
 */
public record ReportView(Long id, String analysis, String title, List<Block> blocks) {
    /** One block; {@code type} tells the page how to draw it. */
    public sealed interface Block permits Heading, Text, Table, Verdict, Chart, Code, Link {}

    public record Heading(String type, String text) implements Block {}

    public record Text(String type, String text) implements Block {}

    public record Table(String type, List<String> header, List<List<String>> rows) implements Block {}

    public record Verdict(String type, String label, String text, boolean good) implements Block {}

    /** A plot: its spec, and the server's drawing of it (null when the report is not a saved result's). */
    public record Chart(String type, String name, String caption, ChartSpec spec, String svg, String png) implements Block {}

    public record Code(String type, String text) implements Block {}

    public record Link(String type, String text, String href) implements Block {}

    /** A report not saved as a result (no server drawings of its plots). */
    public static ReportView of(Report report) {
        return of(report, null, null);
    }

    /** A saved result's report: its plots are also served at {@code /api/results/ID/plots/NAME.svg|png}. */
    public static ReportView of(Report report, Long id, String analysis) {
        List<Block> blocks = new ArrayList<>();
        for (Report.Block b : report.blocks()) {
            if (b instanceof Report.Heading h) {
                blocks.add(new Heading("heading", h.text()));
            } else if (b instanceof Report.Text t) {
                blocks.add(new Text("text", t.text()));
            } else if (b instanceof Report.Table t) {
                blocks.add(new Table("table", t.header(), t.rows()));
            } else if (b instanceof Report.Verdict v) {
                blocks.add(new Verdict("verdict", v.label(), v.text(), v.good()));
            } else if (b instanceof Report.Figure f) {
                String base = id == null ? null : "/api/results/" + id + "/plots/" + f.name();
                blocks.add(new Chart("chart", f.name(), f.caption(), ChartSpec.of(f.plot()), base == null ? null : base + ".svg",
                        base == null ? null : base + ".png"));
            } else if (b instanceof Report.Image i) {
                // an image file beside a written report (a sub-report's plot) is not served from the lab
                blocks.add(new Text("text", "Figure not shown here: " + i.caption() + " (" + i.src() + " in the written report)."));
            } else if (b instanceof Report.Code c) {
                blocks.add(new Code("code", c.text()));
            } else if (b instanceof Report.Link l) {
                blocks.add(new Link("link", l.text(), l.href()));
            }
        }
        return new ReportView(id, analysis, report.title(), List.copyOf(blocks));
    }
}
