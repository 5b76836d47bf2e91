package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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

    private static int cli(String... args) {
        StringWriter out = new StringWriter();
        return Main.execute(args, new PrintWriter(out), new PrintWriter(new StringWriter()));
    }

    @Test
    void aRepeatedReadIsAnsweredFromTheCacheUntilTheLabChanges() throws Exception {
        Path lab = dir.resolve("lab");
        Path data = PythonReference.root().resolve("data/chinchilla_hoffmann2022_fig4.csv");
        assertEquals(0, cli("fit", "power", "--data", data.toString(), "--x-col", "compute", "--bootstrap", "20", "--lab", lab.toString()));
        try (Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0))) {
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
}
