package org.scalelab.world;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.scalelab.InputException;

/**
 * A family of relations with its own structure, so that trajectories can be grouped by domain as in
 * the reasoning-geometry studies. Every relation is a partial function on an entity category (one
 * tail per head, or none), so compositions and step-by-step trajectories have a single answer.
 */
public enum Domain {
    /** Random permutations of the category: following a relation never merges two chains. */
    CHAIN("chain"),
    /**
     * A tree over the category: the domain's first relation is "is a" (child → parent, undefined at
     * the root); each further relation is an attribute assigned to the root's children and inherited
     * by all their descendants, so a(e) = a(parent(e)) below the first level.
     */
    TAXONOMY("taxonomy"),
    /** Addition of a constant on the entity's index within its category: e_i ↦ e_{(i + c) mod n}. */
    MODULAR("modular"),
    /**
     * A small automaton: a few entities are states, each relation is an input symbol with a random
     * transition between states (undefined on entities that are not states), so long trajectories
     * revisit states.
     */
    STATE_MACHINE("state_machine");

    private final String label;

    Domain(String label) {
        this.label = label;
    }

    /** The name used in files and on the command line. */
    public String label() {
        return label;
    }

    public static Domain parse(String s) {
        for (Domain d : values()) {
            if (d.label.equals(s.trim())) {
                return d;
            }
        }
        throw new InputException("domain \"" + s + "\" is unknown (known: " + labels() + ")");
    }

    public static List<Domain> all() {
        return List.of(values());
    }

    static String labels() {
        return Arrays.stream(values()).map(Domain::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
