package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class TorchEngineTest {
    @Test
    void startsPyTorchOfflineAndMultipliesMatrices() {
        var engine = TorchEngine.get();
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertTrue(TorchEngine.startMillis() >= 0);
        System.out.println("PyTorch engine " + engine.getVersion() + " started in " + TorchEngine.startMillis() + " ms");
        try (NDManager m = NDManager.newBaseManager(engine.defaultDevice(), engine.getEngineName())) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray b = m.create(new float[] {5, 6, 7, 8}, new ai.djl.ndarray.types.Shape(2, 2));
            // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]] by hand.
            assertArrayEquals(new float[] {19, 22, 43, 50}, a.matMul(b).toFloatArray());
        }
    }
}
