package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;

/** The nines planner's endpoint answers what {@code scalelab reliability --json} prints for the same inputs. */
class TestTimeRoutesTest {
    @TempDir
    static Path lab;

    static Dashboard dashboard;

    @BeforeAll
    static void start() {
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
    }

    @AfterAll
    static void stop() {
        dashboard.close();
    }

    static HttpResponse<String> get(String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/testtime/reliability?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String q(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** What {@code scalelab reliability ARGS --json} prints, without saving it. */
    static JsonNode cli(Path dir, String... args) throws Exception {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--json";
        full[args.length + 1] = "--no-store";
        full[args.length + 2] = "--lab";
        full[args.length + 3] = dir.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(full, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        return Json.mapper().readTree(out.toString());
    }

    /** The record without its creation time, the one field two runs of the same analysis differ in. */
    static JsonNode withoutTime(JsonNode result) {
        JsonNode copy = result.deepCopy();
        ((ObjectNode) copy.path("provenance")).remove("created_at");
        return copy;
    }

    @Test
    void successTableIsTheCommandLinesRecord(@TempDir Path cliLab) throws Exception {
        HttpResponse<String> r = get(q("p", "0.99,0.999,0.9999") + "&" + q("steps", "10,100,1000") + "&rho=0.05");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = Json.mapper().readTree(r.body());
        assertEquals("reliability.table", answer.path("analysis").asText());
        JsonNode expected = cli(cliLab, "reliability", "--p", "0.99,0.999,0.9999", "--steps", "10,100,1000", "--rho", "0.05");
        assertEquals(withoutTime(expected), withoutTime(answer.path("result")));
        assertEquals(9, answer.path("result").path("rows").size());
    }

    @Test
    void requirementIsTheCommandLinesRecord(@TempDir Path cliLab) throws Exception {
        HttpResponse<String> r = get(q("target", "0.9,0.99") + "&" + q("steps", "10,1000"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = Json.mapper().readTree(r.body());
        assertEquals("reliability.requirement", answer.path("analysis").asText());
        JsonNode expected = cli(cliLab, "reliability", "--target", "0.9,0.99", "--steps", "10,1000");
        assertEquals(withoutTime(expected), withoutTime(answer.path("result")));
    }

    @Test
    void badInputIsRefusedWithAMessageNamingTheFieldAndValue() throws Exception {
        assertRefused(q("p", "0.99,abc") + "&steps=10", "p: 'abc' is not a number");
        assertRefused(q("p", "0.99") + "&steps=2.5", "steps: 2.5 is not a whole number");
        assertRefused(q("p", "0.99") + "&steps=0", "steps: 0.0 is not a whole number");
        assertRefused(q("p", "0.99"), "steps: give the numbers of steps");
        assertRefused("steps=10", "p: give per-step accuracies");
        assertRefused(q("p", "0.99") + "&target=0.9&steps=10", "not both");
        assertRefused(q("p", "0.99") + "&steps=10&rho=NaN", "rho: NaN is not finite");
        assertRefused(q("p", "1.5") + "&steps=10", "1.5");
        assertRefused(q("target", "1") + "&steps=10", "target success 1.0 must be strictly between 0 and 1");
        assertRefused(q("p", "0.9,".repeat(200) + "0.9") + "&steps=10", "p: 201 values; at most 100");
    }

    static void assertRefused(String query, String message) throws Exception {
        HttpResponse<String> r = get(query);
        assertEquals(400, r.statusCode(), query + " → " + r.body());
        JsonNode body = Json.mapper().readTree(r.body());
        assertEquals(400, body.path("status").asInt());
        assertTrue(body.path("message").asText().contains(message), query + " → " + body.path("message").asText());
    }
}
