package org.scalelab.world;

/**
 * Where an example goes. Only {@link #TRAIN} examples are trained on; the others measure
 * generalisation. The evaluation set of an example is named {@code <kind>_id} for training
 * examples and {@code <kind>_<split>} otherwise (e.g. {@code compositional_far_ood}).
 */
public enum Split {
    /** Trained on; its accuracy is the in-distribution (ID) accuracy. */
    TRAIN("train", "id"),
    /** Two-hop facts held out at random: their head entity has other compositions in training. */
    NEAR_OOD("near_ood", "near_ood"),
    /** Two-hop facts of held-out heads: no composition starting at that head is ever trained. */
    FAR_OOD("far_ood", "far_ood"),
    /** Held-out analogies, truth statements and trajectories. */
    OOD("ood", "ood");

    private final String label;
    private final String evalSuffix;

    Split(String label, String evalSuffix) {
        this.label = label;
        this.evalSuffix = evalSuffix;
    }

    public String label() {
        return label;
    }

    /** Name of the evaluation set of {@code kind} examples in this split, e.g. "analogical_ood". */
    public String evalSet(Kind kind) {
        return kind.label() + "_" + evalSuffix;
    }

    public static Split parse(String s) {
        for (Split x : values()) {
            if (x.label.equals(s)) {
                return x;
            }
        }
        throw new IllegalArgumentException("unknown split " + s);
    }

    @Override
    public String toString() {
        return label;
    }
}
