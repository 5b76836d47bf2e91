package org.scalelab.world;

import java.util.LinkedHashMap;
import java.util.Map;
import org.scalelab.InputException;

/**
 * One training run on a world: the model's shape and the optimiser's settings. Checked in the
 * constructor, so a sweep with an impossible cell fails before its first run starts.
 *
 * @param width       d_model, the residual stream width
 * @param depth       transformer blocks
 * @param heads       attention heads; must divide width (and leave an even head width for RoPE)
 * @param lr          peak AdamW learning rate
 * @param weightDecay AdamW decoupled weight decay (Loshchilov &amp; Hutter 2019); the paper finds too much blocks analogy
 * @param batch       examples per step
 * @param steps       optimiser steps
 * @param seed        initialisation and data-order seed
 */
public record RunSpec(int width, int depth, int heads, double lr, double weightDecay, int batch, int steps, long seed) {
    public RunSpec {
        if (width <= 0) {
            throw new InputException("--width " + width + ": must be positive");
        }
        if (depth <= 0) {
            throw new InputException("--depth " + depth + ": must be positive");
        }
        if (heads <= 0 || width % heads != 0) {
            throw new InputException("--heads " + heads + ": must be positive and divide --width " + width
                    + " (e.g. --heads " + largestDivisorUpTo(width, 4) + ")");
        }
        if ((width / heads) % 2 != 0) {
            throw new InputException("--heads " + heads + ": head width " + width + "/" + heads + " = " + (width / heads)
                    + " is odd; rotary position embeddings rotate pairs of dimensions, so it must be even");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new InputException("--lr " + lr + ": must be a positive number");
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new InputException("--weight-decay " + weightDecay + ": must be ≥ 0");
        }
        if (batch <= 0) {
            throw new InputException("--batch " + batch + ": must be positive");
        }
        if (steps <= 0) {
            throw new InputException("--steps " + steps + ": must be positive");
        }
    }

    /** A short stable name for folders and store rows: w64-d2-h4-lr0.001-wd0.1-b64-s2000-seed0. */
    public String name() {
        return "w" + width + "-d" + depth + "-h" + heads + "-lr" + fmt(lr) + "-wd" + fmt(weightDecay) + "-b" + batch + "-s" + steps
                + "-seed" + seed;
    }

    public RunSpec withShape(int w, int d) {
        return new RunSpec(w, d, heads, lr, weightDecay, batch, steps, seed);
    }

    public RunSpec withSeed(long s) {
        return new RunSpec(width, depth, heads, lr, weightDecay, batch, steps, s);
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", width);
        m.put("depth", depth);
        m.put("heads", heads);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("batch", batch);
        m.put("steps", steps);
        m.put("seed", seed);
        return m;
    }

    /** Reads what {@link #asMap} wrote (e.g. the "spec" of a stored run). */
    public static RunSpec fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        for (String f : java.util.List.of("width", "depth", "heads", "lr", "weight_decay", "batch", "steps", "seed")) {
            if (!n.path(f).isNumber()) {
                throw new InputException("run settings: field \"" + f + "\" is missing or not a number in " + n);
            }
        }
        return new RunSpec(n.get("width").asInt(), n.get("depth").asInt(), n.get("heads").asInt(), n.get("lr").asDouble(),
                n.get("weight_decay").asDouble(), n.get("batch").asInt(), n.get("steps").asInt(), n.get("seed").asLong());
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static int largestDivisorUpTo(int n, int max) {
        for (int d = Math.min(n, max); d > 1; d--) {
            if (n % d == 0 && (n / d) % 2 == 0) {
                return d;
            }
        }
        return 1;
    }
}
