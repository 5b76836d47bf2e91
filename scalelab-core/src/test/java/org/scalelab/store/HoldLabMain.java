package org.scalelab.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * A second process for the lab-waiting tests. {@code hold LAB MILLIS}: opens the lab for writing, says
 * "held", keeps it for MILLIS and closes it. {@code sweep LAB MILLIS}: like a sweep, opens it with
 * {@link LabStore#openReleasing} and logs a curve point after every 400 ms of "training" for MILLIS.
 */
public final class HoldLabMain {
    private HoldLabMain() {}

    public static void main(String[] args) throws Exception {
        Path lab = Path.of(args[1]);
        long millis = Long.parseLong(args[2]);
        if (args[0].equals("hold")) {
            try (LabStore store = LabStore.open(lab)) {
                System.out.println("held");
                System.out.flush();
                Thread.sleep(millis);
            }
            return;
        }
        try (LabStore store = LabStore.openReleasing(lab, LabStore.Wait.none())) {
            long end = System.nanoTime() + millis * 1_000_000;
            long step = 0;
            store.putCurvePoints("sweep", step, Map.of("loss", 1.0));
            System.out.println("held");
            System.out.flush();
            while (System.nanoTime() < end) {
                Thread.sleep(400);
                step++;
                store.putCurvePoints("sweep", step, Map.of("loss", 1.0 / (step + 1)));
            }
            System.out.println("steps " + step);
        }
    }
}
