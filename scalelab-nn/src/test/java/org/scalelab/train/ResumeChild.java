package org.scalelab.train;

import java.nio.file.Path;
import java.util.List;

/**
 * A training run in its own JVM, for {@link ResumeAfterKillTest}: starts (or resumes) the run of
 * {@link ResumeAfterKillTest#options()} on {@link ResumeAfterKillTest#data()}, logging every
 * step to a JSONL file and sleeping {@code pauseMillis} after each step so the parent can kill it
 * mid-run. Args: MODEL_DIR OUT_DIR LOG_FILE PAUSE_MILLIS.
 */
public final class ResumeChild {
    private ResumeChild() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path log = Path.of(args[2]);
        long pause = Long.parseLong(args[3]);
        List<Example> data = ResumeAfterKillTest.data();
        try (Trainer t = Trainer.startOrResume(model, data, ResumeAfterKillTest.options(), out);
             TrainingLogFile file = new TrainingLogFile(log)) {
            t.addListener(file);
            t.addListener((s, tr) -> {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.run();
        }
    }
}
