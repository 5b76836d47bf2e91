package org.scalelab.world;

import java.nio.file.Path;
import org.scalelab.store.LabStore;

/** A training run in its own JVM, for the kill -9 test: prints "logged STEP" after every evaluation. */
public final class WorldTrainingChild {
    private WorldTrainingChild() {}

    public static void main(String[] args) {
        Path lab = Path.of(args[0]);
        Path runDir = Path.of(args[1]);
        World world = WorldGenerator.generate(WorldTrainingTest.WORLD);
        try (LabStore store = LabStore.open(lab)) {
            WorldTraining.run(world, "kill", WorldTrainingTest.SPEC, runDir, store, WorldTrainingTest.OPTIONS, (run, step) -> {
                System.out.println("logged " + step);
                System.out.flush();
            });
        }
        System.out.println("done");
    }
}
