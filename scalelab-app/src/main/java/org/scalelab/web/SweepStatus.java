package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.QueryResult;

/**
 * Where a sweep stands, from the lab store alone: per training run its size, status, last logged step,
 * share done, training time and time left, and the saved results that read its checkpoints; for the
 * sweep, the share of all steps done and the time until its known runs end. A sweep records a run when
 * it starts it, so runs not started yet are not counted.
 *
 * @param experiment the experiment (a sweep's name)
 * @param runs its runs, by name
 * @param metrics every metric its runs logged, by name
 * @param fraction steps logged over steps planned, over the runs the lab knows
 * @param etaSeconds time until the last running run ends at its pace so far (null when none runs)
 * @param running runs still training
 * @param ended runs finished or diverged
 */
record SweepStatus(String experiment, List<Run> runs, List<String> metrics, double fraction, Double etaSeconds, int running, int ended) {
    /**
     * One run.
     *
     * @param step the last step logged (or recorded at its end)
     * @param steps the steps it trains for
     * @param points curve points logged
     * @param seconds training time so far (for a running run: the time recorded before plus the time since it started)
     * @param etaSeconds time left at its pace so far (null when ended or no step logged yet)
     * @param results saved results that read its checkpoints (evaluations, patching grids, steering curves)
     */
    record Run(String run, int width, int depth, long seed, String status, long parameters, long step, long steps, long points,
               double fraction, double seconds, Double etaSeconds, String link, List<Result> results) {}

    /** A saved result and the page that shows it. */
    record Result(long id, String analysis, String link) {}

    /** Experiments with training runs: name, runs, running runs. */
    static QueryResult experiments(LabStore store) {
        return store.sql("SELECT experiment, count(*) AS runs, count(*) FILTER (WHERE status = 'running') AS running "
                + "FROM training_runs GROUP BY experiment ORDER BY experiment", 10_000);
    }

    static SweepStatus read(LabStore store, String experiment, Instant now) {
        String runs = "(SELECT run FROM training_runs WHERE experiment = " + literal(experiment) + ")";
        Map<String, long[]> curves = new HashMap<>();
        for (List<Object> row : store.sql("SELECT run, count(*), max(step) FROM training_curves WHERE run IN " + runs + " GROUP BY run",
                Integer.MAX_VALUE).rows()) {
            curves.put((String) row.get(0), new long[] {((Number) row.get(1)).longValue(), ((Number) row.get(2)).longValue()});
        }
        Map<String, String> started = new HashMap<>();
        for (List<Object> row : store.sql("SELECT run, updated_at FROM training_runs WHERE run IN " + runs, Integer.MAX_VALUE).rows()) {
            started.put((String) row.get(0), String.valueOf(row.get(1)));
        }
        Map<String, List<Result>> results = new HashMap<>();
        for (List<Object> row : store.sql("SELECT t.run, r.result_id, r.analysis FROM training_runs t JOIN results r "
                + "ON strpos(r.inputs_json, 'world-runs/' || t.run || '/') > 0 WHERE t.experiment = " + literal(experiment)
                + " ORDER BY r.result_id", 10_000).rows()) {
            long id = ((Number) row.get(1)).longValue();
            results.computeIfAbsent((String) row.get(0), k -> new ArrayList<>()).add(new Result(id, (String) row.get(2), "/results/" + id));
        }
        List<String> metrics = new ArrayList<>();
        for (List<Object> row : store.sql("SELECT DISTINCT metric FROM training_curves WHERE run IN " + runs + " ORDER BY metric", 10_000).rows()) {
            metrics.add((String) row.get(0));
        }
        List<Run> out = new ArrayList<>();
        long done = 0;
        long planned = 0;
        Double eta = null;
        int running = 0;
        for (LabStore.TrainingRun t : store.trainingRuns(experiment)) {
            JsonNode spec = spec(t.specJson());
            long steps = spec.path("steps").asLong(t.step());
            long[] c = curves.getOrDefault(t.run(), new long[] {0, 0});
            boolean isRunning = "running".equals(t.status());
            long step = isRunning ? Math.max(t.step(), c[1]) : t.step();
            double seconds = t.seconds();
            Double runEta = null;
            if (isRunning) {
                running++;
                seconds += sinceStart(started.get(t.run()), now);
                if (step > 0 && steps > step) {
                    runEta = seconds / step * (steps - step);
                    eta = eta == null ? runEta : Math.max(eta, runEta);
                }
            }
            long counted = isRunning ? Math.min(step, steps) : steps;
            done += counted;
            planned += steps;
            out.add(new Run(t.run(), spec.path("width").asInt(), spec.path("depth").asInt(), spec.path("seed").asLong(), t.status(), t.parameters(),
                    step, steps, c[0], steps == 0 ? 1 : counted / (double) steps, seconds, runEta, "/runs?run=" + t.run(),
                    results.getOrDefault(t.run(), List.of())));
        }
        return new SweepStatus(experiment, out, metrics, planned == 0 ? 0 : done / (double) planned, eta, running, out.size() - running);
    }

    /** Seconds since a running run's row was written (when it started), or 0 when unknown. */
    private static double sinceStart(String updatedAt, Instant now) {
        try {
            return Math.max(0, (now.toEpochMilli() - Instant.parse(updatedAt).toEpochMilli()) / 1000.0);
        } catch (DateTimeParseException | NullPointerException e) {
            return 0;
        }
    }

    private static JsonNode spec(String specJson) {
        try {
            return Json.mapper().readTree(specJson).path("spec");
        } catch (java.io.IOException e) {
            return Json.mapper().createObjectNode();
        }
    }

    /** A SQL string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
