package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.model.ModelTokenizer;

class WorldGeneratorTest {
    @TempDir
    Path dir;

    private static final WorldConfig CONFIG = WorldConfig.small().withSeed(7);

    private static int entityOf(String token) {
        assertTrue(token.startsWith("<e_") && token.endsWith(">"), token);
        return Integer.parseInt(token.substring(3, token.length() - 1));
    }

    private static int relationOf(String token) {
        assertTrue(token.startsWith("<r_") && token.endsWith(">"), token);
        return Integer.parseInt(token.substring(3, token.length() - 1));
    }

    private static String[] words(String s) {
        return s.split(" ");
    }

    /** Maps every entity token of an E1 text through the functor (other tokens unchanged). */
    private static String image(World w, String text) {
        List<String> out = new ArrayList<>();
        for (String t : words(text)) {
            out.add(t.startsWith("<e_") ? Vocabulary.entity(w.functor(entityOf(t))) : t);
        }
        return String.join(" ", out);
    }

    @Test
    void functorIsARandomBijectionBetweenTwoDisjointCategoriesOfEqualSize() {
        World w = WorldGenerator.generate(CONFIG);
        int n = CONFIG.entitiesPerCategory();
        assertEquals(n, w.e1().length);
        assertEquals(n, w.e2().length);
        Set<Integer> all = new HashSet<>();
        for (int p = 0; p < n; p++) {
            all.add(w.e1()[p]);
            all.add(w.e2()[p]);
        }
        assertEquals(CONFIG.entities(), all.size(), "E1 and E2 are disjoint and cover every entity");
        Set<Integer> images = new HashSet<>();
        for (int e : w.e1()) {
            int f = w.functor(e);
            assertTrue(f >= 0, "f is defined on all of E1");
            images.add(f);
        }
        assertEquals(Set.copyOf(java.util.Arrays.stream(w.e2()).boxed().toList()), images, "f maps E1 onto E2, one to one");
        for (int e : w.e2()) {
            assertEquals(-1, w.functor(e), "f is not defined on E2");
        }
        // Not the identity pairing of sorted indices: the categories are drawn at random.
        int[] sorted = w.e1().clone();
        java.util.Arrays.sort(sorted);
        assertFalse(java.util.Arrays.equals(sorted, java.util.stream.IntStream.range(0, n).toArray()));
    }

    @Test
    void e2FactsAreExactlyTheImageOfE1FactsUnderTheFunctorInTheSameSplit() {
        World w = WorldGenerator.generate(CONFIG);
        for (Kind kind : List.of(Kind.ATOMIC, Kind.COMPOSITIONAL, Kind.TRAJECTORY)) {
            Map<String, String> e2 = new HashMap<>();
            int e1Count = 0;
            for (Example e : w.examples()) {
                if (e.kind() == kind && e.category().equals("E2")) {
                    e2.put(e.fullText(), e.split().label());
                }
            }
            for (Example e : w.examples()) {
                if (e.kind() == kind && e.category().equals("E1")) {
                    e1Count++;
                    String mirrored = image(w, e.fullText());
                    assertEquals(e.split().label(), e2.get(mirrored), kind + ": " + e.fullText() + " ↦ " + mirrored);
                }
            }
            assertTrue(e1Count > 0, kind + " examples exist");
            assertEquals(e1Count, e2.size(), kind + ": E2 holds nothing but the images");
        }
        // Every atomic fact of a relation holds in both categories.
        for (Example e : w.examples(Kind.ATOMIC, Split.TRAIN)) {
            String[] t = words(e.text());
            Relation r = w.relations().get(relationOf(t[1]));
            int[] cat = e.category().equals("E1") ? w.e1() : w.e2();
            int head = indexOf(cat, entityOf(t[0]));
            assertEquals(Vocabulary.entity(cat[r.apply(head)]), e.target());
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new AssertionError(v + " not in category");
    }

    @Test
    void compositionsAndTrajectoriesFollowTheRelations() {
        World w = WorldGenerator.generate(CONFIG);
        for (Example e : w.examples()) {
            int[] cat = e.category().equals("E1") ? w.e1() : w.e2();
            String[] t = words(e.text());
            if (e.kind() == Kind.COMPOSITIONAL) {
                int mid = w.relations().get(relationOf(t[1])).apply(indexOf(cat, entityOf(t[0])));
                int end = w.relations().get(relationOf(t[2])).apply(mid);
                assertEquals(Vocabulary.entity(cat[end]), e.target(), e.id());
                assertEquals(w.relations().get(relationOf(t[1])).domain(), e.domain(), "both hops stay in one domain");
                assertEquals(e.domain(), w.relations().get(relationOf(t[2])).domain());
            } else if (e.kind() == Kind.TRAJECTORY) {
                String[] steps = words(e.target());
                assertEquals(t.length - 2, steps.length, "one entity per hop");
                assertEquals(Vocabulary.THINK, t[t.length - 1]);
                int at = indexOf(cat, entityOf(t[0]));
                for (int h = 0; h < steps.length; h++) {
                    at = w.relations().get(relationOf(t[h + 1])).apply(at);
                    assertEquals(Vocabulary.entity(cat[at]), steps[h]);
                    // The step boundary points at this step's entity in text + target.
                    assertEquals(steps[h], words(e.fullText())[e.stepBoundaries().get(h)]);
                }
                assertEquals(steps.length, e.labels().get("hops"));
            } else if (e.kind() == Kind.ANALOGICAL) {
                assertEquals(Vocabulary.FUNCTOR, t[1]);
                assertEquals(Vocabulary.entity(w.functor(entityOf(t[0]))), e.target());
            } else if (e.kind() == Kind.TRUTH) {
                Relation r = w.relations().get(relationOf(t[1]));
                boolean holds = Vocabulary.entity(cat[r.apply(indexOf(cat, entityOf(t[0])))]).equals(t[2]);
                assertEquals(holds, e.labels().get("truth"), e.id());
                assertEquals(holds ? Vocabulary.TRUE : Vocabulary.FALSE, e.target());
            }
        }
    }

    @Test
    void domainsHaveTheirStructure() {
        World w = WorldGenerator.generate(CONFIG);
        int n = CONFIG.entitiesPerCategory();
        Relation isA = null;
        for (Relation r : w.relations()) {
            int[] t = r.tails();
            switch (r.domain()) {
                case CHAIN -> assertEquals(n, java.util.Arrays.stream(t).distinct().filter(x -> x >= 0).count(), "a chain relation is a permutation");
                case MODULAR -> {
                    int offset = Math.floorMod(t[0], n);
                    assertTrue(offset > 0);
                    for (int p = 0; p < n; p++) {
                        assertEquals((p + offset) % n, t[p], "e_i ↦ e_(i+c) mod n");
                    }
                }
                case STATE_MACHINE -> {
                    Set<Integer> states = new HashSet<>();
                    for (int p = 0; p < n; p++) {
                        if (t[p] >= 0) {
                            states.add(p);
                        }
                    }
                    assertEquals(CONFIG.stateMachineStates(), states.size(), "defined exactly on the states");
                    for (int s : states) {
                        assertTrue(states.contains(t[s]), "transitions stay among the states");
                    }
                }
                case TAXONOMY -> {
                    if (isA == null) {
                        isA = r;
                        assertEquals(1, java.util.Arrays.stream(t).filter(x -> x < 0).count(), "one root");
                    } else {
                        for (int p = 0; p < n; p++) {
                            int parent = isA.apply(p);
                            if (parent >= 0 && isA.apply(parent) >= 0) {
                                assertEquals(t[parent], t[p], "attributes are inherited below the root's children");
                            }
                        }
                    }
                }
            }
        }
        assertTrue(isA != null);
    }

    @Test
    void noHeldOutFactIsTrained() {
        World w = WorldGenerator.generate(CONFIG);
        Set<String> trained = new HashSet<>();
        for (Example e : w.training()) {
            trained.add(e.text());
        }
        Set<String> heldOutCompositions = new HashSet<>();
        Set<String> farHeads = new HashSet<>();
        for (Example e : w.examples()) {
            if (e.split() != Split.TRAIN) {
                assertFalse(trained.contains(e.text()), "held-out prompt trained: " + e.text());
            }
            if (e.kind() == Kind.COMPOSITIONAL && e.split() != Split.TRAIN) {
                heldOutCompositions.add(e.text() + " → " + e.target());
            }
            if (e.kind() == Kind.COMPOSITIONAL && e.split() == Split.FAR_OOD) {
                farHeads.add(words(e.text())[0]);
            }
        }
        assertFalse(farHeads.isEmpty());
        for (Example e : w.training()) {
            if (e.kind() == Kind.COMPOSITIONAL) {
                assertFalse(farHeads.contains(words(e.text())[0]), "a far head composes in training: " + e.text());
            }
            if (e.kind() == Kind.TRAJECTORY) {
                // Consecutive hops (x, r_a, r_b → y) of a trained trajectory must not state a held-out composition.
                String[] t = words(e.text());
                String[] steps = words(e.target());
                for (int h = 0; h + 1 < steps.length; h++) {
                    String from = h == 0 ? t[0] : steps[h - 1];
                    assertFalse(farHeads.contains(from), "trajectory composes from a far head: " + e.id());
                    assertFalse(heldOutCompositions.contains(from + " " + t[h + 1] + " " + t[h + 2] + " → " + steps[h + 1]), e.id());
                }
            }
        }
    }

    @Test
    void splitSizesAreAsDocumented() {
        World w = WorldGenerator.generate(CONFIG);
        int n = CONFIG.entitiesPerCategory();
        World.SplitSizes s = w.splitSizes();
        int defined = 0;
        for (Relation r : w.relations()) {
            defined += (int) java.util.Arrays.stream(r.tails()).filter(x -> x >= 0).count();
        }
        assertEquals(2 * defined, s.evalSets().get("atomic_id"), "every atomic fact, in both categories, is trained");
        int heldAnalogies = Math.max(1, (int) Math.round(CONFIG.analogyHoldoutFraction() * n));
        assertEquals(heldAnalogies, s.evalSets().get("analogical_ood"));
        assertEquals(n - heldAnalogies, s.evalSets().get("analogical_id"));
        int comps = w.examples(Kind.COMPOSITIONAL, Split.TRAIN).size() + w.examples(Kind.COMPOSITIONAL, Split.NEAR_OOD).size()
                + w.examples(Kind.COMPOSITIONAL, Split.FAR_OOD).size();
        int available = 0; // every (h, r1, r2) with both hops defined and r1, r2 in one domain
        for (int h = 0; h < n; h++) {
            for (Relation r1 : w.relations()) {
                for (Relation r2 : w.relations()) {
                    if (r1.domain() == r2.domain() && r1.definedAt(h) && r2.definedAt(r1.apply(h))) {
                        available++;
                    }
                }
            }
        }
        assertEquals(2 * Math.min(CONFIG.compositions(), available), comps, "min(requested, available) per category");
        assertEquals(2 * available, WorldGenerator.generate(CONFIG.withCompositions(100_000)).examples().stream()
                .filter(e -> e.kind() == Kind.COMPOSITIONAL).count(), "asking for more than exist gives all of them");
        int nonFarE1 = (comps - s.evalSets().get("compositional_far_ood")) / 2;
        assertEquals(2 * Math.max(1, Math.round(CONFIG.nearOodFraction() * nonFarE1)), (long) s.evalSets().get("compositional_near_ood"));
        int heldTruthPairs = Math.max(1, (int) Math.round(CONFIG.truthHoldoutFraction() * CONFIG.truthFacts()));
        assertEquals(2 * heldTruthPairs, s.evalSets().get("truth_ood"), "a true and a false statement per held-out fact");
        assertEquals(2 * (CONFIG.truthFacts() - heldTruthPairs), s.evalSets().get("truth_id"));
        assertEquals(2 * CONFIG.trajectories(), s.evalSets().get("trajectory_id") + s.evalSets().get("trajectory_ood"));
        assertTrue(s.evalSets().get("trajectory_ood") >= 2 * Math.round(CONFIG.trajectoryHoldoutFraction() * CONFIG.trajectories()));
        int total = s.splits().values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(w.examples().size(), total);
        assertEquals(s.evalSets().values().stream().mapToInt(Integer::intValue).sum(), total);
    }

    @Test
    void aHeldOutSetTooSmallToMeasureIsWarned() {
        WorldConfig c = new WorldConfig(40, 4, Domain.all(), 200, 0.1, 0.1, 0.01, 50, 0.2, 40, 3, 0.2, 4, 1);
        World.SplitSizes s = WorldGenerator.generate(c).splitSizes();
        assertEquals(1, s.evalSets().get("analogical_ood"), "a positive fraction holds out at least one analogy, as in the paper");
        assertTrue(s.warnings().stream().anyMatch(x -> x.startsWith("analogical_ood: only 1 example") && x.contains("across seeds")),
                s.warnings().toString());
    }

    @Test
    void aWorldInterruptedBeforeItsWorldJsonIsRefusedAsIncomplete() throws Exception {
        Path w = dir.resolve("w");
        WorldFiles.write(WorldGenerator.generate(CONFIG), w);
        Files.delete(w.resolve(WorldFiles.WORLD)); // what a kill before the last rename leaves
        org.scalelab.InputException e = org.junit.jupiter.api.Assertions.assertThrows(org.scalelab.InputException.class, () -> WorldFiles.read(w));
        assertEquals(2, e.exitCode());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(w + ": the world is incomplete")
                && e.getMessage().contains("re-run the same scalelab world generate command"), e.getMessage());
    }

    @Test
    void aWorldJsonAskingForMoreThanItsFilesHoldIsRefusedBeforeGenerating() throws Exception {
        Path w = dir.resolve("big");
        WorldFiles.write(WorldGenerator.generate(CONFIG), w);
        Path file = w.resolve(WorldFiles.WORLD);
        String json = Files.readString(file);
        for (String[] edit : new String[][] {{"\"relations\" : " + CONFIG.relations(), "\"relations\" : 2147483647", "relations, vocab.json holds"},
                {"\"trajectories\" : " + CONFIG.trajectories(), "\"trajectories\" : 2000000000", "more than the"},
                {"\"entities\" : " + CONFIG.entities(), "\"entities\" : 4294967296", "field \"config.entities\" is 4294967296; expected a whole number"}}) {
            org.junit.jupiter.api.Assertions.assertTrue(json.contains(edit[0]), edit[0]);
            Files.writeString(file, json.replace(edit[0], edit[1]));
            long start = System.nanoTime();
            org.scalelab.InputException e = org.junit.jupiter.api.Assertions.assertThrows(org.scalelab.InputException.class, () -> WorldFiles.read(w));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(edit[2]), e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused before generating");
        }
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedAnotherWorld() throws Exception {
        WorldFiles.write(WorldGenerator.generate(CONFIG), dir.resolve("a"));
        WorldFiles.write(WorldGenerator.generate(CONFIG), dir.resolve("b"));
        WorldFiles.write(WorldGenerator.generate(CONFIG.withSeed(8)), dir.resolve("c"));
        for (String f : List.of(WorldFiles.WORLD, WorldFiles.EXAMPLES, WorldFiles.VOCAB, WorldFiles.TOKENIZER)) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)), f);
        }
        assertNotEquals(Files.readString(dir.resolve("a").resolve(WorldFiles.EXAMPLES)), Files.readString(dir.resolve("c").resolve(WorldFiles.EXAMPLES)));
        assertEquals(WorldGenerator.generate(CONFIG), WorldFiles.read(dir.resolve("a")), "world.json regenerates the same world");
    }

    @Test
    void jsonlLinesAreCapturePromptsAndTheTokenizerMatchesTheVocabulary() throws Exception {
        World w = WorldGenerator.generate(CONFIG);
        WorldFiles.write(w, dir);
        List<org.scalelab.model.Prompt> prompts = org.scalelab.model.Prompt.readJsonl(dir.resolve(WorldFiles.EXAMPLES));
        assertEquals(w.examples().size(), prompts.size());
        Example traj = w.examples(Kind.TRAJECTORY, Split.TRAIN).get(0);
        org.scalelab.model.Prompt p = prompts.stream().filter(x -> x.id().equals(traj.id())).findFirst().orElseThrow();
        assertEquals(traj.stepBoundaries(), p.stepBoundaries());
        assertEquals(traj.domain().label(), p.domain());
        try (ModelTokenizer tok = ModelTokenizer.load(dir.resolve(WorldFiles.TOKENIZER))) {
            for (Example e : w.examples().subList(0, 50)) {
                assertArrayEquals(w.vocabulary().encode(e.fullText()), tok.encode(e.fullText()), e.fullText());
            }
            assertArrayEquals(w.vocabulary().encode(traj.fullText()), tok.encode(traj.fullText()));
            assertEquals(traj.fullText(), tok.decode(w.vocabulary().encode(traj.fullText())));
        }
    }

    @Test
    void impossibleWorldsAndRunsAreRefusedWithTheOptionNamed() {
        WorldConfig s = WorldConfig.small();
        assertMessage("--entities 0", () -> s.withSize(0, 8));
        assertMessage("even", () -> s.withSize(7, 8));
        assertMessage("--relations 0", () -> s.withSize(64, 0));
        assertMessage("--analogy-holdout", () -> new WorldConfig(8, 4, Domain.all(), 10, 0, 0, 0.9, 0, 0, 0, 3, 0, 2, 0));
        assertMessage("--near-ood 1.5", () -> new WorldConfig(8, 4, Domain.all(), 10, 1.5, 0, 0, 0, 0, 0, 3, 0, 2, 0));
        assertMessage("--far-ood", () -> new WorldConfig(8, 4, Domain.all(), 10, 0, 0.99, 0, 0, 0, 0, 3, 0, 2, 0));
        assertMessage("--states 9", () -> new WorldConfig(8, 4, Domain.all(), 10, 0, 0, 0, 0, 0, 0, 3, 0, 9, 0));
        assertMessage("--heads 3: must be positive and divide --width 64", () -> new RunSpec(64, 2, 3, 1e-3, 0.1, 32, 100, 0));
        assertMessage("odd", () -> new RunSpec(12, 2, 4, 1e-3, 0.1, 32, 100, 0));
        assertMessage("--lr", () -> new RunSpec(64, 2, 4, 0, 0.1, 32, 100, 0));
    }

    private static void assertMessage(String fragment, Runnable r) {
        InputException e = assertThrows(InputException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
