package org.scalelab.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * JSON answers that depend on nothing but the lab, kept for the lab's current snapshot: the same request
 * is answered from here until the store changes ({@link LabSnapshots#version()}), instead of querying
 * the snapshot again. Many pages open on one lab ask the same few questions (the results list, a
 * result's view, the runs table's first page), and each costs a database read and a renderer run.
 * Answers that change without the store changing are never kept: job status, live events, the
 * sweeps' progress (it counts time), and the Laws page (it shows fits this server has just made before
 * the store's next snapshot holds them); nor are errors or other content types.
 *
 * <p><b>Compression of kept answers</b> is decided here, in one place, so that no answer is compressed twice
 * and none per request. Browsers ask for gzip, and Javalin gzips every answer over 1,500 bytes anew on each
 * request, a kept one too (a curve drawn as 2,000 points: 59 KB, every time). So an answer of
 * {@link #MIN_GZIP_BYTES} or more is gzipped once, when it is kept, and its gzip bytes are kept beside it.
 * Every answer this class keeps or serves is sent by {@link #send}, with Javalin's compression turned off for
 * it ({@link Context#disableCompression()}): gzip ({@code Content-Encoding: gzip}) when the request's
 * {@code Accept-Encoding} accepts it ({@link #acceptsGzip}), the plain bytes otherwise, and always
 * {@code Vary: Accept-Encoding}. Everything else (pages, scripts, SVG/PNG/CSV downloads, events, answers
 * not kept) Javalin compresses, or not, as before.
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
    /**
     * Answers this long or longer are kept gzipped too; a shorter one gains a few hundred bytes at most (and
     * Javalin never compressed answers under 1,500 bytes).
     */
    static final int MIN_GZIP_BYTES = 1024;
    /** A weight in {@code Accept-Encoding}: {@code 0} to {@code 1} with up to three decimals (RFC 9110, section 12.4.2). */
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    /** One kept answer: its plain bytes, and the same bytes gzipped (null for a short answer). */
    private record Answer(long version, byte[] body, byte[] gzip, String contentType) {}

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
            send(ctx.header(HEADER, "hit"), a);
            ctx.skipRemainingHandlers();
            return;
        }
        // The version before the handler reads: an answer made while the lab changes is kept under the older one.
        ctx.attribute(VERSION, v);
    }

    /**
     * After the handler: keeps a successful JSON answer for the version it was made under (gzipped too when
     * long enough) and sends it as {@link #send} does.
     */
    void keep(Context ctx) {
        Long v = ctx.attribute(VERSION);
        String type = ctx.res().getContentType();
        if (v == null || v == 0 || ctx.statusCode() != 200 || type == null || !type.startsWith("application/json")
                || ctx.res().containsHeader("Content-Encoding")) {
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
        Answer a = new Answer(v, bytes, bytes.length >= MIN_GZIP_BYTES ? gzip(bytes) : null, type);
        synchronized (answers) {
            answers.put(key(ctx), a);
        }
        send(ctx, a);
    }

    /**
     * Sends a kept answer: gzipped when it has gzip bytes and the request accepts them, plain otherwise; with
     * its length, since it is known (Jetty would otherwise send it in chunks).
     */
    private static void send(Context ctx, Answer a) {
        ctx.disableCompression().header("Vary", "Accept-Encoding").contentType(a.contentType());
        byte[] bytes = a.body();
        if (a.gzip() != null && acceptsGzip(ctx.header("Accept-Encoding"))) {
            ctx.header("Content-Encoding", "gzip");
            bytes = a.gzip();
        }
        ctx.res().setContentLength(bytes.length);
        ctx.result(bytes);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot gzip an answer in memory", e);
        }
        return out.toByteArray();
    }

    /**
     * Whether an {@code Accept-Encoding} header accepts gzip (RFC 9110, section 12.5.3): {@code gzip} or
     * {@code x-gzip} with a weight above zero ({@code ;q=0} refuses it), or else {@code *} with a weight above
     * zero. No header at all is read as identity only: the programs that send none (curl, scripts, Java's
     * HTTP client) do not decode gzip. A weight that is not a qvalue (0 to 1, up to three decimals) counts as zero.
     */
    static boolean acceptsGzip(String header) {
        if (header == null) {
            return false;
        }
        double gzip = -1;
        double any = -1;
        for (String coding : header.split(",")) {
            String[] parts = coding.split(";");
            String name = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("q")) {
                    q = weight(p.substring(eq + 1).strip());
                }
            }
            if (name.equals("gzip") || name.equals("x-gzip")) {
                gzip = Math.max(gzip, q);
            } else if (name.equals("*")) {
                any = Math.max(any, q);
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    /** A weight's value; one that is not a qvalue counts as 0 (refused). */
    private static double weight(String text) {
        return QVALUE.matcher(text).matches() ? Double.parseDouble(text) : 0;
    }
}
