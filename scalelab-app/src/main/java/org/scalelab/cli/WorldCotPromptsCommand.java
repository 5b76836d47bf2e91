package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.model.Prompt;
import org.scalelab.world.WorldCotPrompts;
import org.scalelab.world.WorldFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab world cot-prompts}: a world's step-by-step trajectories as a chain-of-thought prompt set (see {@link WorldCotPrompts}). */
@Command(
        name = "cot-prompts",
        mixinStandardHelpOptions = true,
        description = {"Write a world's step-by-step trajectories of its four domains as a chain-of-thought prompt set.",
            "Each prompt is a question \"<e_0> <r_1> … <r_k> <think>\" (labels.difficulty = labels.hops = k, labels.answer the chain);",
            "by default without its chain, for generate to produce it; --with-answers puts the chain in the text with a step",
            "boundary at each hop, for capture. Same world and options, same bytes."},
        footer = {"", "Example:", "  scalelab world cot-prompts --world lab/worlds/small --out lab/worlds/small/cot-2.jsonl --hops 2",
            "  scalelab generate --model CHECKPOINT --prompts lab/worlds/small/cot-2.jsonl --max-tokens 3 --steps 'regex:<e_\\d+>' \\",
            "      --capture-hooks 'blocks.*.hook_resid_post' --capture-out lab/activations/cot-2"})
final class WorldCotPromptsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--world", required = true, paramLabel = "DIR", description = "A world folder (from scalelab world generate).")
    Path world;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The prompts file to write (a new file unless --force).")
    Path out;

    @Option(names = "--split", paramLabel = "WHICH", defaultValue = "all",
            description = "train (trajectories the models were trained on), ood (held out) or all. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N trajectories, in world order (the four domains in turn). Default: all.")
    int limit;

    @Option(names = "--hops", paramLabel = "K", defaultValue = "0",
            description = "Only trajectories of K hops (the world's models end a chain with <eos>, where generate stops, so one set may mix"
                    + " hop counts; give --max-tokens room beyond the longest chain). Default: all.")
    int hops;

    @Option(names = "--with-answers", description = "Put the chain in the text, with step_boundaries at each hop (for capture), instead of the question alone (for generate).")
    boolean withAnswers;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print what was written as JSON.")
    boolean json;

    @Override
    public Integer call() {
        WorldCotPrompts.Options o = new WorldCotPrompts.Options(WorldCotPrompts.Which.parse(split), limit, withAnswers, hops);
        OutputFolder.checkFile("--out", out, null, force, "--force");
        List<Prompt> prompts = WorldCotPrompts.build(WorldFiles.read(world), o);
        WorldCotPrompts.write(prompts, out);
        Map<String, Map<Integer, Integer>> counts = WorldCotPrompts.counts(prompts);
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("prompts", prompts.size());
            m.put("split", o.split().label());
            m.put("with_answers", withAnswers);
            m.put("hops", hops == 0 ? null : hops);
            m.put("max_hops", prompts.stream().mapToInt(p -> p.labels().path("hops").asInt()).max().orElse(0));
            m.put("domains", counts);
            pw.println(Json.pretty(m));
        } else {
            pw.printf("wrote %s: %d %s trajectories%s (%s)%n", out, prompts.size(), o.split().label(), withAnswers ? " with their chains" : "",
                    counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().values().stream().mapToInt(Integer::intValue).sum())
                            .collect(Collectors.joining(", ")));
        }
        pw.flush();
        return 0;
    }
}
