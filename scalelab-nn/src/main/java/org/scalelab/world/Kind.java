package org.scalelab.world;

/** What an example asks for. */
public enum Kind {
    /** (h, r) → t: one fact of one relation. */
    ATOMIC("atomic"),
    /** (h, r1, r2) → t with t = r2(r1(h)): a two-hop fact answered directly. */
    COMPOSITIONAL("compositional"),
    /** (e, ⟨f⟩) → f(e): the functor from category E1 to category E2. */
    ANALOGICAL("analogical"),
    /** (h, r, t, ⟨check⟩) → ⟨true⟩ or ⟨false⟩: a fact or a corrupted fact with its label. */
    TRUTH("truth"),
    /** (h, r1 … rk, ⟨think⟩) → m1 … mk: a multi-hop question answered one intermediate entity per step. */
    TRAJECTORY("trajectory");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
