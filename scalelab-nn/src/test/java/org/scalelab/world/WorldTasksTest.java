package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.eval.EvalExample;
import org.scalelab.eval.EvalTask;

/** The world's task files: same world, same bytes; every gold checked against the world's relations and functor; every line valid for the reader. */
class WorldTasksTest {
    private static final World WORLD = WorldGenerator.generate(WorldConfig.small().withSeed(7));

    @TempDir Path dir;

    @Test
    void theSameWorldGivesTheSameBytes() throws IOException {
        WorldTasks.write(WORLD, dir.resolve("a"));
        WorldTasks.write(WorldGenerator.generate(WorldConfig.small().withSeed(7)), dir.resolve("b"));
        WorldTasks.write(WorldGenerator.generate(WorldConfig.small().withSeed(8)), dir.resolve("c"));
        for (String f : List.of(WorldTasks.TRUE_FALSE, WorldTasks.COMPOSITION, WorldTasks.ANALOGY)) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)), f);
            assertTrue(!Files.readString(dir.resolve("a").resolve(f)).equals(Files.readString(dir.resolve("c").resolve(f))), f);
        }
    }

    @Test
    void everyFileIsValidAndHoldsEveryExampleOfItsKind() {
        List<EvalTask> written = WorldTasks.write(WORLD, dir);
        Kind[] kinds = {Kind.TRUTH, Kind.COMPOSITIONAL, Kind.ANALOGICAL};
        for (int t = 0; t < 3; t++) {
            EvalTask task = EvalTask.read(written.get(t).file());
            assertEquals(written.get(t).name(), task.name());
            Kind kind = kinds[t];
            long expected = WORLD.examples().stream().filter(e -> e.kind() == kind).count();
            assertTrue(expected > 0, kind.label());
            assertEquals(expected, task.examples().size(), kind.label());
            for (EvalExample e : task.examples()) {
                assertEquals(new HashSet<>(e.choices()).size(), e.choices().size(), e.id() + ": choices repeat");
                assertTrue(Set.of("train", "near_ood", "far_ood", "ood").contains(e.labels().get("split")), e.labels().toString());
            }
        }
    }

    @Test
    void goldsAreCorrectByTheWorldsOwnFacts() {
        List<EvalTask> tasks = WorldTasks.tasks(WORLD, dir);
        // true/false: <true> exactly when the relation maps the head's position to the tail's
        for (EvalExample e : tasks.get(0).examples()) {
            String[] tok = e.context().split(" ");
            int[] cat = category(tok[0]);
            int tail = relation(tok[1]).apply(position(cat, tok[0]));
            boolean isFact = tail >= 0 && Vocabulary.entity(cat[tail]).equals(tok[2]);
            assertEquals(List.of(Vocabulary.TRUE, Vocabulary.FALSE), e.choices());
            assertEquals(isFact ? 0 : 1, e.gold()[0], e.id() + " " + e.context());
        }
        // composition: the gold is r2(r1(h)), every choice is an entity of h's category
        int[] goldPositions = new int[WorldTasks.CHOICES];
        for (EvalExample e : tasks.get(1).examples()) {
            String[] tok = e.context().split(" ");
            int[] cat = category(tok[0]);
            int answer = relation(tok[2]).apply(relation(tok[1]).apply(position(cat, tok[0])));
            assertEquals(Vocabulary.entity(cat[answer]), e.choices().get(e.gold()[0]), e.id() + " " + e.context());
            assertEquals(WorldTasks.CHOICES, e.choices().size());
            for (String c : e.choices()) {
                assertTrue(position(cat, c) >= 0, e.id() + ": " + c + " is not in the head's category");
            }
            goldPositions[e.gold()[0]]++;
        }
        for (int g : goldPositions) {
            assertTrue(g > tasks.get(1).examples().size() / 8, "the answer's place is drawn: " + java.util.Arrays.toString(goldPositions));
        }
        // analogy: the gold is f(e), every choice is in E2
        for (EvalExample e : tasks.get(2).examples()) {
            String head = e.context().split(" ")[0];
            int f = WORLD.functor(index(head));
            assertEquals(Vocabulary.entity(f), e.choices().get(e.gold()[0]), e.id());
            for (String c : e.choices()) {
                assertTrue(position(WORLD.e2(), c) >= 0, e.id() + ": " + c + " is not in E2");
            }
        }
    }

    private static int index(String entityToken) {
        return Integer.parseInt(entityToken.substring(3, entityToken.length() - 1));
    }

    private static int[] category(String entityToken) {
        return position(WORLD.e1(), entityToken) >= 0 ? WORLD.e1() : WORLD.e2();
    }

    private static int position(int[] category, String entityToken) {
        int i = index(entityToken);
        for (int p = 0; p < category.length; p++) {
            if (category[p] == i) {
                return p;
            }
        }
        return -1;
    }

    private static Relation relation(String token) {
        int j = Integer.parseInt(token.substring(3, token.length() - 1));
        return WORLD.relations().stream().filter(r -> r.index() == j).findFirst().orElseThrow();
    }
}
