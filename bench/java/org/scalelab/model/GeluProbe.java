package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** Times GELU variants on [4096, 2048] (one d=512 MLP hidden layer at batch 32 × 128). */
public final class GeluProbe {
    private GeluProbe() {}

    public static void main(String[] args) {
        try (NDManager m = TorchEngine.get().newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(4096, 2048));
            time("geluTanh (runtime)", x, Gpt2Block::geluTanh);
            time("pow(3) alone", x, a -> a.pow(3));
            time("x*x*x alone", x, a -> a.mul(a).mul(a));
            time("exact gelu (fused)", x, ai.djl.nn.Activation::gelu);
            time("tanh alone", x, NDArray::tanh);
        }
    }

    private static void time(String what, NDArray x, UnaryOperator<NDArray> f) {
        double best = 1e9;
        for (int k = 0; k < 4; k++) {
            try (NDManager s = x.getManager().newSubManager()) {
                NDArray y = x.duplicate();
                y.attach(s);
                long t0 = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    f.apply(y).getFloat(0, 0);
                }
                if (k > 0) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9 / 5);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-22s %.1f ms%n", what, best * 1e3);
    }
}
