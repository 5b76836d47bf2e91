package org.scalelab.world;

import java.nio.file.Path;
import java.util.List;
import org.scalelab.store.LabStore;

/** A two-run sweep in its own JVM, for the kill -9 test: prints "logged STEP" after every evaluation. */
public final class WorldTrainingChild {
    private WorldTrainingChild() {}

    public static void main(String[] args) {
        Path lab = Path.of(args[0]);
        Path runsDir = Path.of(args[1]);
        World world = WorldGenerator.generate(WorldTrainingTest.WORLD);
        List<RunSpec> specs = List.of(WorldTrainingTest.SPEC.withSeed(1), WorldTrainingTest.SPEC.withSeed(2));
        try (LabStore store = LabStore.open(lab)) {
            for (RunSpec s : specs) {
                // What WorldSweep does per run, one run at a time, reporting each logged step.
                WorldTraining.run(world, "kill", s, runsDir.resolve(s.name()), store, WorldTrainingTest.OPTIONS, (run, step) -> {
                    System.out.println("logged " + step);
                    System.out.flush();
                });
                System.out.println("finished " + s.seed());
                System.out.flush();
            }
        }
        System.out.println("done");
    }
}
