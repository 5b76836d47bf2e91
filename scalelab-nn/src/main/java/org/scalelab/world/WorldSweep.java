package org.scalelab.world;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.dynamics.LogSteps;
import org.scalelab.store.LabStore;

/**
 * A grid of runs on one world: every width × depth × seed (other settings shared), run
 * {@code parallel} at a time, each on one PyTorch thread, so two cores train two models at once.
 * Finished runs are skipped and interrupted ones resume from their checkpoints, so a sweep killed
 * at any point and started again loses no finished run and no logged point.
 */
public final class WorldSweep {
    private WorldSweep() {}

    /** The runs of a grid: for each width, depth and seed (in that nesting), {@code base} with those values. */
    public static List<RunSpec> grid(RunSpec base, List<Integer> widths, List<Integer> depths, List<Long> seeds) {
        if (widths.isEmpty() || depths.isEmpty() || seeds.isEmpty()) {
            throw new InputException("a sweep needs at least one width, one depth and one seed");
        }
        List<RunSpec> specs = new ArrayList<>();
        for (int w : widths) {
            for (int d : depths) {
                for (long s : seeds) {
                    // Checked here, before any run starts: an impossible cell fails the whole sweep up front.
                    specs.add(base.withShape(w, d).withSeed(s));
                }
            }
        }
        return specs;
    }

    /**
     * @param trained runs trained (or resumed) now
     * @param skipped runs found finished or diverged
     */
    public record Summary(String experiment, int runs, int trained, int skipped, double seconds, List<WorldTraining.RunResult> results) {}

    /** Runs {@code specs} on {@code world}; run folders are {@code runsDir/<spec name>}. */
    public static Summary run(World world, String experiment, List<RunSpec> specs, Path runsDir, LabStore store,
                              WorldTraining.Options options, int parallel) {
        if (parallel < 1) {
            throw new InputException("--parallel " + parallel + ": must be at least 1");
        }
        long evalPoints = 0;
        for (RunSpec s : specs) {
            evalPoints += LogSteps.of(s.steps(), options.evalPerDecade()).length;
        }
        long t0 = System.nanoTime();
        WorldTraining.Options perRun = options.withThreads(1);
        if (parallel == 1) {
            perRun = options;
        }
        List<WorldTraining.RunResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "world-sweep");
            t.setDaemon(true);
            return t;
        });
        try (Progress.Task task = Progress.start("world sweep " + experiment + " (" + specs.size() + " runs)", evalPoints)) {
            List<Future<WorldTraining.RunResult>> futures = new ArrayList<>();
            WorldTraining.Options o = perRun;
            for (RunSpec spec : specs) {
                futures.add(pool.submit(() -> {
                    long[] logged = {0};
                    WorldTraining.RunResult r = WorldTraining.run(world, experiment, spec, runsDir.resolve(spec.name()), store, o,
                            (run, step) -> {
                                long idx = java.util.Arrays.stream(LogSteps.of(spec.steps(), o.evalPerDecade())).filter(x -> x <= step).count();
                                while (logged[0] < idx) {
                                    logged[0]++;
                                    task.step();
                                }
                            });
                    long all = LogSteps.of(spec.steps(), o.evalPerDecade()).length;
                    while (logged[0] < all) {
                        logged[0]++;
                        task.step();
                    }
                    return r;
                }));
            }
            for (Future<WorldTraining.RunResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    futures.forEach(x -> x.cancel(true));
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new ScaleLabException("world sweep failed: " + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ScaleLabException("world sweep interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int skipped = (int) results.stream().filter(WorldTraining.RunResult::skipped).count();
        return new Summary(experiment, results.size(), results.size() - skipped, skipped, (System.nanoTime() - t0) / 1e9, results);
    }
}
