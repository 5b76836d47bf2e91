package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import org.scalelab.model.TorchEngine;

/** One fp32 matmul [4096, 512] × [512, 2048], best of 5 × 10 (the bulk of a d=512 block at batch 32 × 128). */
public final class MatmulProbe {
    private MatmulProbe() {}

    public static void main(String[] args) {
        try (NDManager m = TorchEngine.get().newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(4096, 512));
            NDArray b = m.randomNormal(new Shape(512, 2048));
            double best = 1e9;
            for (int k = 0; k < 6; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    try (NDArray c = a.matMul(b)) {
                        c.getFloat(0, 0);
                    }
                }
                if (k > 0) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9 / 10);
                }
            }
            System.out.printf(Locale.ROOT, "djl/libtorch matmul: %.2f ms, %.1f GFLOP/s%n", best * 1e3, 2.0 * 4096 * 512 * 2048 / best / 1e9);
        }
    }
}
