package org.scalelab.world;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * How large a world is and what it holds out. Validation runs in the constructor, so an impossible
 * world is refused before anything is generated or trained.
 *
 * @param entities                total entity tokens ⟨e_i⟩; split into two categories E1, E2 of equal size
 * @param relations               relation tokens ⟨r_j⟩ (the paper uses 10,000); dealt to the domains in turn
 * @param domains                 relation families; relation j belongs to domains[j mod |domains|]
 * @param compositions            two-hop facts drawn per category (E2 mirrors E1's); all of them when fewer exist
 * @param nearOodFraction         share of the non-far compositions held out at random (near-OOD)
 * @param farOodFraction          share of E1 entities whose compositions are all held out (far-OOD heads)
 * @param analogyHoldoutFraction  share of E1 entities whose analogy (e, ⟨f⟩, f(e)) is held out; at least one when > 0
 * @param truthFacts              atomic facts turned into a true and a corrupted (false) statement each
 * @param truthHoldoutFraction    share of those pairs held out
 * @param trajectories            step-by-step trajectories drawn per category (E2 mirrors E1's)
 * @param maxHops                 longest trajectory (hops are drawn uniformly in 2 … maxHops)
 * @param trajectoryHoldoutFraction share of trajectories held out (plus every one that passes through a held-out composition)
 * @param stateMachineStates      entities per category that are states of the state-machine domain
 * @param seed                    the world's seed: same config, same bytes
 */
public record WorldConfig(
        int entities,
        int relations,
        List<Domain> domains,
        int compositions,
        double nearOodFraction,
        double farOodFraction,
        double analogyHoldoutFraction,
        int truthFacts,
        double truthHoldoutFraction,
        int trajectories,
        int maxHops,
        double trajectoryHoldoutFraction,
        int stateMachineStates,
        long seed) {

    public WorldConfig {
        domains = domains == null ? List.of() : List.copyOf(new LinkedHashSet<>(domains));
        if (entities <= 0) {
            throw new InputException("--entities " + entities + ": a world needs entities (at least 4, an even number)");
        }
        if (entities < 4 || entities % 2 != 0) {
            throw new InputException("--entities " + entities + ": must be an even number ≥ 4 (two categories of equal size)");
        }
        if (relations <= 0) {
            throw new InputException("--relations " + relations + ": a world needs at least one relation");
        }
        if (domains.isEmpty()) {
            throw new InputException("--domains: give at least one of " + Domain.labels());
        }
        if (relations < domains.size()) {
            throw new InputException("--relations " + relations + ": fewer relations than the " + domains.size()
                    + " domains; give at least one relation per domain or fewer --domains");
        }
        requireCount("--compositions", compositions);
        requireCount("--truth-facts", truthFacts);
        requireCount("--trajectories", trajectories);
        requireFraction("--near-ood", nearOodFraction);
        requireFraction("--far-ood", farOodFraction);
        requireFraction("--analogy-holdout", analogyHoldoutFraction);
        requireFraction("--truth-holdout", truthHoldoutFraction);
        requireFraction("--trajectory-holdout", trajectoryHoldoutFraction);
        int perCategory = entities / 2;
        if (heldOut(analogyHoldoutFraction, perCategory) >= perCategory) {
            throw new InputException("--analogy-holdout " + analogyHoldoutFraction + ": holds out " + heldOut(analogyHoldoutFraction, perCategory)
                    + " analogies but E1 has only " + perCategory + " entities; at least one analogy must stay in training");
        }
        if (heldOut(farOodFraction, perCategory) >= perCategory) {
            throw new InputException("--far-ood " + farOodFraction + ": holds out the compositions of all " + perCategory
                    + " E1 entities; at least one head must stay in training");
        }
        if (maxHops < 2) {
            throw new InputException("--max-hops " + maxHops + ": a trajectory has at least 2 hops");
        }
        if (domains.contains(Domain.STATE_MACHINE) && (stateMachineStates < 2 || stateMachineStates > perCategory)) {
            throw new InputException("--states " + stateMachineStates + ": the state machine needs 2 … " + perCategory
                    + " states (entities per category)");
        }
    }

    /** A world that trains in minutes on a laptop CPU: 64 entities, 8 relations (2 per domain); 8 held-out analogies. */
    public static WorldConfig small() {
        return new WorldConfig(64, 8, Domain.all(), 300, 0.1, 0.1, 0.25, 120, 0.25, 120, 3, 0.25, 6, 0L);
    }

    /**
     * The command line's default world: {@link #small()} with 256 entities, so that 32 analogies are
     * held out (a quarter of E1's 128, three quarters still trained). On 8 held-out analogies one run's
     * accuracy moves in steps of 0.125 and a peak of 0.25 is within noise; on 32 a rise to 0.3 and a
     * fall back are beyond the binomial null in most runs (docs/reliability.md, "Detectors").
     */
    public static WorldConfig defaults() {
        return small().withSize(256, 8);
    }

    public int entitiesPerCategory() {
        return entities / 2;
    }

    public WorldConfig withSeed(long s) {
        return new WorldConfig(entities, relations, domains, compositions, nearOodFraction, farOodFraction, analogyHoldoutFraction,
                truthFacts, truthHoldoutFraction, trajectories, maxHops, trajectoryHoldoutFraction, stateMachineStates, s);
    }

    public WorldConfig withCompositions(int count) {
        return new WorldConfig(entities, relations, domains, count, nearOodFraction, farOodFraction, analogyHoldoutFraction,
                truthFacts, truthHoldoutFraction, trajectories, maxHops, trajectoryHoldoutFraction, stateMachineStates, seed);
    }

    public WorldConfig withSize(int entityCount, int relationCount) {
        return new WorldConfig(entityCount, relationCount, domains, compositions, nearOodFraction, farOodFraction,
                analogyHoldoutFraction, truthFacts, truthHoldoutFraction, trajectories, maxHops, trajectoryHoldoutFraction,
                stateMachineStates, seed);
    }

    /**
     * Held-out count for a fraction of n: round(fraction · n), but at least one when the fraction is
     * positive (the paper's default holds out a single analogy).
     */
    static int heldOut(double fraction, int n) {
        if (fraction <= 0 || n == 0) {
            return 0;
        }
        return Math.max(1, (int) Math.round(fraction * n));
    }

    /** This config as an ordered map (snake_case keys), for world.json and provenance. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entities", entities);
        m.put("relations", relations);
        m.put("domains", domains.stream().map(Domain::label).toList());
        m.put("compositions", compositions);
        m.put("near_ood_fraction", nearOodFraction);
        m.put("far_ood_fraction", farOodFraction);
        m.put("analogy_holdout_fraction", analogyHoldoutFraction);
        m.put("truth_facts", truthFacts);
        m.put("truth_holdout_fraction", truthHoldoutFraction);
        m.put("trajectories", trajectories);
        m.put("max_hops", maxHops);
        m.put("trajectory_holdout_fraction", trajectoryHoldoutFraction);
        m.put("state_machine_states", stateMachineStates);
        m.put("seed", seed);
        return m;
    }

    private static void requireCount(String option, int n) {
        if (n < 0) {
            throw new InputException(option + " " + n + ": must be ≥ 0");
        }
    }

    private static void requireFraction(String option, double f) {
        if (!(f >= 0 && f < 1)) {
            throw new InputException(option + " " + f + ": a held-out fraction must be in [0, 1) (1 or more would hold out every fact)");
        }
    }
}
