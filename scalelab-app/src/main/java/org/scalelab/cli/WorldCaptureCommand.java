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
        footer = {"", "Example:", "  scalelab world capture --experiment small     # LAB/activations/world-small-w64-d2/ …"})
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

    @Option(names = "--json", description = "Print what was written as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        WorldLab.checkName(experiment);
        World world = WorldLab.existing(lab.dir(), experiment);
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
            Path target = lab.dir().resolve("activations").resolve("world-" + experiment + "-" + e.getKey());
            Capture.Summary s = WorldCapture.run(world, checkpoint.get(), target, hooks);
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
}
