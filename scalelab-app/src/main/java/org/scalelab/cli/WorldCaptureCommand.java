package org.scalelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.Capture;
import org.scalelab.model.Positions;
import org.scalelab.model.Prompt;
import org.scalelab.model.StepRule;
import org.scalelab.store.LabStore;
import org.scalelab.world.RunSpec;
import org.scalelab.world.World;
import org.scalelab.world.WorldCapture;
import org.scalelab.world.WorldTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "capture",
        mixinStandardHelpOptions = true,
        description = {"Write one activation set per model size of an experiment.",
            "It captures the finished run with the lowest seed of each width × depth: every trajectory with its domain and step boundaries, and every true/false",
            "statement with its label, in the runtime's activation-set format (manifest.json + safetensors shards),",
            "ready for `scalelab geometry` and the capability analyses. Resumable like `scalelab capture`."},
        footer = {"", "Examples:", "  scalelab world capture --experiment small     # LAB/activations/world-small-w64-d2/ …",
            "  scalelab world capture --experiment small --prompts cot.jsonl --name cot --steps 'regex:<e_\\d+>'   # a step at every entity"})
final class WorldCaptureCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--experiment", paramLabel = "NAME", defaultValue = "world", description = "Experiment whose models to capture. Default: ${DEFAULT-VALUE}.")
    String experiment;

    @Option(names = "--hooks", paramLabel = "GLOBS", split = ",", defaultValue = "blocks.*.hook_resid_post",
            description = "Hook names or globs. Default: ${DEFAULT-VALUE}.")
    List<String> hooks;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Capture these JSONL prompt files (in order, ids unique across them) instead of the world's trajectories and statements,"
                    + " e.g. the sets of scalelab world phase-prompts.")
    List<Path> prompts;

    @Option(names = "--positions", paramLabel = "SEL", defaultValue = "all",
            description = "Positions kept per prompt: all, last, 5, or 2:10 (last: one row per prompt, enough for the phase analyses). Default: ${DEFAULT-VALUE}.")
    String positions;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Sets are written to LAB/activations/world-EXPERIMENT-NAME-SIZE (default: world-EXPERIMENT-SIZE), so captures of other prompts keep their own folders.")
    String name;

    @Option(names = "--steps", paramLabel = "RULE",
            description = {"Cut each text into steps with a rule instead of the prompts' own step_boundaries, as `scalelab capture"
                    + " --steps` does: newline, sentence, marker:TEXT or regex:PATTERN, e.g. 'regex:<e_\\d+>' (a step at every entity)."
                    + " A text in which the rule finds no step keeps its own boundaries, and a warning says how many did."})
    String steps;

    @Option(names = "--json", description = "Print what was written as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        WorldLab.checkName(experiment);
        if (name != null && (!name.matches("[A-Za-z0-9._-]+") || name.startsWith("."))) {
            throw new InputException("--name \"" + name + "\": use letters, digits, '.', '_' and '-' only");
        }
        Positions keep = Positions.parse(positions);
        StepRule rule = steps == null ? null : StepRule.parse(steps);
        World world = WorldLab.existing(lab.dir(), experiment);
        List<Prompt> chosen = prompts == null || prompts.isEmpty() ? WorldCapture.prompts(world) : readPrompts(prompts);
        Map<String, RunSpec> bySize = new LinkedHashMap<>();
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            for (LabStore.TrainingRun r : store.trainingRuns(experiment)) {
                if (!"finished".equals(r.status())) {
                    continue;
                }
                JsonNode specNode = Json.mapper().readTree(r.specJson()).path("spec");
                RunSpec s = RunSpec.fromJson(specNode);
                String size = "w" + s.width() + "-d" + s.depth();
                RunSpec prev = bySize.get(size);
                if (prev == null || s.seed() < prev.seed()) {
                    bySize.put(size, s);
                }
            }
        }
        if (bySize.isEmpty()) {
            throw new InputException("experiment \"" + experiment + "\" has no finished run in " + lab.dir() + "; run: scalelab world sweep --experiment "
                    + experiment);
        }
        List<Map<String, Object>> written = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        for (Map.Entry<String, RunSpec> e : bySize.entrySet()) {
            Path runDir = WorldLab.runsDir(lab.dir(), experiment).resolve(e.getValue().name());
            Optional<Path> checkpoint = WorldTraining.finalCheckpoint(runDir, e.getValue());
            if (checkpoint.isEmpty()) {
                throw new InputException(runDir + ": the run is recorded as finished but its final checkpoint is missing; train it again");
            }
            Path target = lab.dir().resolve("activations").resolve("world-" + experiment + "-" + (name == null ? "" : name + "-") + e.getKey());
            Capture.Summary s = WorldCapture.run(chosen, checkpoint.get(), target, hooks, keep, rule);
            s.unsegmentedWarning(rule, "their prompts' step_boundaries").ifPresent(w -> {
                spec.commandLine().getErr().println(w);
                spec.commandLine().getErr().flush();
            });
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("size", e.getKey());
            m.put("run", e.getValue().name());
            m.put("checkpoint", checkpoint.get().toString());
            m.put("out", target.toString());
            m.put("trajectories", s.trajectories());
            m.put("rows", s.rows());
            m.put("shards", s.shards());
            m.put("hooks", s.hooks());
            written.add(m);
            if (!json) {
                out.printf("%s: %d trajectories (%d rows, %d hooks) → %s%n", e.getKey(), s.trajectories(), s.rows(), s.hooks().size(), target);
            }
        }
        if (json) {
            out.println(Json.pretty(written));
        }
        out.flush();
        return 0;
    }

    /** Every prompt of the files, in order; an id repeated across files is refused with both places. */
    static List<Prompt> readPrompts(List<Path> files) {
        List<Prompt> all = new ArrayList<>();
        Map<String, String> seen = new java.util.HashMap<>();
        for (Path f : files) {
            for (Prompt p : Prompt.readJsonl(f)) {
                String earlier = seen.putIfAbsent(p.id(), p.source());
                if (earlier != null) {
                    throw new InputException(p.source() + ": field \"id\": \"" + InputException.quote(p.id()) + "\" repeats " + earlier
                            + " (ids must be unique across the --prompts files)");
                }
                all.add(p);
            }
        }
        return all;
    }
}
