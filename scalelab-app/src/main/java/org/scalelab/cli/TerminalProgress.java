package org.scalelab.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.scalelab.Progress;

/**
 * Draws {@link Progress} tasks as a progress bar on stderr, only when stderr is a terminal and only
 * for tasks still running after a second, so quick fits and piped output stay clean.
 */
final class TerminalProgress implements Progress.Listener {
    private static final long DELAY_NANOS = 1_000_000_000L;

    private String task;
    private long total;
    private long started;
    private ProgressBar bar;

    static void installIfInteractive() {
        // bin/scalelab sets SCALELAB_PROGRESS=1 when stderr is a terminal (Java 17 cannot ask about stderr alone).
        if ("1".equals(System.getenv("SCALELAB_PROGRESS")) && System.getenv("CI") == null) {
            Progress.install(new TerminalProgress());
        }
    }

    @Override
    public synchronized void start(String name, long size) {
        finish();
        task = name;
        total = size;
        started = System.nanoTime();
    }

    @Override
    public synchronized void update(long done) {
        if (task == null) {
            return;
        }
        if (bar == null) {
            if (System.nanoTime() - started < DELAY_NANOS) {
                return;
            }
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
        bar.stepTo(done);
    }

    @Override
    public synchronized void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        task = null;
    }
}
