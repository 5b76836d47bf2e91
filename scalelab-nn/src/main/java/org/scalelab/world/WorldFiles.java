package org.scalelab.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;

/**
 * A world on disk (format documented in the README, section "Controlled world"):
 * <pre>
 * world.json      format, config, categories E1/E2, the functor's edges, relations and their domains, split sizes, warnings
 * world.jsonl     one example per line: id, text, target, split, kind, domain, category, eval_set, labels, step_boundaries
 * vocab.json      the tokens in id order
 * tokenizer.json  a Hugging Face WordLevel tokenizer over the same ids
 * </pre>
 * Nothing in these files depends on the clock or the machine: the same config gives the same bytes.
 * Each file is written under a temporary name and renamed into place.
 */
public final class WorldFiles {
    public static final String FORMAT = "scalelab-world";
    public static final int VERSION = 1;
    public static final String WORLD = "world.json";
    public static final String EXAMPLES = "world.jsonl";
    public static final String VOCAB = "vocab.json";
    public static final String TOKENIZER = "tokenizer.json";

    private WorldFiles() {}

    /** The kind named in a world folder's {@link OutputFolder#MARKER}: a folder of this kind may be replaced by a new world. */
    public static final String KIND = "world";

    /**
     * Writes the four files into {@code dir}, which must be new, empty or a previous world (replaced
     * whole, see {@link OutputFolder}); returns the split sizes.
     */
    public static World.SplitSizes write(World world, Path dir) {
        World.SplitSizes sizes = world.splitSizes();
        OutputFolder.write("--out", dir, null, KIND, staging -> writeFiles(world, sizes, staging));
        return sizes;
    }

    private static void writeFiles(World world, World.SplitSizes sizes, Path dir) {
        try {
            StringBuilder lines = new StringBuilder();
            for (Example e : world.examples()) {
                lines.append(Json.write(line(e))).append('\n');
            }
            atomicWrite(dir.resolve(EXAMPLES), lines.toString());
            ObjectNode vocab = Json.mapper().createObjectNode();
            vocab.put("format", FORMAT + "-vocab");
            vocab.put("specials", Vocabulary.SPECIALS.size());
            vocab.put("relations", world.vocabulary().relationCount());
            vocab.put("entities", world.vocabulary().entityCount());
            ArrayNode tokens = vocab.putArray("tokens");
            world.vocabulary().tokens().forEach(tokens::add);
            atomicWrite(dir.resolve(VOCAB), Json.pretty(vocab) + "\n");
            atomicWrite(dir.resolve(TOKENIZER), Json.pretty(world.vocabulary().tokenizerJson()) + "\n");
            atomicWrite(dir.resolve(WORLD), Json.pretty(description(world, sizes, Provenance.sha256(lines.toString()))) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot write the world: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code dir/world.json} and regenerates the world from its config (generation is
     * deterministic), checking that the regenerated examples hash to the recorded value, so a
     * world written by another ScaleLab version is refused rather than silently replaced.
     */
    public static World read(Path dir) {
        Path file = dir.resolve(WORLD);
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            if (Files.exists(dir.resolve(EXAMPLES))) {
                // world.json is written last: without it the world was interrupted while being written.
                throw new InputException(dir + ": the world is incomplete (" + EXAMPLES + " is there, " + WORLD
                        + ", written last, is not); re-run the same scalelab world generate command to finish it");
            }
            throw new InputException(file + ": not found; create a world with: scalelab world generate --out " + dir);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + Json.problem(e), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new InputException(file + ": field \"format\" is not \"" + FORMAT + "\"; not a ScaleLab world");
        }
        if (root.path("format_version").asInt() != VERSION) {
            throw new InputException(file + ": format_version " + root.path("format_version") + " is not " + VERSION);
        }
        WorldConfig config = config(file, root.path("config"));
        requireFilesHold(dir, config);
        World world = WorldGenerator.generate(config);
        StringBuilder lines = new StringBuilder();
        for (Example e : world.examples()) {
            lines.append(Json.write(line(e))).append('\n');
        }
        String expected = root.path("examples_sha256").asText();
        if (!expected.equals(Provenance.sha256(lines.toString()))) {
            throw new InputException(file + ": field \"examples_sha256\" does not match the world its config generates"
                    + " (written by another ScaleLab version?); generate it again");
        }
        return world;
    }

    /**
     * The world is regenerated from its config, which takes as long as generating it did: a config
     * that asks for more than the files on disk hold (a damaged or edited world.json) is refused
     * before generating, instead of running for hours. vocab.json records the entity and relation
     * counts; every composition, fact and trajectory is one line of world.jsonl.
     */
    private static void requireFilesHold(Path dir, WorldConfig config) {
        Path vocabFile = dir.resolve(VOCAB);
        JsonNode vocab;
        long lines;
        try {
            vocab = Json.mapper().readTree(Files.readString(vocabFile, StandardCharsets.UTF_8));
            try (java.util.stream.Stream<String> l = Files.lines(dir.resolve(EXAMPLES), StandardCharsets.UTF_8)) {
                lines = l.count();
            }
        } catch (NoSuchFileException e) {
            throw new InputException(e.getFile() + ": not found; the world is incomplete, generate it again");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InputException(dir + ": cannot read the world's " + VOCAB + " and " + EXAMPLES + ": "
                    + InputException.quote(String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
        }
        Path file = dir.resolve(WORLD);
        if (vocab == null || vocab.path("entities").asLong(-1) != config.entities() || vocab.path("relations").asLong(-1) != config.relations()) {
            throw new InputException(file + ": field \"config\" asks for " + config.entities() + " entities and " + config.relations()
                    + " relations, " + VOCAB + " holds " + (vocab == null ? "none" : InputException.quote(vocab.path("entities")) + " and "
                    + InputException.quote(vocab.path("relations"))) + "; the files are not one world, generate it again");
        }
        long most = Math.max(config.compositions(), Math.max(config.truthFacts(), config.trajectories()));
        if (most > lines || config.maxHops() > config.entities()) {
            throw new InputException(file + ": field \"config\" asks for " + most + " examples of one kind and " + config.maxHops()
                    + " hops, more than the " + lines + " lines of " + EXAMPLES + " and " + config.entities()
                    + " entities hold; the files are not one world, generate it again");
        }
    }

    static WorldConfig config(Path file, JsonNode c) {
        if (!c.isObject()) {
            throw new InputException(file + ": field \"config\" is missing");
        }
        List<Domain> domains = new ArrayList<>();
        for (JsonNode d : c.path("domains")) {
            domains.add(Domain.parse(d.asText()));
        }
        for (String f : List.of("entities", "relations", "compositions", "near_ood_fraction", "far_ood_fraction",
                "analogy_holdout_fraction", "truth_facts", "truth_holdout_fraction", "trajectories", "max_hops",
                "trajectory_holdout_fraction", "state_machine_states", "seed")) {
            JsonNode v = c.path(f);
            boolean whole = !f.endsWith("_fraction");
            if (!v.isNumber() || whole && !(v.isIntegralNumber() && (f.equals("seed") ? v.canConvertToLong() : v.canConvertToInt()))
                    || !Double.isFinite(v.asDouble())) {
                throw new InputException(file + ": field \"config." + f + "\" is " + (v.isMissingNode() ? "missing" : InputException.quote(v))
                        + "; expected " + (whole ? "a whole number" : "a number"));
            }
        }
        return new WorldConfig(c.get("entities").asInt(), c.get("relations").asInt(), domains, c.get("compositions").asInt(),
                c.get("near_ood_fraction").asDouble(), c.get("far_ood_fraction").asDouble(), c.get("analogy_holdout_fraction").asDouble(),
                c.get("truth_facts").asInt(), c.get("truth_holdout_fraction").asDouble(), c.get("trajectories").asInt(),
                c.get("max_hops").asInt(), c.get("trajectory_holdout_fraction").asDouble(), c.get("state_machine_states").asInt(),
                c.get("seed").asLong());
    }

    /** One JSONL line; also readable as a capture prompt ({@link org.scalelab.model.Prompt}: id, text, domain, labels). */
    static ObjectNode line(Example e) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", e.id());
        o.put("text", e.text());
        o.put("target", e.target());
        o.put("split", e.split().label());
        o.put("kind", e.kind().label());
        if (e.domain() == null) {
            o.putNull("domain");
        } else {
            o.put("domain", e.domain().label());
        }
        o.put("category", e.category());
        o.put("eval_set", e.evalSet());
        o.set("labels", Json.mapper().valueToTree(e.labels()));
        if (!e.stepBoundaries().isEmpty()) {
            ArrayNode s = o.putArray("step_boundaries");
            e.stepBoundaries().forEach(s::add);
        }
        return o;
    }

    private static ObjectNode description(World w, World.SplitSizes sizes, String examplesSha) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("format", FORMAT);
        o.put("format_version", VERSION);
        o.set("config", Json.mapper().valueToTree(w.config().asMap()));
        o.put("vocab_size", w.vocabulary().size());
        o.put("max_sequence_length", w.maxSequenceLength());
        o.put("examples", w.examples().size());
        o.put("examples_sha256", examplesSha);
        ObjectNode cats = o.putObject("categories");
        ArrayNode a1 = cats.putArray("E1");
        ArrayNode a2 = cats.putArray("E2");
        for (int p = 0; p < w.e1().length; p++) {
            a1.add(Vocabulary.entity(w.e1()[p]));
            a2.add(Vocabulary.entity(w.e2()[p]));
        }
        ArrayNode functor = o.putArray("functor");
        for (int[] edge : w.functorEdges()) {
            functor.addArray().add(Vocabulary.entity(edge[0])).add(Vocabulary.entity(edge[1]));
        }
        ArrayNode rel = o.putArray("relations");
        for (Relation r : w.relations()) {
            ObjectNode x = rel.addObject();
            x.put("token", Vocabulary.relation(r.index()));
            x.put("domain", r.domain().label());
            int defined = 0;
            for (int t : r.tails()) {
                defined += t >= 0 ? 1 : 0;
            }
            x.put("facts_per_category", defined);
        }
        ObjectNode split = o.putObject("split_sizes");
        split.set("splits", Json.mapper().valueToTree(sizes.splits()));
        split.set("eval_sets", Json.mapper().valueToTree(sizes.evalSets()));
        ArrayNode warn = o.putArray("warnings");
        sizes.warnings().forEach(warn::add);
        return o;
    }

    static void atomicWrite(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
