package org.scalelab.report;

/**
 * What a reader sees of one result type: the text printed by the command line and its section of
 * an HTML report (headings, tables, notes, plots). The command line and the web dashboard call the
 * same renderer, so neither formats a result of its own.
 *
 * @param <R> the result record rendered
 */
public interface Renderer<R> {
    /** The table and notes printed on stdout. */
    String text(R result);

    /** Adds the result's section to a report: headings, tables, notes and plots. */
    void section(Report report, R result);
}
