package org.scalelab.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;

/**
 * A static HTML report: a title, then sections of text, tables and plots, then the result record
 * as JSON. {@link #write} renders everything into a sibling temporary folder and moves it into
 * place at the end, so an interrupted run never leaves a half-written report that looks complete,
 * and it never replaces a folder that is not a previous report.
 */
public final class Report {
    /** Cells up to this many characters are kept on one line. */
    private static final int SHORT_CELL = 24;

    /** One piece of a report, in the order added (read by faces that lay a report out themselves). */
    public sealed interface Block permits Heading, Text, Table, Figure, Verdict, Image, Code, Link {}

    public record Heading(String text) implements Block {}

    public record Text(String text) implements Block {}

    public record Table(List<String> header, List<List<String>> rows) implements Block {}

    public record Figure(String name, Plot plot, String caption) implements Block {}

    public record Verdict(String label, String text, boolean good) implements Block {}

    public record Image(String src, String caption) implements Block {}

    public record Code(String text) implements Block {}

    public record Link(String text, String href) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();
    private Object result;

    private Report(String title) {
        this.title = title;
    }

    public static Report create(String title) {
        return new Report(title);
    }

    /** The report's title. */
    public String title() {
        return title;
    }

    /** The blocks added so far, in order (read-only). */
    public List<Block> blocks() {
        return List.copyOf(blocks);
    }

    /** The result record given to {@link #json}, or null. */
    public Object result() {
        return result;
    }

    public Report heading(String text) {
        blocks.add(new Heading(text));
        return this;
    }

    public Report text(String paragraph) {
        blocks.add(new Text(paragraph));
        return this;
    }

    /** A highlighted one-line finding, e.g. the shape verdict or a fit's status. */
    public Report verdict(String label, String text, boolean good) {
        blocks.add(new Verdict(label, text, good));
        return this;
    }

    public Report table(List<String> header, List<List<String>> rows) {
        blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList()));
        return this;
    }

    /** A plot saved as {@code name.svg} / {@code name.png} and shown with its caption. */
    public Report plot(String name, Plot plot, String caption) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("plot name must be a plain file stem: " + name);
        }
        blocks.add(new Figure(name, plot, caption));
        return this;
    }

    /** An image already on disk, by a path relative to the report folder (e.g. a sub-report's plot). */
    public Report image(String relativeSrc, String caption) {
        blocks.add(new Image(relativeSrc, caption));
        return this;
    }

    /** A command line or other literal text, shown monospaced. */
    public Report code(String text) {
        blocks.add(new Code(text));
        return this;
    }

    /** A link on its own line, e.g. to a sub-report. */
    public Report link(String text, String href) {
        blocks.add(new Link(text, href));
        return this;
    }

    /** The result record; written as result.json and shown at the end of the page. */
    public Report json(Object result) {
        this.result = result;
        return this;
    }

    /** The kind named in a report folder's {@link OutputFolder#MARKER}: a folder of this kind may be replaced by a new report. */
    public static final String KIND = "report";

    /** Renders into {@code dir} (see {@link #write(Path, Path)}) for a command without a lab. */
    public Path write(Path dir) {
        return write(dir, null);
    }

    /**
     * Renders into {@code dir} and returns its absolute path. The report is assembled in a hidden
     * sibling and moved into place when complete; {@code dir} may be new, empty, or a previous
     * report (replaced whole), never anything else (see {@link OutputFolder}). {@code lab}, when not
     * null, is the lab in use: it and the folders containing it are refused.
     */
    public Path write(Path dir, Path lab) {
        return OutputFolder.write("--out", dir, lab, KIND, tmp -> {
            for (Block b : blocks) {
                if (b instanceof Figure f) {
                    f.plot.save(tmp, f.name);
                }
            }
            if (result != null) {
                Files.writeString(tmp.resolve("result.json"), Json.pretty(result) + "\n", StandardCharsets.UTF_8);
            }
            Files.writeString(tmp.resolve("index.html"), html(), StandardCharsets.UTF_8);
        });
    }

    /**
     * Renders into an existing folder that already holds other files (e.g. sub-reports), leaving
     * them in place; index.html is written last, through a temporary file and an atomic move.
     */
    public Path writeInto(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Block b : blocks) {
                if (b instanceof Figure f) {
                    f.plot.save(dir, f.name);
                }
            }
            if (result != null) {
                Files.writeString(dir.resolve("result.json"), Json.pretty(result) + "\n", StandardCharsets.UTF_8);
            }
            Path tmp = Files.createTempFile(dir, ".index-", ".html");
            Files.writeString(tmp, html(), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve("index.html"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new ScaleLabException("cannot write report to " + dir + ": " + e.getMessage(), e);
        }
    }

    String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append("</title>\n<style>")
                .append("body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}")
                .append("h1{font-size:1.6em;border-bottom:2px solid #0072B2;padding-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em}")
                .append("table{border-collapse:collapse;margin:.8em 0;font-variant-numeric:tabular-nums}")
                .append("th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f2f5f9}td.nw{white-space:nowrap}td.tx{text-align:left}")
                .append("td:first-child,th:first-child{text-align:left}")
                .append("figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{color:#555;font-size:.92em}")
                .append(".verdict{padding:.5em .8em;border-left:5px solid;margin:.8em 0}.good{border-color:#009E73;background:#eefaf5}")
                .append(".warn{border-color:#D55E00;background:#fdf1ea}")
                .append("pre.cmd{background:#1e2430;color:#e8e8e8;max-height:none;white-space:pre-wrap}")
                .append("pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px;max-height:30em}")
                .append("</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n");
        for (Block b : blocks) {
            if (b instanceof Heading x) {
                h.append("<h2>").append(esc(x.text)).append("</h2>\n");
            } else if (b instanceof Text x) {
                h.append("<p>").append(esc(x.text)).append("</p>\n");
            } else if (b instanceof Verdict x) {
                h.append("<div class=\"verdict ").append(x.good ? "good" : "warn").append("\"><b>")
                        .append(esc(x.label)).append("</b> ").append(esc(x.text)).append("</div>\n");
            } else if (b instanceof Table x) {
                h.append("<table><thead><tr>");
                x.header.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
                h.append("</tr></thead><tbody>\n");
                for (List<String> row : x.rows) {
                    h.append("<tr>");
                    // Short cells (names, numbers, intervals) never break; long prose wraps and reads from the left.
                    row.forEach(c -> h.append(c.length() <= SHORT_CELL ? "<td class=\"nw\">" : "<td class=\"tx\">").append(esc(c)).append("</td>"));
                    h.append("</tr>\n");
                }
                h.append("</tbody></table>\n");
            } else if (b instanceof Image x) {
                h.append("<figure><img src=\"").append(esc(x.src)).append("\" alt=\"").append(esc(x.caption))
                        .append("\"><figcaption>").append(esc(x.caption)).append("</figcaption></figure>\n");
            } else if (b instanceof Code x) {
                h.append("<pre class=\"cmd\">").append(esc(x.text)).append("</pre>\n");
            } else if (b instanceof Link x) {
                h.append("<p><a href=\"").append(esc(x.href)).append("\">").append(esc(x.text)).append("</a></p>\n");
            } else if (b instanceof Figure x) {
                h.append("<figure><img src=\"").append(x.name).append(".svg\" alt=\"").append(esc(x.caption))
                        .append("\"><figcaption>").append(esc(x.caption)).append(" (<a href=\"").append(x.name)
                        .append(".png\">PNG</a>)</figcaption></figure>\n");
            }
        }
        if (result != null) {
            h.append("<h2>Result record</h2><p><a href=\"result.json\">result.json</a> — the full record with provenance.</p><pre>")
                    .append(esc(Json.pretty(result))).append("</pre>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
