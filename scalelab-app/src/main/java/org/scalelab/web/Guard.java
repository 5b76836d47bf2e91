package org.scalelab.web;

import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.UnauthorizedResponse;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.scalelab.InputException;
import org.scalelab.io.Json;

/**
 * What every request passes before a handler sees it, and what every answer carries. In order: the
 * security headers, the per-client rate limit (429), the request-size limit (413), then the token (401)
 * when the server has one, or, on loopback without one, the Host check that stops another web site from
 * reaching the dashboard through a DNS name that points at 127.0.0.1. Requests that change something
 * (POST, PUT, DELETE) from a browser must come from the dashboard's own pages (their Origin). Every
 * refusal is a JSON error, like any other (Dashboard's exception handlers).
 */
final class Guard {
    /** The header a script or another program sends the token in. */
    static final String TOKEN_HEADER = "X-ScaleLab-Token";
    /** The cookie {@code ?token=} sets, which a browser then sends with every same-origin request. */
    static final String TOKEN_COOKIE = "scalelab-token";
    /** The query parameter that carries the token once, on a page's address. */
    static final String TOKEN_PARAMETER = "token";
    /** Pages run only the server's own scripts: no inline script, no event-handler attributes, nothing from elsewhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** A token's shortest length: 16 characters, so guessing it at the rate limit takes longer than any lab lives. */
    static final int TOKEN_MIN_LENGTH = 16;

    /**
     * How much one client may ask.
     *
     * @param maxBodyBytes the largest request body accepted (a SQL query or a job's options are a few kB)
     * @param requestsPerSecond how fast one client's allowance refills
     * @param burst how many requests one client may make at once before it must wait for the refill
     */
    record Limits(long maxBodyBytes, double requestsPerSecond, int burst) {
        /**
         * 1 MB bodies; 2,000 requests per second per client address, in bursts of up to 4,000. A page loads
         * a few dozen files and API answers; the load test's 50 clients on one loopback address stay under
         * it, and a runaway script is slowed down instead of taking the machine.
         */
        static final Limits DEFAULT = new Limits(1_000_000, 2_000, 4_000);
    }

    private final DashboardOptions options;
    private final Limits limits;
    private final byte[] tokenDigest;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    Guard(DashboardOptions options, Limits limits) {
        this.options = options;
        this.limits = limits;
        this.tokenDigest = options.token() == null ? null : digest(options.token());
    }

    /**
     * Refuses options a server must not start with: a host that is not an address, a token that is too
     * short or does not fit in a web address, and any host but loopback without a token (then the message
     * offers a freshly generated token to pass).
     */
    static void checkStart(DashboardOptions options) {
        String host = options.host();
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:%_\\-\\[\\]]+")) {
            throw new InputException("host '" + InputException.quote(host) + "': give an address to bind, e.g. 127.0.0.1");
        }
        boolean loopback = isLoopback(host);
        String token = options.token();
        if (token != null && (token.length() < TOKEN_MIN_LENGTH || !token.matches("[A-Za-z0-9._~-]+"))) {
            throw new InputException("token: give at least " + TOKEN_MIN_LENGTH + " characters from A-Z a-z 0-9 . _ ~ -, e.g. --token "
                    + newToken());
        }
        if (token == null && !loopback) {
            throw new InputException("host " + host + " is reachable from other machines: pass --token so that every request must "
                    + "carry it, e.g. --token " + newToken());
        }
    }

    /** Whether {@code host} names this machine's loopback only (every address it resolves to). */
    static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            InetAddress[] addresses = InetAddress.getAllByName(bare);
            for (InetAddress a : addresses) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            throw new InputException("host '" + InputException.quote(host) + "': not an address of this machine (" + e.getMessage() + ")");
        }
    }

    /** A random token of 32 hexadecimal digits (128 bits). */
    static String newToken() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The before-handler of every request. */
    void check(Context ctx) {
        boolean api = ctx.path().startsWith("/api/");
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        if (api) {
            ctx.header("Cache-Control", "no-store");
        }
        // The connection's own address: a forwarding header is the client's to choose.
        String client = ctx.req().getRemoteAddr();
        if (!take(client)) {
            throw new HttpResponseException(HttpStatus.TOO_MANY_REQUESTS.getCode(), "too many requests from " + client
                    + ": at most " + (long) limits.requestsPerSecond() + " per second; wait a moment and retry");
        }
        checkSize(ctx);
        if (tokenDigest != null) {
            checkToken(ctx, api);
        } else {
            checkHost(ctx);
        }
        checkOrigin(ctx);
    }

    private void checkSize(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length > limits.maxBodyBytes()) {
            throw new ContentTooLargeResponse("request body of " + length + " bytes: at most " + limits.maxBodyBytes() + " bytes");
        }
        if (length < 0 && ctx.header("Transfer-Encoding") != null) {
            // A body without a length could be any size; the dashboard's pages always send one.
            throw new HttpResponseException(HttpStatus.LENGTH_REQUIRED.getCode(), "request body without Content-Length: send its length");
        }
    }

    private void checkToken(Context ctx, boolean api) {
        if (matches(ctx.header(TOKEN_HEADER)) || matches(ctx.cookie(TOKEN_COOKIE))) {
            return;
        }
        String given = ctx.queryParam(TOKEN_PARAMETER);
        if (given != null && !api && ctx.method() == HandlerType.GET && matches(given)) {
            // The address a person opens once: keep the token in a cookie scripts cannot read and other
            // sites never send, then show the same page without the token in its address.
            ctx.cookie(new Cookie(TOKEN_COOKIE, options.token(), "/", -1, false, true, null, SameSite.STRICT));
            ctx.status(HttpStatus.SEE_OTHER).header("Location", withoutToken(ctx));
            ctx.skipRemainingHandlers();
            return;
        }
        throw new UnauthorizedResponse(given != null || ctx.header(TOKEN_HEADER) != null || ctx.cookie(TOKEN_COOKIE) != null
                ? "wrong token: open the address scalelab serve printed, or send the header " + TOKEN_HEADER
                : "this dashboard needs its token: open the address scalelab serve printed (with ?token=), or send the header "
                        + TOKEN_HEADER);
    }

    private boolean matches(String given) {
        // Compare digests of equal length in constant time, so that neither the token's characters nor its
        // length can be learnt from how long a refusal takes.
        return given != null && MessageDigest.isEqual(tokenDigest, digest(given));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The request's path and query, minus every {@code token=} parameter. */
    private static String withoutToken(Context ctx) {
        String query = ctx.queryString();
        List<String> kept = new ArrayList<>();
        if (query != null) {
            for (String part : query.split("&")) {
                String name = URLDecoder.decode(part.split("=", 2)[0], StandardCharsets.UTF_8);
                if (!part.isEmpty() && !name.equals(TOKEN_PARAMETER)) {
                    kept.add(part);
                }
            }
        }
        String path = ctx.path().startsWith("/") && !ctx.path().startsWith("//") ? ctx.path() : "/";
        return kept.isEmpty() ? path : path + "?" + String.join("&", kept);
    }

    /**
     * Without a token only loopback is served, but a web page elsewhere could still reach it through a
     * DNS name it controls that resolves to 127.0.0.1 (DNS rebinding); its requests carry that name as
     * Host. So the Host must be a loopback address or name, or the address the server was bound to.
     */
    private void checkHost(Context ctx) {
        String host = hostName(ctx.header("Host"));
        if (host == null) {
            return;
        }
        if (host.equals("localhost") || host.equals("::1") || host.startsWith("127.") || host.equalsIgnoreCase(hostName(options.host()))) {
            return;
        }
        throw new ForbiddenResponse("Host '" + InputException.quote(host) + "' is not this dashboard's address: open " + options.host());
    }

    /**
     * A request that changes something and comes from a browser page (it has an Origin) must come from
     * one of the dashboard's own pages: another site's page may send a form or a script's request here,
     * which the browser sends without asking.
     */
    private static void checkOrigin(Context ctx) {
        HandlerType m = ctx.method();
        if (m == HandlerType.GET || m == HandlerType.HEAD || m == HandlerType.OPTIONS) {
            return;
        }
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        String originHost;
        try {
            URI uri = URI.create(origin);
            originHost = uri.getRawAuthority();
        } catch (IllegalArgumentException e) {
            originHost = null;
        }
        String host = ctx.header("Host");
        if (originHost == null || host == null || !originHost.equalsIgnoreCase(host)) {
            throw new ForbiddenResponse("request from another site (Origin '" + InputException.quote(origin) + "'): refused");
        }
    }

    /** The name or address in a Host header or a host option, without its port and brackets, lower case. */
    private static String hostName(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
    }

    /**
     * Answers, as JSON, the errors Jetty finds before any handler runs (a malformed request line, an
     * ambiguous path such as {@code /static/%2e%2e/}, headers too large).
     */
    static final class JettyErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
            String reason = message == null || message.isBlank() ? HttpStatus.forStatus(code).getMessage() : message;
            byte[] body = Json.write(new ApiError(code, "the server cannot read this request: " + reason)).getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Takes one request from {@code client}'s allowance; false when it is spent. */
    private boolean take(String client) {
        if (buckets.size() > 10_000) {
            // Forget clients whose allowance has refilled completely: they are indistinguishable from new ones.
            long now = System.nanoTime();
            buckets.values().removeIf(b -> b.full(now, limits));
        }
        return buckets.computeIfAbsent(client, c -> new Bucket(limits.burst(), System.nanoTime())).take(System.nanoTime(), limits);
    }

    /** A token bucket: up to {@code burst} requests at once, refilled at {@code requestsPerSecond}. */
    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(long now, Limits limits) {
            refill(now, limits);
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        synchronized boolean full(long now, Limits limits) {
            refill(now, limits);
            return tokens >= limits.burst();
        }

        private void refill(long now, Limits limits) {
            tokens = Math.min(limits.burst(), tokens + (now - last) * 1e-9 * limits.requestsPerSecond());
            last = now;
        }
    }
}
