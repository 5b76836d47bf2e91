package org.scalelab.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.model.Prompt;

/**
 * The world's trajectories as a chain-of-thought prompt set: every trajectory once, its hops as the
 * difficulty, the chain recomputed by following the world's relations, step boundaries on the
 * entity tokens (counted with the world's tokenizer), splits and limit as asked, same bytes twice.
 */
class WorldCotPromptsTest {
    private static final World WORLD = WorldGenerator.generate(WorldConfig.small().withSeed(3));

    @TempDir Path dir;

    @Test
    void everyTrajectoryBecomesOnePromptWithItsHopsAsDifficulty() {
        List<Prompt> questions = WorldCotPrompts.build(WORLD, WorldCotPrompts.Options.defaults());
        List<Prompt> chains = WorldCotPrompts.build(WORLD, new WorldCotPrompts.Options(WorldCotPrompts.Which.ALL, 0, true));
        long trajectories = WORLD.examples().stream().filter(e -> e.kind() == Kind.TRAJECTORY).count();
        assertEquals(trajectories, questions.size());
        assertEquals(trajectories, chains.size());
        Set<String> domains = new HashSet<>();
        Set<Integer> hopCounts = new HashSet<>();
        for (int i = 0; i < questions.size(); i++) {
            Prompt q = questions.get(i);
            Prompt c = chains.get(i);
            assertEquals(q.id(), c.id());
            String[] words = q.text().split(" ");
            int hops = words.length - 2; // ⟨e_0⟩ ⟨r_1⟩ … ⟨r_k⟩ ⟨think⟩
            assertEquals(Vocabulary.THINK, words[words.length - 1]);
            assertEquals(hops, q.labels().get("difficulty").asInt(), q.toString());
            assertEquals(hops, q.labels().get("hops").asInt());
            assertTrue(q.stepBoundaries().isEmpty(), "generate finds the steps of a question alone");
            // the chain, recomputed from the world's relations
            int at = Integer.parseInt(words[0].substring(3, words[0].length() - 1));
            int[] category = q.labels().get("category").asText().equals("E1") ? WORLD.e1() : WORLD.e2();
            int position = indexOf(category, at);
            StringBuilder chain = new StringBuilder();
            for (int h = 1; h <= hops; h++) {
                Relation r = WORLD.relations().get(Integer.parseInt(words[h].substring(3, words[h].length() - 1)));
                assertEquals(q.domain(), r.domain().label(), "one domain per trajectory");
                position = r.apply(position);
                chain.append(h == 1 ? "" : " ").append(Vocabulary.entity(category[position]));
            }
            assertEquals(chain.toString(), q.labels().get("answer").asText(), q.id());
            assertEquals(q.text() + " " + chain, c.text());
            // one boundary per hop, on each entity of the chain (the world's tokenizer: one token per word, nothing added)
            int[] tokens = WORLD.vocabulary().encode(c.text());
            assertEquals(hops, c.stepBoundaries().size(), c.id());
            for (int h = 0; h < hops; h++) {
                int b = c.stepBoundaries().get(h);
                assertEquals(chain.toString().split(" ")[h], WORLD.vocabulary().tokens().get(tokens[b]), c.id() + " step " + h);
            }
            assertTrue(Set.of("train", "ood").contains(q.labels().get("split").asText()));
            domains.add(q.domain());
            hopCounts.add(hops);
        }
        assertEquals(Set.of("chain", "taxonomy", "modular", "state_machine"), domains);
        assertTrue(hopCounts.size() > 1, "difficulties vary: " + hopCounts);
    }

    private static int indexOf(int[] category, int entity) {
        for (int p = 0; p < category.length; p++) {
            if (category[p] == entity) {
                return p;
            }
        }
        throw new AssertionError("entity " + entity + " not in its category");
    }

    @Test
    void splitsAndLimitChooseTrajectoriesAndTheBytesAreStable() throws Exception {
        List<Prompt> all = WorldCotPrompts.build(WORLD, WorldCotPrompts.Options.defaults());
        List<Prompt> train = WorldCotPrompts.build(WORLD, new WorldCotPrompts.Options(WorldCotPrompts.Which.TRAIN, 0, false));
        List<Prompt> ood = WorldCotPrompts.build(WORLD, new WorldCotPrompts.Options(WorldCotPrompts.Which.OOD, 0, false));
        assertEquals(all.size(), train.size() + ood.size());
        assertTrue(!train.isEmpty() && !ood.isEmpty());
        assertTrue(train.stream().allMatch(p -> p.labels().get("split").asText().equals("train")));
        assertTrue(ood.stream().allMatch(p -> p.labels().get("split").asText().equals("ood")));
        List<Prompt> first = WorldCotPrompts.build(WORLD, new WorldCotPrompts.Options(WorldCotPrompts.Which.ALL, 8, false));
        assertEquals(all.subList(0, 8).stream().map(Prompt::id).toList(), first.stream().map(Prompt::id).toList());
        assertEquals(4, first.stream().map(Prompt::domain).distinct().count(), "a prefix holds every domain");

        for (int k = 2; k <= WORLD.config().maxHops(); k++) {
            int hops = k;
            List<Prompt> only = WorldCotPrompts.build(WORLD, new WorldCotPrompts.Options(WorldCotPrompts.Which.ALL, 5, false, k));
            assertEquals(all.stream().filter(p -> p.labels().get("hops").asInt() == hops).limit(5).map(Prompt::id).toList(),
                    only.stream().map(Prompt::id).toList(), "--hops " + k + " keeps the first of that many hops");
        }
        assertTrue(assertThrows(InputException.class, () -> WorldCotPrompts.build(WORLD,
                new WorldCotPrompts.Options(WorldCotPrompts.Which.ALL, 0, false, WORLD.config().maxHops() + 1))).getMessage().contains("of 4 hops"));

        WorldCotPrompts.write(all, dir.resolve("a.jsonl"));
        WorldCotPrompts.write(WorldCotPrompts.build(WORLD, WorldCotPrompts.Options.defaults()), dir.resolve("b.jsonl"));
        assertEquals(Files.readString(dir.resolve("a.jsonl")), Files.readString(dir.resolve("b.jsonl")));
        assertEquals(all.size(), Prompt.readJsonl(dir.resolve("a.jsonl")).size(), "the prompts reader accepts it");

        World none = WorldGenerator.generate(new WorldConfig(64, 8, Domain.all(), 300, 0.1, 0.1, 0.25, 120, 0.25, 0, 3, 0.25, 6, 3L));
        assertTrue(assertThrows(InputException.class, () -> WorldCotPrompts.build(none, WorldCotPrompts.Options.defaults()))
                .getMessage().contains("--trajectories"));
    }
}
