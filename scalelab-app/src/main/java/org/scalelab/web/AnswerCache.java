package org.scalelab.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON answers that depend on nothing but the lab, kept for the lab's current snapshot: the same request
 * is answered from here until the store changes ({@link LabSnapshots#version()}), instead of querying
 * the snapshot again. Many pages open on one lab ask the same few questions (the results list, a
 * result's view, the runs table's first page), and each costs a database read and a renderer run.
 * Answers that change without the store changing are never kept: job status, live events, the
 * sweeps' progress (it counts time), and the Laws page (it shows fits this server has just made before
 * the store's next snapshot holds them); nor are errors or other content types.
 */
final class AnswerCache {
    /** Answers kept at most (least recently used first out); one answer at most {@link #MAX_BYTES}. */
    static final int MAX_ANSWERS = 256;
    static final int MAX_BYTES = 1 << 20;
    /** Paths whose answers change while the store does not. */
    private static final List<String> NEVER = List.of("/api/health", "/api/events", "/api/jobs", "/api/sweeps", "/api/laws");
    /** The response header that says an answer came from here. */
    static final String HEADER = "X-ScaleLab-Cache";
    private static final String VERSION = "scalelab.cache.version";

    private record Answer(long version, byte[] body, String contentType) {}

    private final LabSnapshots lab;
    private final Map<String, Answer> answers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > MAX_ANSWERS;
        }
    };

    AnswerCache(LabSnapshots lab) {
        this.lab = lab;
    }

    private static boolean kept(Context ctx) {
        if (ctx.method() != HandlerType.GET || !ctx.path().startsWith("/api/")) {
            return false;
        }
        for (String p : NEVER) {
            if (ctx.path().equals(p) || ctx.path().startsWith(p + "/")) {
                return false;
            }
        }
        return true;
    }

    private static String key(Context ctx) {
        String q = ctx.queryString();
        return q == null ? ctx.path() : ctx.path() + "?" + q;
    }

    /** Before the handler: answers from the cache when the lab has not changed since this answer was made. */
    void serve(Context ctx) {
        if (!kept(ctx)) {
            return;
        }
        long v = lab.version();
        Answer a;
        synchronized (answers) {
            a = answers.get(key(ctx));
        }
        if (a != null && a.version() == v && v != 0) {
            ctx.header(HEADER, "hit").contentType(a.contentType()).result(a.body());
            ctx.skipRemainingHandlers();
            return;
        }
        // The version before the handler reads: an answer made while the lab changes is kept under the older one.
        ctx.attribute(VERSION, v);
    }

    /** After the handler: keeps a successful JSON answer for the version it was made under. */
    void keep(Context ctx) {
        Long v = ctx.attribute(VERSION);
        String type = ctx.res().getContentType();
        if (v == null || v == 0 || ctx.statusCode() != 200 || type == null || !type.startsWith("application/json")) {
            return;
        }
        String body = ctx.result();
        if (body == null) {
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            return;
        }
        synchronized (answers) {
            answers.put(key(ctx), new Answer(v, bytes, type));
        }
    }
}
