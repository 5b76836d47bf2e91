package org.scalelab.store;

import java.nio.file.Path;
import org.scalelab.ScaleLabException;

/** Opens a lab in a child JVM, for the test that a second process is refused with a clear message. */
final class OpenLabMain {
    private OpenLabMain() {}

    public static void main(String[] args) {
        try (LabStore store = LabStore.open(Path.of(args[0]))) {
            System.out.println("opened " + store.runCount());
        } catch (ScaleLabException e) {
            System.out.println(e.getMessage());
            System.exit(e.exitCode());
        }
    }
}
