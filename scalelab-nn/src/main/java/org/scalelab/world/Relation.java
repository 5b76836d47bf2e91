package org.scalelab.world;

/**
 * One relation ⟨r_index⟩ as a partial function on entity positions within a category: head
 * position i ↦ tail position {@code tails[i]}, or −1 where the relation is undefined. The same
 * function holds in E1 and (through the functor) in E2.
 *
 * @param index  j of the token ⟨r_j⟩
 * @param domain the family that built the function
 * @param tails  tail position per head position, −1 for none
 */
public record Relation(int index, Domain domain, int[] tails) {
    public int apply(int position) {
        return tails[position];
    }

    public boolean definedAt(int position) {
        return tails[position] >= 0;
    }
}
