package org.scalelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scalelab serve} as a user runs it: in its own process, printing its address, stopped by a signal. */
class ServeCommandTest {
    private static final Pattern URL = Pattern.compile(" at (http://\\S+)");

    @TempDir
    Path lab;

    @Test
    void servesHealthWithinSecondsAndStopsCleanlyOnSigterm() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path err = Files.createTempFile(lab.getParent(), "serve", ".err");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Djava.awt.headless=true", "-cp", cp, Main.class.getName(), "serve", "--lab", lab.toString(), "--port", "0")
                .redirectError(err.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "serve printed nothing: " + Files.readString(err));
            Matcher m = URL.matcher(line);
            assertTrue(m.find(), line);
            String url = m.group(1);
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "api/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
            double cpu = p.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
            System.out.printf("serve: process start to /api/health answered in %.2f s, %.2f s of CPU%n", seconds, cpu);
            // Started from the test class path, without the launcher's class-data archive, on a machine that
            // may be running other builds, so the wall time (recorded above) measures the machine's load as
            // much as the server. The CPU time the server spent starting is what load disturbs least: a wide
            // margin over the ~2 s of CPU it takes (docs/dashboard.md, "Load and start time").
            assertTrue(cpu < 8, "CPU time to answering health: " + cpu + " s");
            assertTrue(seconds < 60, "start to answering health: " + seconds + " s");

            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
            // The JVM's answer to SIGTERM after its shutdown hooks ran: 128 + 15.
            assertEquals(143, p.exitValue());
            String errors = Files.readString(err);
            assertFalse(errors.contains("Exception") || errors.contains("\tat "), errors);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(err);
        }
    }

    @Test
    void aNonLoopbackHostWithoutATokenExitsWith2AndOffersOne() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"serve", "--lab", lab.toString(), "--host", "0.0.0.0", "--port", "0"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).matches("scalelab: error: host 0\\.0\\.0\\.0 is reachable from other machines: pass --token .*--token [0-9a-f]{32}"),
                lines.get(0));
        assertEquals("", out.toString());
    }

    @Test
    void aShortTokenExitsWith2() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"serve", "--lab", lab.toString(), "--host", "0.0.0.0", "--port", "0", "--token", "abc"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("scalelab: error: token: give at least 16 characters"), err.toString());
    }
}
