package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.store.LabStore;
import org.scalelab.world.RunSpec;
import org.scalelab.world.World;
import org.scalelab.world.WorldExperiment;
import org.scalelab.world.WorldSweep;
import org.scalelab.world.WorldTraining;

/**
 * A world sweep as a background job ({@code POST /api/jobs {"kind": "sweep", ...}}): the training loop
 * of {@code scalelab world sweep} ({@link WorldSweep#run}) on the experiment's world (the one already in
 * the lab, else the default world), holding the lab only while each logged step is written
 * ({@link LabStore#openReleasing}) so other processes keep reading it. Cancelled, it stops at the next
 * logged evaluation as an interrupted sweep does: finished runs stay, and the next sweep of the same
 * grid skips them and resumes the others.
 *
 * <p>Fields (defaults as the command's): {@code experiment}, {@code widths}, {@code depths} (lists),
 * {@code seeds} (count), {@code steps}, {@code parallel}, {@code heads}, {@code lr}, {@code weight_decay},
 * {@code batch}, {@code eval_per_decade}, {@code cosine}, {@code alignment}.
 */
final class SweepJob {
    private SweepJob() {}

    /** How long each logged step waits for another process that holds the lab. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private static final Set<String> FIELDS = Set.of("kind", "experiment", "widths", "depths", "seeds", "steps", "parallel",
            "heads", "lr", "weight_decay", "batch", "eval_per_decade", "cosine", "alignment");

    static Jobs.Prepared prepare(DashboardContext context, JsonNode r) {
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new BadRequestResponse(f + ": not a field of a sweep request; the fields are "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        String experiment = WorldExperiment.checkName(r.hasNonNull("experiment") ? r.get("experiment").asText() : "world");
        List<Integer> widths = ints(r, "widths", List.of(32, 64, 128));
        List<Integer> depths = ints(r, "depths", List.of(1, 2));
        int seeds = RequestFields.integer(r, "seeds", 3);
        if (seeds < 1) {
            throw new BadRequestResponse("seeds: " + seeds + " must be at least 1 (one seed per cell)");
        }
        int parallel = RequestFields.integer(r, "parallel", 2);
        if (parallel < 1) {
            throw new BadRequestResponse("parallel: " + parallel + " must be at least 1");
        }
        RunSpec base = new RunSpec(widths.get(0), depths.get(0), RequestFields.integer(r, "heads", 4),
                RequestFields.number(r, "lr", 3e-3), RequestFields.number(r, "weight_decay", 0.1),
                RequestFields.integer(r, "batch", 64), RequestFields.integer(r, "steps", 3000), 0);
        List<Long> seedList = new ArrayList<>();
        for (long s = 0; s < seeds; s++) {
            seedList.add(s);
        }
        // Every cell is checked (heads divide widths, …) before the job is queued.
        List<RunSpec> specs = WorldSweep.grid(base, widths, depths, seedList);
        WorldTraining.Options d = WorldTraining.Options.defaults();
        WorldTraining.Options options = new WorldTraining.Options(RequestFields.integer(r, "eval_per_decade", 8), d.maxEvalPerSet(), 0,
                RequestFields.bool(r, "cosine", false), RequestFields.bool(r, "alignment", true), 1);
        return new Jobs.Prepared("sweep " + experiment + " (" + specs.size() + " runs)", job -> {
            World world = WorldExperiment.resolve(context.lab().lab(), experiment, null, null);
            try (LabStore store = LabStore.openReleasing(context.lab().lab(), new LabStore.Wait(WAIT, m -> { }))) {
                WorldSweep.run(world, experiment, specs, WorldExperiment.runsDir(context.lab().lab(), experiment), store, options, parallel);
            }
            return null;
        });
    }

    private static List<Integer> ints(JsonNode r, String field, List<Integer> fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new BadRequestResponse(field + ": " + InputException.quote(v.toString()) + " must be a list of whole numbers, e.g. [32, 64]");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 1) {
                throw new BadRequestResponse(field + ": " + x + " is not a whole number ≥ 1");
            }
            out.add(x.asInt());
        }
        return out;
    }
}
