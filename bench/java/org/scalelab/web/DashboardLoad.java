package org.scalelab.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A bounded load test of a running dashboard, on loopback only: CLIENTS concurrent clients send REQUESTS
 * GET requests in all, spread round-robin over the endpoints that answer, and the program ends by itself.
 * It prints p50 and p99 latency per endpoint, and the server's memory between rounds (clients idle): heap
 * used after a full GC and its committed native memory (JVM native memory tracking, when the server runs
 * with {@code -XX:NativeMemoryTracking=summary}) through {@code jcmd}, and its resident set from
 * {@code /proc/PID/status}. Flat memory over the rounds is what a server that leaks nothing shows.
 *
 * <p>Every request asks as a browser does, with {@code Accept-Encoding: gzip}, and reads the whole answer,
 * decoding it when it comes gzipped ({@code Content-Encoding: gzip}), so a latency includes the client's
 * inflating. The table gives each endpoint's answer size as sent and as decoded.
 *
 * <pre>
 *   java DashboardLoad URL SERVER_PID [REQUESTS=12000] [CLIENTS=50] [ROUNDS=5] [EXTRA_PATH...]
 * </pre>
 *
 * The endpoints are {@link #ENDPOINTS} plus any extra paths given (e.g. a lab's curves,
 * {@code /api/curves?run=c0001-seed0&metric=loss}); {@code {result}} is filled from {@code /api/results}.
 * An endpoint that does not answer 200 before the load starts is left out, and said so. Run by {@code bench/bench_dashboard.sh}.
 */
public final class DashboardLoad {
    /** The requests a reader of the dashboard makes, in the order shown. Add a line to load another endpoint. */
    static final List<String> ENDPOINTS = List.of(
            "/api/health",
            "/api/results",
            "/api/results/{result}/view",
            "/api/runs?limit=100",
            "/api/overview");

    private DashboardLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DashboardLoad URL SERVER_PID [REQUESTS] [CLIENTS] [ROUNDS] [EXTRA_PATH...]");
            System.exit(2);
        }
        URI base = URI.create(args[0].endsWith("/") ? args[0].substring(0, args[0].length() - 1) : args[0]);
        String host = base.getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
            System.err.println("DashboardLoad: " + host + " is not loopback; this load test only runs against this machine");
            System.exit(2);
        }
        long pid = Long.parseLong(args[1]);
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 12_000;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        List<String> wanted = new ArrayList<>(ENDPOINTS);
        wanted.addAll(Arrays.asList(args).subList(Math.min(args.length, 5), args.length));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        List<String> paths = endpoints(http, base, wanted);
        System.out.printf("load: %d requests from %d clients over %s, in %d rounds%n", requests, clients, paths, rounds);

        // Warm up: every endpoint a few times, so the first round does not measure the JIT alone.
        for (int i = 0; i < 20; i++) {
            for (String p : paths) {
                send(http, base, p);
            }
        }
        List<Memory> memory = new ArrayList<>();
        memory.add(Memory.sample(pid));
        Map<String, long[]> latencies = new LinkedHashMap<>();
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        for (String p : paths) {
            latencies.put(p, new long[requests]);
            counts.put(p, new AtomicInteger());
        }
        Map<String, long[]> sizes = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        long wallNanos = 0;
        for (int round = 0; round < rounds; round++) {
            int end = (int) ((long) requests * (round + 1) / rounds);
            CountDownLatch done = new CountDownLatch(clients);
            AtomicLong started = new AtomicLong(System.nanoTime());
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < end; i = next.getAndIncrement()) {
                            String p = paths.get(i % paths.size());
                            long t0 = System.nanoTime();
                            Answer a = send(http, base, p);
                            long nanos = System.nanoTime() - t0;
                            int status = a.status();
                            sizes.put(p, new long[] {a.sentBytes(), a.bodyBytes()});
                            latencies.get(p)[counts.get(p).getAndIncrement()] = nanos;
                            if (status != 200) {
                                failures.incrementAndGet();
                                statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                }, "load-client-" + c);
                t.setDaemon(true);
                t.start();
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                System.err.println("DashboardLoad: a round took over 10 minutes; stopping");
                System.exit(1);
            }
            // Each client drew one index past the round's end before it stopped: those requests were not sent.
            next.set(end);
            long roundNanos = System.nanoTime() - started.get();
            wallNanos += roundNanos;
            memory.add(Memory.sample(pid));
            System.out.printf("round %d of %d: %d requests in %.1f s%n", round + 1, rounds, end, roundNanos / 1e9);
        }

        System.out.printf("%-52s %8s %9s %9s %9s %10s %10s%n", "endpoint", "requests", "p50 ms", "p99 ms", "max ms", "sent B", "decoded B");
        for (Map.Entry<String, long[]> e : latencies.entrySet()) {
            int n = counts.get(e.getKey()).get();
            long[] l = Arrays.copyOf(e.getValue(), n);
            Arrays.sort(l);
            long[] size = sizes.getOrDefault(e.getKey(), new long[] {-1, -1});
            System.out.printf("%-52s %8d %9.1f %9.1f %9.1f %10d %10d%n", e.getKey(), n, quantile(l, 0.50), quantile(l, 0.99), l[n - 1] / 1e6,
                    size[0], size[1]);
        }
        System.out.printf("throughput: %.0f requests/s; answers other than 200: %d %s%n", requests / (wallNanos / 1e9), failures.get(), statuses);
        System.out.printf("%-14s %16s %16s %14s%n", "server memory", "heap after GC MB", "native (NMT) MB", "resident MB");
        for (int i = 0; i < memory.size(); i++) {
            Memory m = memory.get(i);
            System.out.printf("%-14s %16.1f %16s %14.1f%n", i == 0 ? "before" : "after round " + i, m.heapMb,
                    m.nativeMb < 0 ? "n/a" : String.format("%.1f", m.nativeMb), m.residentMb);
        }
        System.exit(failures.get() == 0 ? 0 : 1);
    }

    /** The wanted paths, filled in, that answer 200 now. */
    private static List<String> endpoints(HttpClient http, URI base, List<String> wanted) throws Exception {
        String result = first(http, base, "/api/results", "\"(?:result_id|resultId|id)\"\\s*:\\s*\"?([A-Za-z0-9_.-]+)");
        List<String> paths = new ArrayList<>();
        for (String w : wanted) {
            if (w.contains("{result}") && result == null) {
                System.out.println("load: left out " + w + " (nothing in the lab to fill it)");
                continue;
            }
            String p = w.replace("{result}", result == null ? "" : result);
            int status = send(http, base, p).status();
            if (status == 200) {
                paths.add(p);
            } else {
                System.out.println("load: left out " + p + " (answers " + status + ")");
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalStateException("no endpoint answers 200 at " + base);
        }
        return paths;
    }

    private static String first(HttpClient http, URI base, String path, String pattern) {
        Answer a = send(http, base, path);
        if (a.status() != 200) {
            return null;
        }
        Matcher m = Pattern.compile(pattern).matcher(new String(a.body(), StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    /** One answer: its status, its body decoded, and how many bytes were sent for it (status -1: no answer). */
    record Answer(int status, byte[] body, long sentBytes) {
        long bodyBytes() {
            return body.length;
        }
    }

    /** One GET as a browser sends it (accepting gzip); the whole body is read and, when gzipped, inflated. */
    private static Answer send(HttpClient http, URI base, String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).header("Accept-Encoding", "gzip")
                    .timeout(Duration.ofSeconds(60)).build();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = r.body();
            if (r.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip")) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            return new Answer(r.statusCode(), body, r.body().length);
        } catch (IOException e) {
            return new Answer(-1, new byte[0], 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, new byte[0], 0);
        }
    }

    private static double quantile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** The server's memory at one moment, in MB. */
    record Memory(double heapMb, double nativeMb, double residentMb) {
        static Memory sample(long pid) throws Exception {
            jcmd(pid, "GC.run");
            double heap = -1;
            // G1: " garbage-first heap   total 262144K, used 12345K [..."
            Matcher h = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
            if (h.find()) {
                heap = Long.parseLong(h.group(1)) / 1024.0;
            }
            double nat = -1;
            Matcher n = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB").matcher(jcmd(pid, "VM.native_memory", "summary"));
            if (n.find()) {
                nat = Long.parseLong(n.group(2)) / 1024.0;
            }
            double rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            return new Memory(heap, nat, rss);
        }

        private static String jcmd(long pid, String... command) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        }
    }
}
