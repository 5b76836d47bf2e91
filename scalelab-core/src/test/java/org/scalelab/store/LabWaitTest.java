package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lab held by another process is waited for, with one notice naming the holder, up to the wait. */
class LabWaitTest {
    @TempDir
    Path dir;

    /** Starts HoldLabMain in a child JVM and returns once it holds the lab. */
    static Process holder(String mode, Path lab, long millis) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldLabMain.class.getName(), mode, lab.toString(), Long.toString(millis))
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line = r.readLine();
        assertEquals("held", line, "the child did not take the lab");
        return p;
    }

    @Test
    void aWriterWaitsForTheHolderAndSaysOnceWhoHoldsIt() throws Exception {
        Path lab = dir.resolve("lab");
        LabStore.open(lab).close();
        Process p = holder("hold", lab, 3000);
        List<String> notices = new ArrayList<>();
        long t0 = System.nanoTime();
        try (LabStore store = LabStore.open(lab, new LabStore.Wait(Duration.ofSeconds(60), notices::add))) {
            assertEquals(0, store.runCount());
        }
        double waited = (System.nanoTime() - t0) / 1e9;
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("the lab is in use by process " + p.pid()) && notices.get(0).contains("waiting up to 60 s"),
                notices.get(0));
        assertTrue(waited > 1 && waited < 30, "waited " + waited + " s");
    }

    @Test
    void aReaderWaitsTooAndWithoutAWaitFailsAtOnceAsBusy() throws Exception {
        Path lab = dir.resolve("lab");
        LabStore.open(lab).close();
        Process p = holder("hold", lab, 3000);
        long t0 = System.nanoTime();
        LabBusyException e = assertThrows(LabBusyException.class, () -> LabStore.openReadOnly(lab, LabStore.Wait.none()));
        assertTrue((System.nanoTime() - t0) / 1e9 < 2, "failed at once");
        assertEquals(LabBusyException.EXIT_CODE, e.exitCode());
        assertTrue(e.getMessage().contains("in use by process " + p.pid()) && e.getMessage().contains("--wait SECONDS"), e.getMessage());
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(Duration.ofSeconds(60), m -> { }))) {
            assertEquals(0, store.runCount());
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void aShortWaitEndsWithBusy() throws Exception {
        Path lab = dir.resolve("lab");
        LabStore.open(lab).close();
        Process p = holder("hold", lab, 4000);
        long t0 = System.nanoTime();
        LabBusyException e = assertThrows(LabBusyException.class,
                () -> LabStore.open(lab, new LabStore.Wait(Duration.ofMillis(500), m -> { })));
        double s = (System.nanoTime() - t0) / 1e9;
        assertTrue(s >= 0.45 && s < 3, "gave up after " + s + " s");
        assertTrue(e.getMessage().contains("was not released within 0.5 s"), e.getMessage());
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void aSweepThatReleasesBetweenWritesLetsAReaderIn() throws Exception {
        Path lab = dir.resolve("lab");
        LabStore.open(lab).close();
        Process p = holder("sweep", lab, 6000);
        Thread.sleep(500);
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(Duration.ofSeconds(30), m -> { }))) {
                assertTrue(((Number) store.sql("SELECT count(*) FROM training_curves").rows().get(0).get(0)).longValue() >= 1);
            }
            seconds.add((System.nanoTime() - t0) / 1e9);
            Thread.sleep(300);
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("steps "), out);
        for (double s : seconds) {
            assertTrue(s < 2, "a read during the sweep took " + seconds + " s");
        }
    }
}
