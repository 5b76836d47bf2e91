package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;
import org.scalelab.model.Prompt;

/**
 * The world's truth and reasoning prompt sets: pairs matched and differing where they should, labels
 * present, splits disjoint by pair, counts as the world holds, the same bytes for the same seed, the
 * held-out tasks valid for the strict reader with golds recomputed from the world's relations.
 */
class WorldPhasePromptsTest {
    private static final World WORLD = WorldGenerator.generate(WorldConfig.small().withSeed(3));

    @TempDir Path dir;

    @Test
    void everyStatementAndCompositionBecomesOneMatchedPair() {
        WorldPhasePrompts.Sets s = WorldPhasePrompts.build(WORLD, dir, WorldPhasePrompts.Options.defaults());
        long statements = WORLD.examples().stream().filter(e -> e.kind() == Kind.TRUTH).count();
        long compositions = WORLD.examples().stream().filter(e -> e.kind() == Kind.COMPOSITIONAL).count();
        assertEquals(statements, s.truth().size());
        assertEquals(2 * compositions, s.reasoning().size());

        for (List<Prompt> set : List.of(s.truth(), s.reasoning())) {
            String label = set == s.truth() ? "truth" : "valid";
            Map<String, List<Prompt>> byPair = new HashMap<>();
            for (Prompt p : set) {
                JsonNode l = p.labels();
                for (String key : List.of("capability", "pair", "split", "world_split", "category", label)) {
                    assertTrue(l.path(key).isTextual(), p.id() + ": labels." + key + " missing in " + l);
                }
                assertTrue(Set.of("true", "false").contains(l.get(label).asText()), p.id() + " " + l);
                assertTrue(Set.of("train", "heldout").contains(l.get("split").asText()), p.id() + " " + l);
                byPair.computeIfAbsent(l.get("pair").asText(), k -> new java.util.ArrayList<>()).add(p);
            }
            for (Map.Entry<String, List<Prompt>> e : byPair.entrySet()) {
                List<Prompt> pair = e.getValue();
                assertEquals(2, pair.size(), e.getKey());
                Prompt a = pair.get(0);
                Prompt b = pair.get(1);
                assertNotEquals(a.labels().get(label).asText(), b.labels().get(label).asText(), e.getKey() + ": one of each class");
                assertEquals(a.labels().get("split"), b.labels().get("split"), e.getKey() + ": a pair never straddles the split");
                String[] ta = a.text().split(" ");
                String[] tb = b.text().split(" ");
                assertEquals(ta.length, tb.length);
                int differ = 0;
                for (int i = 0; i < ta.length; i++) {
                    differ += ta[i].equals(tb[i]) ? 0 : 1;
                }
                assertEquals(1, differ, e.getKey() + ": the pair differs in exactly one token: " + a.text() + " | " + b.text());
                assertEquals(ta[ta.length - 1], tb[tb.length - 1], "the judgement position holds the same token");
            }
        }
    }

    @Test
    void labelsFollowTheWorldsOwnFacts() {
        WorldPhasePrompts.Sets s = WorldPhasePrompts.build(WORLD, dir, WorldPhasePrompts.Options.defaults());
        for (Prompt p : s.truth()) {
            String[] tok = p.text().split(" ");
            assertEquals(Vocabulary.CHECK, tok[tok.length - 1], "the statement ends at <check>, before the verdict");
            int[] cat = category(tok[0]);
            int tail = relation(tok[1]).apply(position(cat, tok[0]));
            assertEquals(Boolean.toString(Vocabulary.entity(cat[tail]).equals(tok[2])), p.labels().get("truth").asText(), p.text());
        }
        for (Prompt p : s.reasoning()) {
            String[] tok = p.text().split(" "); // h r1 r2 <think> m t
            assertEquals(6, tok.length, p.text());
            assertEquals(Vocabulary.THINK, tok[3]);
            int[] cat = category(tok[0]);
            int middle = relation(tok[1]).apply(position(cat, tok[0]));
            assertTrue(position(cat, tok[4]) >= 0, p.id() + ": the intermediate is an entity of the head's category");
            assertEquals(Vocabulary.entity(cat[relation(tok[2]).apply(middle)]), tok[5], p.id() + ": the final answer is r2(r1(h))");
            assertEquals(Boolean.toString(Vocabulary.entity(cat[middle]).equals(tok[4])), p.labels().get("valid").asText(), p.text());
            assertEquals(List.of(4, 5), p.stepBoundaries());
        }
    }

    @Test
    void theSplitIsSeededDisjointAndSizedByTheShare() throws IOException {
        WorldPhasePrompts.write(WORLD, dir.resolve("a"), new WorldPhasePrompts.Options(0.3, 11));
        WorldPhasePrompts.write(WorldGenerator.generate(WorldConfig.small().withSeed(3)), dir.resolve("b"), new WorldPhasePrompts.Options(0.3, 11));
        WorldPhasePrompts.Sets c = WorldPhasePrompts.write(WORLD, dir.resolve("c"), new WorldPhasePrompts.Options(0.3, 12));
        for (Path f : WorldPhasePrompts.files(dir)) {
            String name = f.getFileName().toString();
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(name)), Files.readAllBytes(dir.resolve("b").resolve(name)), name);
            assertNotEquals(Files.readString(dir.resolve("a").resolve(name)), Files.readString(dir.resolve("c").resolve(name)),
                    name + ": another seed draws another split");
        }
        Map<String, Map<String, Integer>> pairs = c.pairCounts();
        int truthPairs = c.truth().size() / 2;
        int chainPairs = c.reasoning().size() / 2;
        assertEquals((int) Math.round(0.3 * truthPairs), (int) pairs.get("truth").get("heldout"));
        assertEquals(truthPairs, pairs.get("truth").get("train") + pairs.get("truth").get("heldout"));
        assertEquals((int) Math.round(0.3 * chainPairs), (int) pairs.get("reasoning").get("heldout"));
        // read back as capture prompts: every line valid, ids unique across both files
        List<Prompt> truth = Prompt.readJsonl(c.truthFile());
        List<Prompt> reasoning = Prompt.readJsonl(c.reasoningFile());
        assertEquals(c.truth().size(), truth.size());
        assertEquals(c.reasoning().size(), reasoning.size());
        Set<String> ids = new HashSet<>();
        truth.forEach(p -> assertTrue(ids.add(p.id()), p.id()));
        reasoning.forEach(p -> assertTrue(ids.add(p.id()), p.id()));
        Set<String> train = new HashSet<>();
        Set<String> held = new HashSet<>();
        for (Prompt p : reasoning) {
            (p.labels().get("split").asText().equals("train") ? train : held).add(p.labels().get("pair").asText());
        }
        assertTrue(!held.isEmpty() && !train.isEmpty());
        held.retainAll(train);
        assertTrue(held.isEmpty(), "no pair in both splits: " + held);
    }

    @Test
    void heldOutTasksAreReadableAndTheirGoldsAreRight() {
        WorldPhasePrompts.Sets s = WorldPhasePrompts.write(WORLD, dir, WorldPhasePrompts.Options.defaults());
        EvalTask truth = EvalTask.read(s.truthTask().file());
        EvalTask reasoning = EvalTask.read(s.reasoningTask().file());
        assertEquals("world-phase-truth", truth.name());
        assertEquals("world-phase-reasoning", reasoning.name());
        Map<String, Integer> pairs = s.pairCounts().get("truth");
        assertEquals(2 * pairs.get("heldout"), truth.examples().size(), "both statements of every held-out pair");
        assertEquals(s.pairCounts().get("reasoning").get("heldout"), reasoning.examples().size(), "one question per held-out chain");
        Map<String, String> heldTruth = new HashMap<>();
        for (Prompt p : s.truth()) {
            if (p.labels().get("split").asText().equals("heldout")) {
                heldTruth.put(p.text(), p.labels().get("truth").asText());
            }
        }
        for (EvalExample e : truth.examples()) {
            assertEquals("heldout", e.labels().get("split"));
            assertEquals(List.of(Vocabulary.TRUE, Vocabulary.FALSE), e.choices());
            assertEquals(heldTruth.get(e.context()).equals("true") ? 0 : 1, e.gold()[0], e.context());
        }
        int[] places = new int[WorldTasks.CHOICES];
        for (EvalExample e : reasoning.examples()) {
            assertEquals("heldout", e.labels().get("split"));
            String[] tok = e.context().split(" ");
            assertEquals(3, tok.length, "the composition asked directly: " + e.context());
            int[] cat = category(tok[0]);
            int answer = relation(tok[2]).apply(relation(tok[1]).apply(position(cat, tok[0])));
            assertEquals(Vocabulary.entity(cat[answer]), e.choices().get(e.gold()[0]), e.id());
            assertEquals(WorldTasks.CHOICES, new HashSet<>(e.choices()).size(), e.id() + ": distinct choices");
            for (String c : e.choices()) {
                assertTrue(position(cat, c) >= 0, e.id() + ": " + c + " is not in the head's category");
            }
            places[e.gold()[0]]++;
        }
        for (int p : places) {
            assertTrue(p > 0, "the answer's place is drawn: " + java.util.Arrays.toString(places));
        }
    }

    @Test
    void aWorldTooSmallForASplitAndABadShareAreRefused() {
        World tiny = WorldGenerator.generate(new WorldConfig(16, 4, Domain.all(), 40, 0.1, 0.1, 0.25, 1, 0.25, 10, 3, 0.25, 4, 0));
        InputException e = assertThrows(InputException.class, () -> WorldPhasePrompts.build(tiny, dir, WorldPhasePrompts.Options.defaults()));
        assertTrue(e.getMessage().contains("--truth-facts"), e.getMessage());
        for (double bad : new double[] {0, 1, -0.1, Double.NaN}) {
            InputException x = assertThrows(InputException.class, () -> new WorldPhasePrompts.Options(bad, 0));
            assertTrue(x.getMessage().startsWith("--heldout"), x.getMessage());
        }
    }

    private static int[] category(String entity) {
        return position(WORLD.e1(), entity) >= 0 ? WORLD.e1() : WORLD.e2();
    }

    private static int position(int[] category, String entity) {
        for (int p = 0; p < category.length; p++) {
            if (Vocabulary.entity(category[p]).equals(entity)) {
                return p;
            }
        }
        return -1;
    }

    private static Relation relation(String token) {
        return WORLD.relations().get(Integer.parseInt(token.substring(3, token.length() - 1)));
    }
}
