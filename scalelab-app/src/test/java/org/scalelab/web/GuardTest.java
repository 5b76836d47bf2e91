package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.Json;

/** The checks every request passes (token, headers, sizes, rates, JSON errors) and the refusals at start. */
class GuardTest {
    static final String TOKEN = "0123456789abcdef-secret";

    @TempDir
    Path lab;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** A route that fails the way a bug would, to see what a client gets. */
    static final class Failing implements DashboardRoutes {
        @Override
        public void add(RoutesConfig routes, DashboardContext context) {
            routes.get("/api/test/fail", ctx -> {
                throw new IllegalStateException("broken invariant");
            });
            routes.get("/api/test/error", ctx -> {
                throw new StackOverflowError();
            });
            routes.post("/api/test/echo", ctx -> ctx.json(java.util.Map.of("bytes", ctx.bodyAsBytes().length)));
        }
    }

    private Dashboard start(String token, Guard.Limits limits) {
        return Dashboard.start(new DashboardOptions(lab, "127.0.0.1", 0, token, false), limits, List.of(new Failing()));
    }

    private HttpResponse<String> get(Dashboard d, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertJsonError(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = Json.mapper().readTree(r.body());
        assertEquals(status, body.get("status").asInt(), r.body());
        assertFalse(body.get("message").asText().isBlank(), r.body());
        assertFalse(r.body().contains("\tat ") || r.body().contains("at org.") || r.body().contains("at io.javalin") || r.body().contains(".java:"),
                "no stack trace: " + r.body());
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        try (Dashboard d = start(null, Guard.Limits.DEFAULT)) {
            for (String path : List.of("", "runs", "static/app.js", "api/health", "api/nothing-here", "webjars/echarts/5.3.1/dist/echarts.min.js")) {
                HttpResponse<String> r = get(d, path);
                assertEquals(Optional.of(Guard.CONTENT_SECURITY_POLICY), r.headers().firstValue("Content-Security-Policy"), path);
                assertEquals(Optional.of("nosniff"), r.headers().firstValue("X-Content-Type-Options"), path);
                assertEquals(Optional.of("no-referrer"), r.headers().firstValue("Referrer-Policy"), path);
                assertEquals(Optional.of("DENY"), r.headers().firstValue("X-Frame-Options"), path);
                if (path.startsWith("api/")) {
                    assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"), path);
                }
            }
            assertTrue(Guard.CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
        }
    }

    @Test
    void unknownEndpointsWrongMethodsAndFailuresAnswerJsonWithoutStackTraces() throws Exception {
        try (Dashboard d = start(null, Guard.Limits.DEFAULT)) {
            assertJsonError(get(d, "api/no/such/thing"), 404);
            assertJsonError(get(d, "no-such-page"), 404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/health"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertJsonError(post, 405);
            HttpResponse<String> fail = get(d, "api/test/fail");
            assertJsonError(fail, 500);
            assertTrue(fail.body().contains("broken invariant"), fail.body());
            assertJsonError(get(d, "api/test/error"), 500);
            assertEquals(200, get(d, "api/health").statusCode(), "the server survives a failing handler");
        }
    }

    @Test
    void withATokenEveryRequestMustCarryIt() throws Exception {
        try (Dashboard d = start(TOKEN, Guard.Limits.DEFAULT)) {
            assertJsonError(get(d, "api/health"), 401);
            assertJsonError(get(d, ""), 401);
            assertJsonError(get(d, "static/app.js"), 401);
            assertJsonError(get(d, "api/health", Guard.TOKEN_HEADER, TOKEN + "x"), 401);
            assertJsonError(get(d, "api/health", Guard.TOKEN_HEADER, TOKEN.substring(1)), 401);
            assertJsonError(get(d, "api/health", "Cookie", Guard.TOKEN_COOKIE + "=wrong-token-wrong-token"), 401);
            assertJsonError(get(d, "runs?token=wrong-token-wrong-token"), 401);
            assertJsonError(get(d, "api/health?token=" + TOKEN), 401);
            assertEquals(200, get(d, "api/health", Guard.TOKEN_HEADER, TOKEN).statusCode());
            assertEquals(200, get(d, "api/health", "Cookie", Guard.TOKEN_COOKIE + "=" + TOKEN).statusCode());
            assertEquals(200, get(d, "static/app.js", Guard.TOKEN_HEADER, TOKEN).statusCode());
        }
    }

    @Test
    void theTokenInAPageAddressBecomesAStrictCookieAndLeavesTheAddress() throws Exception {
        try (Dashboard d = start(TOKEN, Guard.Limits.DEFAULT)) {
            assertEquals(d.url() + "?token=" + TOKEN, d.openUrl());
            HttpResponse<String> r = get(d, "runs?q=gpt&token=" + TOKEN + "&sort=loss");
            assertEquals(303, r.statusCode(), r.body());
            assertEquals(Optional.of("/runs?q=gpt&sort=loss"), r.headers().firstValue("Location"));
            String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.startsWith(Guard.TOKEN_COOKIE + "=" + TOKEN + ";"), cookie);
            assertTrue(cookie.contains("HttpOnly"), cookie);
            assertTrue(cookie.contains("SameSite=Strict"), cookie);
            assertTrue(cookie.contains("Path=/"), cookie);
            HttpResponse<String> root = get(d, "?token=" + TOKEN);
            assertEquals(Optional.of("/"), root.headers().firstValue("Location"));
            HttpResponse<String> page = get(d, "runs?q=gpt&sort=loss", "Cookie", cookie.split(";")[0]);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<html"), page.body());
        }
    }

    @Test
    void theBrowserKeepsTheTokenAndEveryPageLoadsWithIt() throws Exception {
        try (Dashboard d = start(TOKEN, Guard.Limits.DEFAULT); Browser browser = Browser.launch()) {
            com.microsoft.playwright.Page page = browser.open(d.openUrl());
            assertEquals(d.url(), page.url(), "the token leaves the address");
            page.navigate(d.url() + "runs");
            page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
            Object status = page.evaluate("fetch('/api/health').then(r => r.status)");
            assertEquals(200, ((Number) status).intValue());
            Object cookieVisible = page.evaluate("document.cookie.includes('" + Guard.TOKEN_COOKIE + "')");
            assertEquals(Boolean.FALSE, cookieVisible, "scripts cannot read the token");
            assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        }
    }

    @Test
    void oversizedBodiesGet413() throws Exception {
        try (Dashboard d = start(null, Guard.Limits.DEFAULT)) {
            byte[] small = new byte[1000];
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/test/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(small)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            byte[] big = new byte[(int) Guard.Limits.DEFAULT.maxBodyBytes() + 1];
            // Announced too big: answered 413 from the headers alone, the body never sent (a client still sending
            // a body the server will not read may see the connection close before the answer, so none is sent here).
            for (String path : List.of("/api/test/echo", "/api/sql", "/api/no/such/route", "/runs")) {
                String answer = announced(d, path, big.length);
                assertTrue(answer.startsWith("HTTP/1.1 413"), path + ": " + answer);
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                assertEquals(413, Json.mapper().readTree(body.substring(body.indexOf('{'))).get("status").asInt(), path + ": " + answer);
            }
            // A body without a length (chunked): refused from the headers, before any chunk is read (none is sent,
            // for the same reason as above).
            String chunked = sent(d, "POST /api/test/echo HTTP/1.1\r\nHost: 127.0.0.1:" + d.port()
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            assertTrue(chunked.startsWith("HTTP/1.1 411"), chunked);
            String chunkedBody = chunked.substring(chunked.indexOf("\r\n\r\n") + 4);
            assertEquals(411, Json.mapper().readTree(chunkedBody.substring(chunkedBody.indexOf('{'))).get("status").asInt(), chunked);
        }
    }

    /** The server's whole answer to a POST whose headers announce {@code length} bytes, none of which are sent. */
    private static String announced(Dashboard d, String path, int length) throws Exception {
        return sent(d, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + d.port() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n");
    }

    /** The server's whole answer to {@code request} (headers only) sent over a fresh connection. */
    private static String sent(Dashboard d, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", d.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aClientThatAsksTooFastGets429AndOthersAreServed() throws Exception {
        try (Dashboard d = start(null, new Guard.Limits(1_000_000, 1, 20))) {
            int ok = 0;
            HttpResponse<String> last = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                last = get(d, "api/health");
                if (last.statusCode() == 200) {
                    ok++;
                } else {
                    break;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertNotNull(last);
            assertJsonError(last, 429);
            // The burst of 20, plus what refilled at 1 per second while the requests were made.
            assertTrue(ok >= 20 && ok <= 20 + Math.ceil(seconds) + 1, "served before the limit: " + ok + " in " + seconds + " s");
            Thread.sleep(2_100);
            assertEquals(200, get(d, "api/health").statusCode(), "the allowance refills");
        }
    }

    @Test
    void withoutATokenOnlyLoopbackNamesAreServedAndOtherSitesCannotPost() throws Exception {
        try (Dashboard d = start(null, Guard.Limits.DEFAULT)) {
            int port = d.port();
            assertTrue(rawGet(port, "localhost:" + port).startsWith("HTTP/1.1 200"));
            assertTrue(rawGet(port, "[::1]:" + port).startsWith("HTTP/1.1 200"));
            String rebound = rawGet(port, "attacker.example:" + port);
            assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
            assertTrue(rebound.contains("{\"status\":403,\"message\":\"Host 'attacker.example' is not this dashboard's address"), rebound);
            HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/test/echo"))
                    .header("Origin", "http://attacker.example").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertJsonError(foreign, 403);
            HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/test/echo"))
                    .header("Origin", "http://127.0.0.1:" + port).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, own.statusCode(), own.body());
        }
    }

    /** GET /api/health with the given Host header (java.net.http refuses to set one). */
    private static String rawGet(int port, String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /api/health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aNonLoopbackHostWithoutATokenIsRefusedAtStart() {
        for (String host : List.of("0.0.0.0", "::", "192.0.2.1")) {
            InputException e = assertThrows(InputException.class,
                    () -> Dashboard.start(new DashboardOptions(lab, host, 0, null, false)), host);
            assertTrue(e.getMessage().contains("--token"), e.getMessage());
            assertTrue(e.getMessage().matches(".*--token [0-9a-f]{32}$"), "offers a generated token: " + e.getMessage());
            assertEquals(2, e.exitCode());
        }
        InputException shortToken = assertThrows(InputException.class,
                () -> Dashboard.start(new DashboardOptions(lab, "0.0.0.0", 0, "short", false)));
        assertTrue(shortToken.getMessage().startsWith("token: give at least 16 characters"), shortToken.getMessage());
        assertThrows(InputException.class, () -> Dashboard.start(new DashboardOptions(lab, "0.0.0.0", 0, "has space in it 0123", false)));
        InputException badHost = assertThrows(InputException.class, () -> Dashboard.start(new DashboardOptions(lab, "not a host", 0, null, false)));
        assertTrue(badHost.getMessage().startsWith("host 'not a host'"), badHost.getMessage());
        assertThrows(InputException.class, () -> Dashboard.start(new DashboardOptions(lab, "no-such-host.invalid", 0, TOKEN, false)));
    }

    @Test
    void aNonLoopbackHostWithATokenServesAndAsksForIt() throws Exception {
        try (Dashboard d = Dashboard.start(new DashboardOptions(lab, "0.0.0.0", 0, TOKEN, false))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + "/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertJsonError(r, 401);
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + "/api/health"))
                    .header(Guard.TOKEN_HEADER, TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
        }
    }

    @Test
    void loopbackNamesAreRecognised() {
        assertTrue(Guard.isLoopback("127.0.0.1"));
        assertTrue(Guard.isLoopback("localhost"));
        assertTrue(Guard.isLoopback("::1"));
        assertTrue(Guard.isLoopback("[::1]"));
        assertFalse(Guard.isLoopback("0.0.0.0"));
        assertFalse(Guard.isLoopback("::"));
        assertFalse(Guard.isLoopback("10.1.2.3"));
    }
}
