package org.scalelab.web;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.scalelab.store.LabStore;

/**
 * A process that writes a lab as a sweep does ({@link LabStore#openReleasing}, one logged step per call):
 * args LAB RUN STEPS PAUSE_MILLIS. After each write it prints "wrote STEP EPOCH_MILLIS WRITE_MILLIS".
 */
public final class LabWriterChild {
    private LabWriterChild() {}

    public static void main(String[] args) throws Exception {
        Path lab = Path.of(args[0]);
        String run = args[1];
        int steps = Integer.parseInt(args[2]);
        long pause = Long.parseLong(args[3]);
        try (LabStore store = LabStore.openReleasing(lab, new LabStore.Wait(Duration.ofSeconds(30), m -> { }))) {
            store.putTrainingRun(new LabStore.TrainingRun(run, "live", "{}", "running", 1000, 0, 0));
            for (int step = 1; step <= steps; step++) {
                long t0 = System.nanoTime();
                store.putCurvePoints(run, step, Map.of("accuracy.atomic_id", step / (double) steps, "train_loss", 1.0 / step));
                long took = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("wrote " + step + " " + System.currentTimeMillis() + " " + took);
                System.out.flush();
                Thread.sleep(pause);
            }
            store.putTrainingRun(new LabStore.TrainingRun(run, "live", "{}", "finished", 1000, steps, 1));
        }
        System.out.println("done");
    }
}
