package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No request parameter reaches a file outside the lab: through {@link LabPaths} (climbing out, absolute
 * paths, encoded dots, links that lead out) and through the server's own file routes (static files,
 * WebJars, a route that names a file in the lab).
 */
class LabPathsTest {
    @TempDir
    Path dir;

    Path lab;
    Path outside;

    @BeforeEach
    void layOut() throws Exception {
        lab = Files.createDirectories(dir.resolve("lab"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "SECRET");
        Files.createDirectories(lab.resolve("reports/one"));
        Files.writeString(lab.resolve("reports/one/index.html"), "<html>report</html>");
        Files.createSymbolicLink(lab.resolve("out-link"), outside);
        Files.createSymbolicLink(lab.resolve("secret-link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(lab.resolve("inner-link"), lab.resolve("reports"));
        Files.createSymbolicLink(lab.resolve("dangling"), dir.resolve("nothing-here"));
    }

    private void refused(String relative, String reason) {
        BadRequestResponse e = assertThrows(BadRequestResponse.class, () -> LabPaths.resolve(lab, relative, "file"), relative);
        assertEquals(400, e.getStatus());
        assertTrue(e.getMessage().startsWith("file"), "names the parameter: " + e.getMessage());
        assertTrue(e.getMessage().contains(reason), relative + ": " + e.getMessage());
    }

    @Test
    void pathsInsideTheLabResolveThere() {
        assertEquals(lab.resolve("reports/one/index.html").toAbsolutePath(), LabPaths.resolve(lab, "reports/one/index.html", "file"));
        assertEquals(lab.resolve("reports/x.txt").toAbsolutePath(), LabPaths.resolve(lab, "reports/one/../x.txt", "file"));
        assertEquals(lab.resolve("inner-link/one").toAbsolutePath(), LabPaths.resolve(lab, "inner-link/one", "file"),
                "a link that stays inside the lab is fine");
        assertEquals(lab.resolve("new/file.json").toAbsolutePath(), LabPaths.resolve(lab, "new/file.json", "file"),
                "a file still to be written");
        // Percent-encoding is the web's business: by the time a handler has a parameter it is decoded, so
        // an encoded name here is a literal folder name inside the lab.
        assertEquals(lab.resolve("%2e%2e/x").toAbsolutePath(), LabPaths.resolve(lab, "%2e%2e/x", "file"));
    }

    @Test
    void climbingOutIsRefused() {
        refused("..", "leads outside the lab");
        refused("../outside/secret.txt", "leads outside the lab");
        refused("reports/../../outside/secret.txt", "leads outside the lab");
        refused("reports/one/../../../outside", "leads outside the lab");
        refused("./../lab/../outside", "leads outside the lab");
    }

    @Test
    void absolutePathsAreRefused() {
        refused(outside.resolve("secret.txt").toString(), "not an absolute one");
        refused("/etc/passwd", "not an absolute one");
        refused(lab.resolve("reports").toAbsolutePath().toString(), "not an absolute one");
        refused("\\etc\\passwd", "not an absolute one");
    }

    @Test
    void blankAndMalformedPathsAreRefused() {
        refused("", "give a path inside the lab");
        refused("  ", "give a path inside the lab");
        refused(null, "give a path inside the lab");
        refused("reports\0/../../etc/passwd", "not a path");
    }

    @Test
    void linksThatLeadOutAreRefused() {
        refused("out-link", "a link that leads outside the lab");
        refused("out-link/secret.txt", "a link that leads outside the lab");
        refused("secret-link.txt", "a link that leads outside the lab");
        refused("out-link/not-yet-written.json", "a link that leads outside the lab");
        refused("out-link/new-folder/new.json", "a link that leads outside the lab");
        refused("dangling", "cannot be read");
    }

    @Test
    void aLabThatIsItselfALinkStillWorks() throws Exception {
        Path linkedLab = Files.createSymbolicLink(dir.resolve("lab-link"), lab);
        assertEquals(linkedLab.resolve("reports/one/index.html").toAbsolutePath(),
                LabPaths.resolve(linkedLab, "reports/one/index.html", "file"));
        assertThrows(BadRequestResponse.class, () -> LabPaths.resolve(linkedLab, "out-link/secret.txt", "file"));
    }

    /** A route that names a file in the lab, the way a report or download route would. */
    static final class FileRoute implements DashboardRoutes {
        @Override
        public void add(RoutesConfig routes, DashboardContext context) {
            routes.get("/api/test/file", ctx -> {
                Path file = LabPaths.resolve(context.lab().lab(), ctx.queryParam("path"), "path");
                ctx.json(Map.of("text", Files.readString(file)));
            });
            routes.get("/api/test/files/<path>", ctx -> {
                Path file = LabPaths.resolve(context.lab().lab(), ctx.pathParam("path"), "path");
                ctx.json(Map.of("text", Files.readString(file)));
            });
        }
    }

    /** The raw answer to GET {@code target}, sent byte for byte (no client normalises the dots away). */
    private static String rawGet(int port, String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void noRouteReadsAFileOutsideTheLab() throws Exception {
        try (Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0), Guard.Limits.DEFAULT, List.of(new FileRoute()))) {
            int port = d.port();
            String inside = rawGet(port, "/api/test/file?path=reports/one/index.html");
            assertTrue(inside.startsWith("HTTP/1.1 200") && inside.contains("report"), inside);
            List<String> attacks = List.of(
                    "/api/test/file?path=../outside/secret.txt",
                    "/api/test/file?path=%2e%2e/outside/secret.txt",
                    "/api/test/file?path=%2E%2E%2Foutside%2Fsecret.txt",
                    "/api/test/file?path=" + outside.resolve("secret.txt"),
                    "/api/test/file?path=%2F" + outside.resolve("secret.txt").toString().substring(1).replace("/", "%2F"),
                    "/api/test/file?path=out-link/secret.txt",
                    "/api/test/file?path=secret-link.txt",
                    "/api/test/files/..%2Foutside%2Fsecret.txt",
                    "/api/test/files/%2e%2e/outside/secret.txt",
                    "/api/test/files/../outside/secret.txt",
                    "/api/test/files/out-link/secret.txt",
                    "/static/../../outside/secret.txt",
                    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
                    "/static/%252e%252e/%252e%252e/etc/passwd",
                    "/webjars/../../../../../../../../etc/passwd",
                    "/webjars/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "/static//etc/passwd");
            for (String attack : attacks) {
                String answer = rawGet(port, attack);
                int status = Integer.parseInt(answer.substring(9, 12));
                assertTrue(status == 400 || status == 404, attack + " → " + answer);
                assertFalse(answer.contains("SECRET") || answer.contains("root:"), attack + " → " + answer);
                assertTrue(answer.contains("Content-Type: application/json") && answer.contains("{\"status\":" + status + ",\"message\":"),
                        "a JSON error: " + attack + " → " + answer);
            }
            // A page's address takes no file: whatever follows /results/ is an id its script asks the API about.
            String page = rawGet(port, "/results/..%2f..%2f..%2fetc%2fpasswd");
            assertFalse(page.contains("root:"), page);
        }
    }
}
