package org.scalelab.cli;

import java.nio.file.Path;
import org.scalelab.store.LabStore;

/** Holds a lab for writing in a child JVM: prints "held", keeps it for the given milliseconds, closes it. */
public final class HoldLabChild {
    private HoldLabChild() {}

    public static void main(String[] args) throws Exception {
        try (LabStore store = LabStore.open(Path.of(args[0]))) {
            System.out.println("held");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
