package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.cli.Main;

class AnswerCacheTest {
    @TempDir
    Path dir;

    private static HttpResponse<String> get(Dashboard d, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer's bytes as sent (no decoding), asking with {@code acceptEncoding} (none when null). */
    private static HttpResponse<byte[]> raw(Dashboard d, String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(d.url() + path));
        if (acceptEncoding != null) {
            r.header("Accept-Encoding", acceptEncoding);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The answer's bytes decoded once, as a browser would, by its {@code Content-Encoding} (gzip or none). */
    private static byte[] decoded(HttpResponse<byte[]> r) throws IOException {
        Optional<String> encoding = r.headers().firstValue("Content-Encoding");
        if (encoding.isEmpty()) {
            return r.body();
        }
        assertEquals("gzip", encoding.get());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            return in.readAllBytes();
        }
    }

    private static Optional<String> header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name);
    }

    /**
     * Starts a dashboard on {@code lab} and waits for its first snapshot: an answer made before it has no
     * version to be kept under, and is neither kept nor sent by the cache.
     */
    private static Dashboard started(Path lab) {
        Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0));
        d.context().lab().read(store -> store.listResults());
        assertNotEquals(0, d.context().lab().version());
        return d;
    }

    private static int cli(String... args) {
        StringWriter out = new StringWriter();
        return Main.execute(args, new PrintWriter(out), new PrintWriter(new StringWriter()));
    }

    @Test
    void aRepeatedReadIsAnsweredFromTheCacheUntilTheLabChanges() throws Exception {
        Path lab = dir.resolve("lab");
        Path data = PythonReference.root().resolve("data/chinchilla_hoffmann2022_fig4.csv");
        assertEquals(0, cli("fit", "power", "--data", data.toString(), "--x-col", "compute", "--bootstrap", "20", "--lab", lab.toString()));
        try (Dashboard d = started(lab)) {
            HttpResponse<String> first = get(d, "api/results");
            HttpResponse<String> second = get(d, "api/results");
            assertEquals(200, second.statusCode());
            assertEquals(Optional.empty(), first.headers().firstValue(AnswerCache.HEADER), "the first answer is made");
            assertEquals(Optional.of("hit"), second.headers().firstValue(AnswerCache.HEADER));
            assertEquals(first.body(), second.body());
            long before = d.context().lab().version();

            // The lab changes (a second fit saved by the command line); the next read shows it, made afresh. In this
            // process the command holds the monitor a server's own writes hold, which keeps the snapshot copy out.
            synchronized (org.scalelab.store.LabStore.processHold(lab)) {
                assertEquals(0, cli("fit", "power", "--data", data.toString(), "--x-col", "compute", "--bootstrap", "20", "--seed", "2",
                        "--lab", lab.toString()));
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (d.context().lab().version() == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertNotEquals(before, d.context().lab().version(), "the dashboard saw the lab change");
            HttpResponse<String> third = get(d, "api/results");
            assertEquals(Optional.empty(), third.headers().firstValue(AnswerCache.HEADER));
            assertNotEquals(first.body(), third.body());
            assertTrue(third.body().contains("\"result_id\":2"), third.body());

            // Errors and answers that change without the lab are never kept.
            assertEquals(404, get(d, "api/results/99").statusCode());
            assertEquals(Optional.empty(), get(d, "api/results/99").headers().firstValue(AnswerCache.HEADER));
            get(d, "api/health");
            assertEquals(Optional.empty(), get(d, "api/health").headers().firstValue(AnswerCache.HEADER));
        }
        assertTrue(Files.exists(lab.resolve("scalelab.duckdb")));
    }

    @Test
    void aKeptAnswerIsSentGzippedOnlyWhenTheRequestAcceptsGzipAndDecodesToThePlainBytes() throws Exception {
        // The data inside the lab, so that the result's view and plot downloads are drawn from it.
        Path lab = dir.resolve("lab");
        Path data = Files.copy(PythonReference.root().resolve("data/chinchilla_hoffmann2022_fig4.csv"),
                Files.createDirectories(lab.resolve("inputs")).resolve("fig4.csv"));
        assertEquals(0, cli("fit", "power", "--data", data.toString(), "--x-col", "compute", "--bootstrap", "20", "--lab", lab.toString()));
        try (Dashboard d = started(lab)) {
            String view = "api/results/1/view";
            // Made and kept on a request that accepts gzip: sent gzipped at once, never gzipped a second time.
            HttpResponse<byte[]> made = raw(d, view, "gzip, deflate, br, zstd");
            HttpResponse<byte[]> plain = raw(d, view, null);
            HttpResponse<byte[]> hit = raw(d, view, "gzip");
            assertEquals(200, made.statusCode());
            assertEquals(Optional.empty(), header(made, AnswerCache.HEADER));
            assertEquals(Optional.of("hit"), header(plain, AnswerCache.HEADER));
            assertEquals(Optional.of("hit"), header(hit, AnswerCache.HEADER));
            byte[] body = plain.body();
            assertTrue(body.length >= AnswerCache.MIN_GZIP_BYTES, "a view long enough to be kept gzipped: " + body.length + " bytes");
            assertEquals('{', body[0]);
            assertEquals(Optional.empty(), header(plain, "Content-Encoding"), "no Accept-Encoding: the plain bytes");
            for (HttpResponse<byte[]> gz : List.of(made, hit)) {
                assertEquals(Optional.of("gzip"), header(gz, "Content-Encoding"));
                assertTrue(gz.body().length < body.length / 2, gz.body().length + " bytes gzipped against " + body.length);
                assertArrayEquals(body, decoded(gz), "the gzip bytes decode to exactly the plain answer");
                assertEquals(Optional.of(Integer.toString(gz.body().length)), header(gz, "Content-Length"));
            }
            for (String refusing : List.of("gzip;q=0", "deflate, br", "identity", "*, gzip;q=0")) {
                HttpResponse<byte[]> r = raw(d, view, refusing);
                assertEquals(Optional.empty(), header(r, "Content-Encoding"), refusing);
                assertArrayEquals(body, r.body(), refusing);
            }
            for (HttpResponse<byte[]> r : List.of(made, plain, hit, raw(d, view, "gzip;q=0"))) {
                assertEquals(Optional.of("Accept-Encoding"), header(r, "Vary"));
            }

            // A short kept answer is sent plain (with Vary, since another answer of the path may be long).
            HttpResponse<byte[]> list = raw(d, "api/results", "gzip");
            assertTrue(raw(d, "api/results", null).body().length < AnswerCache.MIN_GZIP_BYTES);
            assertEquals(Optional.empty(), header(list, "Content-Encoding"));
            assertEquals(Optional.of("Accept-Encoding"), header(list, "Vary"));

            // What the cache does not keep is compressed, or not, by Javalin as before: a script and the plot
            // downloads (SVG compressed by Javalin, PNG never), without Vary; health is never kept.
            for (String path : List.of("static/app.js", "api/results/1/plots/fit.svg", "api/results/1/plots/fit.png",
                    "api/results/1/plots/fit.csv", "api/health")) {
                HttpResponse<byte[]> asked = raw(d, path, "gzip");
                HttpResponse<byte[]> notAsked = raw(d, path, null);
                assertEquals(200, asked.statusCode(), path);
                assertEquals(Optional.empty(), header(asked, "Vary"), path);
                assertEquals(Optional.empty(), header(asked, AnswerCache.HEADER), path);
                assertEquals(Optional.empty(), header(notAsked, "Content-Encoding"), path);
                if (path.endsWith(".svg")) {
                    // drawn anew each time, with clip ids made from the clock: the same drawing, not the same bytes
                    String askedSvg = new String(decoded(asked), StandardCharsets.UTF_8).replaceAll("_[0-9]+clip", "_clip");
                    assertTrue(askedSvg.startsWith("<?xml") && askedSvg.strip().endsWith("</svg>"), askedSvg.substring(0, 200));
                    assertEquals(new String(notAsked.body(), StandardCharsets.UTF_8).replaceAll("_[0-9]+clip", "_clip"), askedSvg);
                } else {
                    assertArrayEquals(notAsked.body(), decoded(asked), path);
                }
            }
            assertEquals(Optional.of("gzip"), header(raw(d, "static/app.js", "gzip"), "Content-Encoding"));
            assertEquals(Optional.of("gzip"), header(raw(d, "api/results/1/plots/fit.svg", "gzip"), "Content-Encoding"));
            assertEquals(Optional.empty(), header(raw(d, "api/results/1/plots/fit.png", "gzip"), "Content-Encoding"));
        }
    }

    @Test
    void acceptEncodingIsReadWithItsWeights() {
        for (String accepts : List.of("gzip", "GZIP", "x-gzip", "gzip, deflate, br, zstd", "deflate;q=1, gzip;q=0.5", "gzip; q=0.001",
                "gzip;Q=1.000", "*", "br, *;q=0.1", "gzip;q=0, gzip")) {
            assertTrue(AnswerCache.acceptsGzip(accepts), accepts);
        }
        for (String refuses : List.of("", "identity", "deflate, br", "gzip;q=0", "gzip; q=0.000", "*;q=0", "*, gzip;q=0",
                "gzip;q=0, *", "gzip;q=abc", "gzip;q=1.5", "gzip;q=-1", "gzipped", "x-gzip;q=0")) {
            assertFalse(AnswerCache.acceptsGzip(refuses), refuses);
        }
        assertFalse(AnswerCache.acceptsGzip(null), "no header: identity");
    }
}
