package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;
import org.scalelab.store.ImportOptions;
import org.scalelab.store.LabStore;

/**
 * {@code /api/runs}, {@code /api/runs/training} and the SQL box over HTTP: pages agree with the same
 * query written in SQL, and the SQL box refuses to read or write any file, to change the store, to run a
 * second statement or to run past its time limit — each with a one-line JSON 400, and nothing written.
 */
class RunsApiTest {
    @TempDir
    static Path dir;
    static Path lab;
    static Dashboard dashboard;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        lab = dir.resolve("lab");
        StringBuilder csv = new StringBuilder("model,family,params,tokens,loss\n");
        for (int i = 0; i < 40; i++) {
            String f = i % 2 == 0 ? "even" : "odd";
            csv.append(f).append("-").append(i).append(',').append(f).append(',').append(1e7 * (i + 1)).append(',').append(1e9 * (40 - i))
                    .append(',').append(2.0 + (i % 5) * 0.1).append('\n');
        }
        Path file = dir.resolve("runs.csv");
        Files.writeString(file, csv);
        try (LabStore store = LabStore.open(lab)) {
            store.importRuns(file, ImportOptions.defaults());
            store.putTrainingRun(new LabStore.TrainingRun("sweep/w16", "sweep", "{}", "finished", 1234, 40, 1.5));
            store.putTrainingRun(new LabStore.TrainingRun("other/w16", "other", "{}", "running", 999, 10, 0.5));
        }
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
    }

    @AfterAll
    static void stop() {
        dashboard.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> sql(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/sql")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> sqlText(String sql) throws Exception {
        return sql(Json.write(Map.of("sql", sql, "maxRows", 100)));
    }

    /** The run ids a reading query answers, straight from the store. */
    static List<Long> idsBySql(String query) {
        try (LabStore store = LabStore.openReadOnly(lab, LabStore.Wait.none())) {
            List<Long> ids = new ArrayList<>();
            store.sql(query).rows().forEach(r -> ids.add(((Number) r.get(0)).longValue()));
            return ids;
        }
    }

    static List<Long> ids(JsonNode page) {
        int col = -1;
        for (int i = 0; i < page.path("columns").size(); i++) {
            if (page.path("columns").get(i).asText().equals("run_id")) {
                col = i;
            }
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode row : page.path("rows")) {
            ids.add(row.get(col).asLong());
        }
        return ids;
    }

    @Test
    void pagesFilterSortAndCountAsTheSameQueryInSql() throws Exception {
        HttpResponse<String> r = get("api/runs?family=odd&sort=loss&desc=true&offset=3&limit=5");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode page = Json.mapper().readTree(r.body());
        assertEquals(20, page.path("total").asLong());
        assertEquals(idsBySql("SELECT run_id FROM points WHERE family = 'odd' ORDER BY loss DESC, run_id LIMIT 5 OFFSET 3"), ids(page));
        assertEquals("[\"even\",\"odd\"]", page.path("families").toString());

        JsonNode text = Json.mapper().readTree(get("api/runs?q=" + URLEncoder.encode("EN-1", StandardCharsets.UTF_8)).body());
        assertEquals(idsBySql("SELECT run_id FROM points WHERE model ILIKE '%en-1%' ORDER BY run_id"), ids(text));
        assertEquals(ids(text).size(), text.path("total").asInt());

        JsonNode model = Json.mapper().readTree(get("api/runs?model=odd-7").body());
        assertEquals(1, model.path("total").asInt());
    }

    @Test
    void badParametersAreOneLineJson400s() throws Exception {
        for (String[] c : new String[][] {
                {"api/runs?sort=nope", "sort: 'nope' is not a column of the runs table"},
                {"api/runs?limit=0", "limit: 0 must be between 1 and 1000"},
                {"api/runs?limit=99999999999", "limit: 2147483647 must be between 1 and 1000"},
                {"api/runs?offset=-3", "offset: -3 must be >= 0"},
                {"api/runs?offset=x", "offset: 'x' is not a whole number"},
                {"api/runs?desc=maybe", "desc: 'maybe' must be true or false"}}) {
            HttpResponse<String> r = get(c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            JsonNode e = Json.mapper().readTree(r.body());
            assertEquals(400, e.path("status").asInt());
            assertTrue(e.path("message").asText().startsWith(c[1]), c[0] + ": " + r.body());
        }
    }

    @Test
    void trainingRunsOfAnExperiment() throws Exception {
        JsonNode all = Json.mapper().readTree(get("api/runs/training").body());
        assertEquals(2, all.size());
        JsonNode one = Json.mapper().readTree(get("api/runs/training?experiment=sweep").body());
        assertEquals(1, one.size());
        assertEquals("sweep/w16", one.get(0).path("run").asText());
        assertEquals(1234, one.get(0).path("parameters").asLong());
        assertEquals(0, Json.mapper().readTree(get("api/runs/training?experiment=none").body()).size());
    }

    @Test
    void sqlBoxAnswersAReadingQueryAndKeepsMaxRows() throws Exception {
        HttpResponse<String> r = sql("{\"sql\": \"SELECT family, count(*) AS n FROM points GROUP BY family ORDER BY family\", \"maxRows\": 1}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode q = Json.mapper().readTree(r.body());
        assertEquals("[\"family\",\"n\"]", q.path("columns").toString());
        assertEquals("[[\"even\",20]]", q.path("rows").toString());
        assertTrue(q.path("truncated").asBoolean());
        HttpResponse<String> bad = sql("{\"sql\": \"SELECT 1\", \"maxRows\": -1}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("maxRows: -1 must be a whole number from 0 to 10000"), bad.body());
        assertEquals(400, sql("not json").statusCode());
        assertEquals(400, sql("{\"maxRows\": 5}").statusCode());
    }

    @Test
    void sqlBoxReadsNoOtherFileWritesNothingAndStopsAtItsTimeLimit() throws Exception {
        Path db = lab.resolve(LabStore.FILE_NAME);
        byte[] before = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(db));
        long modified = Files.getLastModifiedTime(db).toMillis();
        List<Path> filesBefore = files(lab);
        Path outside = dir.resolve("copied.csv");
        Path attached = dir.resolve("other.duckdb");
        String[][] refused = {
                {"SELECT * FROM read_csv('/etc/passwd')", "failed"},
                {"SELECT * FROM read_text('/etc/passwd')", "failed"},
                {"SELECT * FROM glob('/etc/*')", "failed"},
                {"COPY runs TO '" + outside + "'", "only reading statements are allowed"},
                {"COPY (SELECT * FROM runs) TO '" + lab.resolve("inside.csv") + "'", "only reading statements are allowed"},
                {"ATTACH '" + attached + "' AS other", "only reading statements are allowed"},
                {"INSERT INTO runs SELECT * FROM runs", "only reading statements are allowed"},
                {"CREATE TABLE x AS SELECT 1", "only reading statements are allowed"},
                {"DELETE FROM runs", "only reading statements are allowed"},
                {"WITH t AS (SELECT 1) INSERT INTO imports SELECT * FROM imports", "only reading statements are allowed"},
                {"INSTALL httpfs", "only reading statements are allowed"},
                {"SELECT 1; DROP TABLE runs", "only reading statements are allowed"},
                {"SELECT 1; SELECT * FROM read_csv('/etc/passwd')", "only one SQL statement is allowed"},
                {"SELECT 1;\nSELECT 2", "only one SQL statement is allowed"},
                {"SELECT count(*) FROM range(1000000) a, range(1000000) b, range(1000) c WHERE a.range + b.range + c.range = -1",
                    "stopped after 10 s, its time limit"}};
        for (String[] c : refused) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = sqlText(c[0]);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            assertFalse(r.body().contains("\n"), "one line: " + r.body());
            JsonNode e = Json.mapper().readTree(r.body());
            assertEquals(400, e.path("status").asInt());
            assertTrue(e.path("message").asText().contains(c[1]), c[0] + ": " + r.body());
            assertFalse(e.path("message").asText().contains("root:"), "no line of /etc/passwd: " + r.body());
            if (c[1].startsWith("stopped")) {
                assertTrue(seconds < 30, "stopped near its 10 s limit, took " + seconds + " s");
            }
        }
        assertArrayEquals(before, MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(db)), "the store is unchanged");
        assertEquals(modified, Files.getLastModifiedTime(db).toMillis());
        assertEquals(filesBefore, files(lab), "no file appeared in the lab");
        assertFalse(Files.exists(outside));
        assertFalse(Files.exists(attached));
        JsonNode after = Json.mapper().readTree(sqlText("SELECT count(*) FROM runs").body());
        assertEquals(40, after.path("rows").get(0).get(0).asInt(), "every run is still there");
    }

    static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.sorted().toList();
        }
    }
}
