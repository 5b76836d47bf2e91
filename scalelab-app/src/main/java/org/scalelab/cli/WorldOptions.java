package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.world.Domain;
import org.scalelab.world.WorldConfig;
import picocli.CommandLine.Option;

/** The world generator's options, shared by {@code world generate}, {@code train} and {@code sweep}; defaults: {@link WorldConfig#defaults()}. */
final class WorldOptions {
    private static final WorldConfig D = WorldConfig.defaults();

    @Option(names = "--entities", paramLabel = "N", description = "Entity tokens, split into two equal categories E1, E2 (even, ≥ 4). Default: 256 (32 held-out analogies).")
    Integer entities;

    @Option(names = "--relations", paramLabel = "N", description = "Relation tokens, dealt to the domains in turn (the paper uses 10,000). Default: 8.")
    Integer relations;

    @Option(names = "--domains", paramLabel = "LIST", split = ",",
            description = "Relation families: chain, taxonomy, modular, state_machine. Default: all four.")
    List<String> domains;

    @Option(names = "--compositions", paramLabel = "N", description = "Two-hop facts per category (all of them if fewer exist). Default: 300.")
    Integer compositions;

    @Option(names = "--near-ood", paramLabel = "F", description = "Share of compositions held out at random (near-OOD). Default: 0.1.")
    Double nearOod;

    @Option(names = "--far-ood", paramLabel = "F", description = "Share of E1 entities whose compositions are all held out (far-OOD). Default: 0.1.")
    Double farOod;

    @Option(names = "--analogy-holdout", paramLabel = "F",
            description = "Share of E1 entities whose analogy (e, <f>, f(e)) is held out; at least one when > 0. Default: 0.25.")
    Double analogyHoldout;

    @Option(names = "--truth-facts", paramLabel = "N", description = "Facts turned into a true and a false statement. Default: 120.")
    Integer truthFacts;

    @Option(names = "--truth-holdout", paramLabel = "F", description = "Share of truth statement pairs held out. Default: 0.25.")
    Double truthHoldout;

    @Option(names = "--trajectories", paramLabel = "N", description = "Step-by-step multi-hop trajectories per category. Default: 120.")
    Integer trajectories;

    @Option(names = "--max-hops", paramLabel = "N", description = "Longest trajectory (2 … N hops). Default: 3.")
    Integer maxHops;

    @Option(names = "--trajectory-holdout", paramLabel = "F", description = "Share of trajectories held out. Default: 0.25.")
    Double trajectoryHoldout;

    @Option(names = "--states", paramLabel = "N", description = "States of the state-machine domain. Default: 6.")
    Integer states;

    @Option(names = "--world-seed", paramLabel = "N", description = "Seed of the world (same seed, same bytes). Default: 0.")
    Long worldSeed;

    /** Whether any world option was given on the command line. */
    boolean any() {
        return entities != null || relations != null || domains != null || compositions != null || nearOod != null || farOod != null
                || analogyHoldout != null || truthFacts != null || truthHoldout != null || trajectories != null || maxHops != null
                || trajectoryHoldout != null || states != null || worldSeed != null;
    }

    WorldConfig config() {
        List<Domain> ds = new ArrayList<>();
        if (domains == null) {
            ds.addAll(D.domains());
        } else {
            for (String s : domains) {
                ds.add(Domain.parse(s));
            }
        }
        return new WorldConfig(or(entities, D.entities()), or(relations, D.relations()), ds, or(compositions, D.compositions()),
                or(nearOod, D.nearOodFraction()), or(farOod, D.farOodFraction()), or(analogyHoldout, D.analogyHoldoutFraction()),
                or(truthFacts, D.truthFacts()), or(truthHoldout, D.truthHoldoutFraction()), or(trajectories, D.trajectories()),
                or(maxHops, D.maxHops()), or(trajectoryHoldout, D.trajectoryHoldoutFraction()), or(states, D.stateMachineStates()),
                worldSeed == null ? D.seed() : worldSeed);
    }

    private static <T> T or(T v, T fallback) {
        return v == null ? fallback : v;
    }
}
