package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.world.World;
import org.scalelab.world.WorldFiles;
import org.scalelab.world.WorldPhasePrompts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab world phase-prompts}: the labelled truth and reasoning prompt sets of a world (see {@link WorldPhasePrompts}). */
@Command(
        name = "phase-prompts",
        mixinStandardHelpOptions = true,
        description = {"Write a world's labelled prompt sets for the capability-phase analyses (scalelab phase …).",
            "truth-prompts.jsonl: true vs false statements up to <check> (labels.truth); reasoning-prompts.jsonl: two-hop",
            "chains with the right vs a wrong intermediate entity (labels.valid); matched pairs (labels.pair), a seeded",
            "train/held-out split of whole pairs (labels.split). The held-out pairs also as task files for scalelab eval:",
            "world-phase-truth.jsonl (choices <true>, <false>) and world-phase-reasoning.jsonl (the answer among 4 entities).",
            "Same world and options, same bytes."},
        footer = {"", "Example:", "  scalelab world phase-prompts --world lab/worlds/small --out lab/worlds/small/phase",
            "  scalelab world capture --experiment small --prompts lab/worlds/small/phase/truth-prompts.jsonl \\",
            "      --prompts lab/worlds/small/phase/reasoning-prompts.jsonl --positions last --name phase \\",
            "      --hooks 'blocks.*.hook_resid_post,blocks.*.attn.hook_result'"})
final class WorldPhasePromptsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--world", required = true, paramLabel = "DIR", description = "A world folder (from scalelab world generate).")
    Path world;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the four files (created if missing).")
    Path out;

    @Option(names = "--heldout", paramLabel = "SHARE", defaultValue = "0.25",
            description = "Share of each set's pairs held out (labels.split heldout) and written as task files. Default: ${DEFAULT-VALUE}.")
    double heldout;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the corrupted intermediates, the split and the tasks' distractors. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--force", description = "Replace files of these names already in --out.")
    boolean force;

    @Option(names = "--json", description = "Print what was written as JSON.")
    boolean json;

    @Override
    public Integer call() {
        WorldPhasePrompts.Options options = new WorldPhasePrompts.Options(heldout, seed);
        World w = WorldFiles.read(world);
        for (Path f : WorldPhasePrompts.files(out)) {
            OutputFolder.checkFile("--out", f, null, force, "--force");
        }
        WorldPhasePrompts.Sets s = WorldPhasePrompts.write(w, out, options);
        PrintWriter pw = spec.commandLine().getOut();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("truth", s.truthFile().toString());
        m.put("reasoning", s.reasoningFile().toString());
        m.put("truth_task", s.truthTask().file().toString());
        m.put("reasoning_task", s.reasoningTask().file().toString());
        m.put("pairs", s.pairCounts());
        m.put("heldout", heldout);
        m.put("seed", seed);
        if (json) {
            pw.println(Json.pretty(m));
        } else {
            Map<String, Map<String, Integer>> pairs = s.pairCounts();
            pw.printf("wrote %s: %d truth statements (%d pairs train, %d held out)%n", s.truthFile(), s.truth().size(),
                    pairs.get("truth").get("train"), pairs.get("truth").get("heldout"));
            pw.printf("wrote %s: %d reasoning chains (%d pairs train, %d held out)%n", s.reasoningFile(), s.reasoning().size(),
                    pairs.get("reasoning").get("train"), pairs.get("reasoning").get("heldout"));
            pw.printf("wrote %s: task %s, %d examples%n", s.truthTask().file(), s.truthTask().name(), s.truthTask().examples().size());
            pw.printf("wrote %s: task %s, %d examples%n", s.reasoningTask().file(), s.reasoningTask().name(),
                    s.reasoningTask().examples().size());
        }
        pw.flush();
        return 0;
    }
}
