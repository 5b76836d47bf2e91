package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;

/**
 * Saved results through the API: a result of every analysis with a registered view (the test lab's, plus
 * evaluations, interpretability runs, the other curve laws and a world report made here by the real
 * commands) renders as a view without failing; a view's charts carry the record's own numbers; plots download
 * as the report's SVG and PNG and as data; missing and malformed ids are answered 404 and 400.
 */
class ResultsApiTest {
    @TempDir
    static Path dir;

    static Path lab;
    static Dashboard dashboard;

    @BeforeAll
    static void start() throws Exception {
        lab = LabFixture.copy(dir.resolve("lab"));
        Path model = dir.resolve("tiny");
        cli("model", "init", "--family", "gpt2", "--d-model", "32", "--layers", "2", "--heads", "4", "--vocab", "257",
                "--max-positions", "128", "--seed", "5", "--out", model.toString());
        StringBuilder task = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            task.append(Json.write(Map.of("id", "q" + i, "context", "Question " + i + ": which colour?\nAnswer:",
                    "choices", List.of("red", "green " + i, "blue"), "gold", i % 3))).append('\n');
        }
        Path colours = Files.writeString(dir.resolve("colours.jsonl"), task.toString());
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        cli("eval", "--model", model.toString(), "--task", colours.toString(), "--name", "a", "--examples-out", a.toString(),
                "--lab", lab.toString());
        cli("eval", "--model", model.toString(), "--task", colours.toString(), "--name", "b", "--examples-out",
                b.toString(), "--lab", lab.toString());
        cli("eval", "compare", a.toString(), b.toString(), "--lab", lab.toString());
        cli("lens", "--model", model.toString(), "--prompt", "Hello wor", "--target", "l", "--vs", "x", "--lab", lab.toString());
        Path pairs = Files.writeString(dir.resolve("pairs.jsonl"),
                "{\"id\":\"a\",\"clean\":\"the cat sat\",\"corrupted\":\"the dat sat\",\"answer\":\"c\",\"wrong\":\"d\"}\n");
        cli("patch", "--model", model.toString(), "--pairs", pairs.toString(), "--by", "layer-position", "--lab", lab.toString());
        cli("patch", "--model", model.toString(), "--pairs", pairs.toString(), "--ablate", "zero", "--lab", lab.toString());
        String chinchilla = Path.of("..", "data", "chinchilla_hoffmann2022_fig4.csv").toString();
        cli("fit", "bnsl", "--data", chinchilla, "--x", "compute", "--breaks", "1", "--bootstrap", "10", "--lab", lab.toString());
        StringBuilder decay = new StringBuilder("step,loss\n");
        StringBuilder rise = new StringBuilder("compute,accuracy\n");
        for (int i = 0; i < 24; i++) {
            double x = 100 + i * 4000;
            decay.append(x).append(',').append(2 + 3 * Math.exp(-x / 2e4) + 0.01 * Math.sin(i)).append('\n');
            double c = Math.pow(10, 18 + i * 0.25);
            rise.append(c).append(',').append(0.25 + 0.75 / (1 + Math.exp(-3 * (Math.log10(c) - 21))) + 0.005 * Math.cos(i)).append('\n');
        }
        cli("fit", "exp", "--data", Files.writeString(dir.resolve("decay.csv"), decay).toString(), "--x-col", "step", "--bootstrap", "10",
                "--lab", lab.toString());
        cli("fit", "sigmoid", "--data", Files.writeString(dir.resolve("rise.csv"), rise).toString(), "--x", "compute", "--y-col", "accuracy",
                "--floor", "0.25", "--ceiling", "1", "--bootstrap", "10", "--lab", lab.toString());
        cli("world", "report", "--lab", lab.toString(), "--experiment", LabFixture.EXPERIMENT);
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    static void cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body()));
        return Json.mapper().readTree(r.body());
    }

    /** The newest saved result of {@code analysis}. */
    static JsonNode newest(String analysis) throws Exception {
        for (JsonNode r : json("/api/results?analysis=" + analysis)) {
            if (r.get("analysis").asText().equals(analysis)) {
                return r;
            }
        }
        throw new AssertionError("no " + analysis + " result in the test lab");
    }

    static JsonNode chart(JsonNode view, String name) {
        for (JsonNode b : view.get("blocks")) {
            if (b.get("type").asText().equals("chart") && b.get("name").asText().equals(name)) {
                return b;
            }
        }
        throw new AssertionError("no chart " + name + " in " + view);
    }

    @Test
    void aResultOfEveryRegisteredAnalysisRendersAsItsReport() throws Exception {
        JsonNode list = json("/api/results");
        Map<String, JsonNode> views = new LinkedHashMap<>();
        long previous = Long.MAX_VALUE;
        for (JsonNode r : list) {
            long id = r.get("result_id").asLong();
            assertTrue(id < previous, "newest first");
            previous = id;
            views.putIfAbsent(r.get("analysis").asText(), json("/api/results/" + id + "/view"));
        }
        Set<String> missing = new TreeSet<>(ResultViews.analyses());
        missing.removeAll(views.keySet());
        assertEquals(Set.of(), missing, "analyses with a view but no result in the test lab");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : views.entrySet()) {
            JsonNode blocks = e.getValue().get("blocks");
            assertEquals(e.getKey(), e.getValue().get("analysis").asText());
            JsonNode last = blocks.get(blocks.size() - 1);
            assertEquals("code", last.get("type").asText(), e.getKey() + ": the record closes the view");
            int shown = 0;
            for (int i = 0; i < blocks.size() - 1; i++) {
                JsonNode b = blocks.get(i);
                String type = b.get("type").asText();
                String text = b.path("text").asText();
                if (type.equals("text") && (text.startsWith("The rest of this report is not shown") || text.startsWith("Not shown as a report"))) {
                    problems.add(e.getKey() + ": " + text);
                }
                if (!type.equals("heading") && !(type.equals("text") && text.startsWith("Not shown"))) {
                    shown++;
                }
                if (type.equals("chart")) {
                    assertTrue(b.get("spec").get("series").size() > 0, e.getKey() + " chart " + b.get("name"));
                }
            }
            if (shown == 0) {
                problems.add(e.getKey() + ": nothing of the report shown");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aPassAtKChartCarriesTheRecordsNumbers() throws Exception {
        JsonNode summary = newest("testtime.passk");
        long id = summary.get("result_id").asLong();
        JsonNode record = json("/api/results/" + id).get("result");
        JsonNode spec = chart(json("/api/results/" + id + "/view"), "passk").get("spec");
        assertTrue(spec.get("x").get("log").asBoolean(), "k on a log axis, as the report draws it");
        JsonNode curve = record.get("curve");
        for (JsonNode s : spec.get("series")) {
            String kind = s.get("kind").asText();
            JsonNode x = s.get("x");
            assertEquals(curve.size(), x.size(), s.get("name").asText());
            for (int i = 0; i < curve.size(); i++) {
                JsonNode p = curve.get(i);
                assertEquals(p.get("k").asDouble(), x.get(i).asDouble(), 0.0);
                assertEquals(p.get("pass_at_k").asDouble(), s.get("y").get(i).asDouble(), 1e-15);
                if (kind.equals("band")) {
                    double se = p.get("standard_error").asDouble();
                    double mean = p.get("pass_at_k").asDouble();
                    assertEquals(Math.max(0, mean - 1.96 * se), s.get("lo").get(i).asDouble(), 1e-12);
                    assertEquals(Math.min(1, mean + 1.96 * se), s.get("hi").get(i).asDouble(), 1e-12);
                }
            }
        }
    }

    @Test
    void aReliabilityTableChartDrawsTheRecordsGridAndAForecastItsBudgets() throws Exception {
        long id = newest("reliability.table").get("result_id").asLong();
        JsonNode record = json("/api/results/" + id).get("result");
        JsonNode spec = chart(json("/api/results/" + id + "/view"), "success").get("spec");
        Set<String> ps = new TreeSet<>();
        record.get("rows").forEach(r -> ps.add("p = " + r.get("p").asDouble()));
        Set<String> names = new TreeSet<>();
        spec.get("series").forEach(s -> names.add(s.get("name").asText()));
        assertTrue(names.containsAll(ps), names + " holds a curve for every p of " + ps);
        // where a curve passes a step count of the table, it has the table's success
        for (JsonNode row : record.get("rows")) {
            for (JsonNode s : spec.get("series")) {
                if (!s.get("name").asText().equals("p = " + row.get("p").asDouble())) {
                    continue;
                }
                for (int i = 0; i < s.get("x").size(); i++) {
                    if (Math.round(s.get("x").get(i).asDouble()) == row.get("steps").asLong()) {
                        assertEquals(row.get("success").asDouble(), s.get("y").get(i).asDouble(), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void plotsDownloadAsTheReportsDrawingsAndAsData() throws Exception {
        long id = newest("testtime.passk").get("result_id").asLong();
        JsonNode spec = chart(json("/api/results/" + id + "/view"), "passk").get("spec");
        HttpResponse<byte[]> svg = get("/api/results/" + id + "/plots/passk.svg");
        assertEquals(200, svg.statusCode());
        assertTrue(svg.headers().firstValue("content-type").orElse("").startsWith("image/svg+xml"));
        String svgText = new String(svg.body());
        assertTrue(svgText.contains("<svg") && svgText.contains("pass@k vs k"), svgText.substring(0, 200));
        HttpResponse<byte[]> png = get("/api/results/" + id + "/plots/passk.png");
        assertEquals(200, png.statusCode());
        assertEquals('P', png.body()[1]);
        assertEquals('N', png.body()[2]);
        assertEquals(spec, json("/api/results/" + id + "/plots/passk.json"));
        String csv = new String(get("/api/results/" + id + "/plots/passk.csv").body());
        int points = 0;
        for (JsonNode s : spec.get("series")) {
            points += s.get("x").size();
        }
        List<String> lines = csv.lines().toList();
        assertEquals("series,kind,index,x,y,lo,hi,z", lines.get(0));
        assertEquals(points + 1, lines.size());
        assertTrue(lines.contains("mean pass@k,line,0," + Math.round(spec.get("series").get(1).get("x").get(0).asDouble()) + ","
                + spec.get("series").get(1).get("y").get(0).asDouble() + ",,,"), csv);
    }

    @Test
    void missingAndMalformedRequestsAreAnsweredAsJson() throws Exception {
        for (String path : List.of("/api/results/999999", "/api/results/999999/view", "/api/results/999999/plots/x.svg")) {
            HttpResponse<byte[]> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(Json.mapper().readTree(r.body()).get("message").asText().contains("no result 999999"), path);
        }
        long id = newest("testtime.passk").get("result_id").asLong();
        HttpResponse<byte[]> noPlot = get("/api/results/" + id + "/plots/nothing.svg");
        assertEquals(404, noPlot.statusCode());
        assertTrue(new String(noPlot.body()).contains("no plot 'nothing'"));
        for (String path : List.of("/api/results/abc", "/api/results/-3/view", "/api/results/" + id + "/plots/passk.exe")) {
            HttpResponse<byte[]> r = get(path);
            assertEquals(400, r.statusCode(), path);
            JsonNode body = Json.mapper().readTree(r.body());
            assertEquals(400, body.get("status").asInt());
            assertFalse(body.get("message").asText().isBlank());
        }
        for (JsonNode r : json("/api/results?analysis=phase.")) {
            assertTrue(r.get("analysis").asText().startsWith("phase."), r.toString());
        }
        assertEquals(0, json("/api/results?analysis=nothing.").size());
    }

    @Test
    void anUnknownAnalysisIsShownAsItsRecord() {
        org.scalelab.store.StoredResult odd = new org.scalelab.store.StoredResult(7, "someday.new", "2026-01-01", "0", null,
                Json.mapper().createArrayNode(), Json.mapper().createObjectNode(), Json.mapper().createObjectNode().put("answer", 42));
        ReportView v = ResultViews.view(odd);
        assertTrue(v.blocks().get(0) instanceof ReportView.Text t && t.text().contains("someday.new"));
        assertTrue(v.blocks().get(v.blocks().size() - 1) instanceof ReportView.Code c && c.text().contains("\"answer\" : 42"));
        // a record that does not read as its class is shown as saved, with the reason
        org.scalelab.store.StoredResult broken = new org.scalelab.store.StoredResult(8, "testtime.passk", "2026-01-01", "0", null,
                Json.mapper().createArrayNode(), Json.mapper().createObjectNode(), Json.mapper().createObjectNode().put("ks", "many"));
        ReportView w = ResultViews.view(broken);
        assertTrue(w.blocks().get(0) instanceof ReportView.Text t && t.text().startsWith("Not shown as a report"), w.blocks().toString());
    }
}
