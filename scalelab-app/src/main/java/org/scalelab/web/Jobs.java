package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.scalelab.Progress;
import org.scalelab.ScaleLabException;
import org.scalelab.io.Json;

/**
 * Background jobs the dashboard runs for a browser (a fit with thousands of bootstrap refits, a sweep):
 * only when the server was started with {@code --allow-jobs}, one running job per kind (the others wait
 * queued, in order), each reporting its progress through {@link Progress} and stoppable at its next
 * progress step. Every change of a job's status is published to open pages as event {@code job}.
 *
 * <p>{@code POST /api/jobs {"kind": K, ...}} → 202 {@code {"id": ...}}; {@code GET /api/jobs},
 * {@code GET /api/jobs/{id}} → {@link Status}; {@code DELETE /api/jobs/{id}} cancels.
 */
public final class Jobs implements AutoCloseable {
    /** How often a running job's progress is published at most. */
    static final long PUBLISH_EVERY_NANOS = 250_000_000L;

    /** A job's life: queued → running → done, failed or cancelled (a queued job may be cancelled at once). */
    public enum State { queued, running, done, failed, cancelled }

    /**
     * What a page sees of a job.
     *
     * @param fraction   share of the current task done, 0..1
     * @param message    what the job does now (its current task)
     * @param etaSeconds estimated seconds left in the current task, or null when unknown
     * @param resultId   the saved result, once done (null for work that saves none)
     * @param error      why it failed, or null
     */
    public record Status(String id, String kind, String title, State state, double fraction, String message, Double etaSeconds,
            Long resultId, String error) {}

    /** The work of one job: runs on the job's thread, reports through {@link Progress}, returns the saved result's id. */
    @FunctionalInterface
    public interface Work {
        Long run(Job job);
    }

    /** A kind of job: turns a request (already checked as JSON) into its work, or refuses it with a 400. */
    @FunctionalInterface
    public interface Kind {
        Prepared prepare(DashboardContext context, JsonNode request);
    }

    /** A request turned into work, with a short title shown on pages. */
    public record Prepared(String title, Work work) {}

    /** Thrown inside a job's work when it was cancelled: the work stops and saves nothing. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private final DashboardContext context;
    private final Map<String, Kind> kinds;
    private final Map<String, ExecutorService> runners = new LinkedHashMap<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    Jobs(DashboardContext context, Map<String, Kind> kinds) {
        this.context = context;
        this.kinds = Map.copyOf(kinds);
        for (String kind : kinds.keySet()) {
            runners.put(kind, Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "scalelab-job-" + kind);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /** Registers {@code /api/jobs}. */
    void add(RoutesConfig routes) {
        routes.post("/api/jobs", this::submit);
        routes.get("/api/jobs", ctx -> ctx.json(list()));
        routes.get("/api/jobs/{id}", ctx -> ctx.json(job(ctx.pathParam("id")).status()));
        routes.delete("/api/jobs/{id}", ctx -> ctx.json(cancel(ctx.pathParam("id"))));
    }

    private void submit(Context ctx) {
        if (!context.options().allowJobs()) {
            throw new ForbiddenResponse("this dashboard is read-only: jobs (fits, sweeps) write the lab; "
                    + "restart it with `scalelab serve --allow-jobs` to run them from the browser");
        }
        JsonNode request;
        try {
            request = Json.mapper().readTree(ctx.body());
        } catch (IOException e) {
            throw new BadRequestResponse("the request body is not JSON: " + Json.problem(e));
        }
        if (request == null || !request.isObject()) {
            throw new BadRequestResponse("the request body must be a JSON object such as {\"kind\": \"fit\", ...}");
        }
        String kind = request.path("kind").asText("");
        Kind k = kinds.get(kind);
        if (k == null) {
            throw new BadRequestResponse("kind: " + org.scalelab.InputException.quote(kind) + " is not a job kind; give one of "
                    + String.join(", ", kinds.keySet().stream().sorted().toList()));
        }
        Prepared p = k.prepare(context, request);
        Job job = submit(kind, p);
        ctx.status(202).json(Map.of("id", job.id));
    }

    /** Queues prepared work of {@code kind}; it runs once the jobs of that kind before it are over. */
    Job submit(String kind, Prepared p) {
        Job job = new Job(String.valueOf(ids.incrementAndGet()), kind, p);
        synchronized (jobs) {
            jobs.put(job.id, job);
        }
        publish(job);
        job.future = runners.get(kind).submit(job::run);
        return job;
    }

    /** Every job of this server, oldest first. */
    List<Status> list() {
        List<Status> out = new ArrayList<>();
        synchronized (jobs) {
            for (Job j : jobs.values()) {
                out.add(j.status());
            }
        }
        return out;
    }

    Job job(String id) {
        synchronized (jobs) {
            Job j = jobs.get(id);
            if (j == null) {
                throw new NotFoundResponse("no job " + org.scalelab.InputException.quote(id) + " on this server; GET /api/jobs lists them");
            }
            return j;
        }
    }

    /** Cancels a queued job at once, a running one at its next progress step; a finished one stays as it is. */
    Status cancel(String id) {
        Job j = job(id);
        j.cancel();
        return j.status();
    }

    private synchronized void publish(Job job) {
        context.events().publish("job", job.status());
    }

    /** Stops every job: queued ones never start, running ones stop at their next progress step. */
    @Override
    public void close() {
        synchronized (jobs) {
            jobs.values().forEach(Job::cancel);
        }
        runners.values().forEach(ExecutorService::shutdownNow);
    }

    /** One job: its state and progress, updated from its thread (and its work's helper threads). */
    public final class Job implements Progress.Listener {
        private final String id;
        private final String kind;
        private final Prepared prepared;
        private volatile State state = State.queued;
        private volatile boolean cancelRequested;
        private volatile String message = "queued";
        private volatile double fraction;
        private volatile Double eta;
        private volatile Long resultId;
        private volatile String error;
        private volatile long total;
        private volatile long taskStarted;
        private volatile long lastPublished;
        private Future<?> future;

        Job(String id, String kind, Prepared prepared) {
            this.id = id;
            this.kind = kind;
            this.prepared = prepared;
        }

        Status status() {
            return new Status(id, kind, prepared.title(), state, fraction, message, eta, resultId, error);
        }

        /** Throws {@link Cancelled} when the job was cancelled: work calls it before it writes the lab. */
        public void checkCancelled() {
            if (cancelRequested) {
                throw new Cancelled();
            }
        }

        /** Says what the job does now (a step without a count, e.g. saving). */
        public void say(String what) {
            checkCancelled();
            message = what;
            publish(this);
        }

        synchronized void cancel() {
            if (state == State.done || state == State.failed || state == State.cancelled) {
                return;
            }
            cancelRequested = true;
            if (state == State.queued) {
                state = State.cancelled;
                message = "cancelled before it started";
                if (future != null) {
                    future.cancel(false);
                }
                publish(this);
            }
        }

        private void run() {
            synchronized (this) {
                if (cancelRequested) {
                    return;
                }
                state = State.running;
                message = "starting";
            }
            publish(this);
            try {
                Long id = Progress.reportingTo(this, () -> prepared.work().run(this));
                resultId = id;
                fraction = 1;
                eta = 0.0;
                message = "done";
                state = State.done;
            } catch (Cancelled e) {
                message = "cancelled";
                eta = null;
                state = State.cancelled;
            } catch (ScaleLabException e) {
                fail(e.getMessage());
            } catch (RuntimeException | Error e) {
                fail(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
            publish(this);
        }

        private void fail(String why) {
            error = why;
            message = "failed";
            eta = null;
            state = cancelRequested ? State.cancelled : State.failed;
        }

        @Override
        public void start(String task, long size) {
            checkCancelled();
            message = task;
            total = size;
            fraction = 0;
            eta = null;
            taskStarted = System.nanoTime();
            publish(this);
        }

        @Override
        public void update(long done) {
            checkCancelled();
            long n = total;
            if (n <= 0) {
                return;
            }
            fraction = Math.min(1.0, (double) done / n);
            long now = System.nanoTime();
            double elapsed = (now - taskStarted) / 1e9;
            eta = done > 0 ? elapsed / done * (n - done) : null;
            if (now - lastPublished >= PUBLISH_EVERY_NANOS) {
                lastPublished = now;
                publish(this);
            }
        }

        @Override
        public void finish() {
            // The next task, or the job's end, says what comes next.
        }
    }
}
