package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.world.World;
import org.scalelab.world.WorldFiles;
import org.scalelab.world.WorldGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Write a seeded world to a folder and print the size of every evaluation set.",
            "Files: world.json (config, categories, hidden functor, split sizes),",
            "world.jsonl (one example per line: id, text, target, split, kind, domain, category, eval_set,",
            "labels, step_boundaries), vocab.json and a Hugging Face tokenizer.json. Same options, same bytes.",
            "It warns when a held-out set is too small to measure."},
        footer = {"", "Example:", "  scalelab world generate --out lab/worlds/small --entities 64 --relations 8 --world-seed 1",
            "  scalelab world generate --out /tmp/w --entities 200 --relations 40 --analogy-holdout 0.1 --json"})
final class WorldGenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorldOptions world;

    @Option(names = "--seed", paramLabel = "N", description = "Same as --world-seed.")
    Long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the world's files: new, empty, or a world written before (replaced whole).")
    Path out;

    @Option(names = "--json", description = "Print the config, split sizes and warnings as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (seed != null && world.worldSeed == null) {
            world.worldSeed = seed;
        }
        World w = WorldGenerator.generate(world.config());
        World.SplitSizes sizes = WorldFiles.write(w, out);
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("config", w.config().asMap());
            m.put("vocab_size", w.vocabulary().size());
            m.put("max_sequence_length", w.maxSequenceLength());
            m.put("split_sizes", sizes);
            pw.println(Json.pretty(m));
        } else {
            pw.printf("wrote %s: %d entities (2 × %d), %d relations, %d examples, vocabulary %d, longest sequence %d tokens%n", out,
                    w.config().entities(), w.config().entitiesPerCategory(), w.config().relations(), w.examples().size(),
                    w.vocabulary().size(), w.maxSequenceLength());
            pw.printf("%-26s %8s%n", "evaluation set", "examples");
            sizes.evalSets().forEach((k, v) -> pw.printf("%-26s %8d%n", k, v));
        }
        for (String warning : sizes.warnings()) {
            err.println("warning: " + warning);
        }
        pw.flush();
        err.flush();
        return 0;
    }
}
