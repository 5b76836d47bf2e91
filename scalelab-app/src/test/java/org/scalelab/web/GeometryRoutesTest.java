package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;

/** The geometry page's view: the saved result with PCA projections of its activation sets, read again only when unchanged. */
class GeometryRoutesTest {
    static Dashboard dashboard;
    static long geometryId;
    static long otherId;

    @BeforeAll
    static void start() {
        dashboard = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0));
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), new LabStore.Wait(Duration.ofSeconds(5), m -> { }))) {
            List<ResultSummary> all = store.listResults();
            geometryId = all.stream().filter(r -> r.analysis().equals("geometry")).findFirst().orElseThrow().resultId();
            otherId = all.stream().filter(r -> r.analysis().equals("phase.scores")).findFirst().orElseThrow().resultId();
        }
    }

    @AfterAll
    static void stop() {
        dashboard.close();
    }

    static HttpResponse<String> get(Dashboard d, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(d.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> charts(JsonNode view) {
        List<String> names = new ArrayList<>();
        view.path("blocks").forEach(b -> {
            if (b.path("type").asText().equals("chart")) {
                names.add(b.path("name").asText());
            }
        });
        return names;
    }

    @Test
    void viewOfActivationSetsInTheLabDrawsAPcaProjectionPerModelOneSeriesPerDomain() throws Exception {
        HttpResponse<String> r = get(dashboard, "api/geometry/" + geometryId + "/view");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode view = Json.mapper().readTree(r.body());
        List<String> charts = charts(view);
        assertTrue(charts.containsAll(List.of("pca-0", "pca-1", "scree", "phase-diagram")), charts.toString());
        JsonNode saved = Json.mapper().readTree(get(dashboard, "api/results/" + geometryId).body());
        long domains = new java.util.TreeSet<>(saved.findValuesAsText("domain")).size();
        for (JsonNode b : view.path("blocks")) {
            if (b.path("name").asText().startsWith("pca-")) {
                assertEquals(domains, b.path("spec").path("series").size(), "one series per domain in " + b.path("name").asText());
                for (JsonNode s : b.path("spec").path("series")) {
                    assertTrue(s.path("x").size() > 0 && s.path("x").size() == s.path("y").size(), s.path("name").asText());
                }
            }
        }
        // Everything else is the saved result's own view.
        List<String> plain = charts(Json.mapper().readTree(get(dashboard, "api/results/" + geometryId + "/view").body()));
        assertTrue(charts.containsAll(plain), plain + " within " + charts);
    }

    @Test
    void activationSetsOutsideTheLabAreNotReadAndTheViewSaysWhy(@TempDir Path dir) throws Exception {
        // A copy of the lab records the original lab's activation sets: outside the copy, so not read.
        Path copy = LabFixture.copy(dir.resolve("lab"));
        try (Dashboard d = Dashboard.start(DashboardOptions.local(copy, 0))) {
            JsonNode view = Json.mapper().readTree(get(d, "api/geometry/" + geometryId + "/view").body());
            assertTrue(view.path("blocks").get(0).path("text").asText().contains("outside the lab"), view.path("blocks").get(0).toString());
            assertTrue(charts(view).stream().noneMatch(c -> c.startsWith("pca-")), charts(view).toString());
        }
    }

    @Test
    void aChangedActivationSetIsNotReadAgain() throws Exception {
        JsonNode saved = Json.mapper().readTree(get(dashboard, "api/results/" + geometryId).body());
        GeometryAnalysis.Result r = Json.mapper().treeToValue(saved.path("result"), GeometryAnalysis.Result.class);
        assertEquals(LabFixture.WIDTHS.size(), GeometryRoutes.groups(LabFixture.lab(), r).stream()
                .map(ActivationGroups.Input::model).distinct().count(), "the recorded sets are read again");
        List<Provenance.Input> altered = r.provenance().inputs().stream()
                .map(i -> new Provenance.Input(i.source(), "0".repeat(64), i.rows())).toList();
        Provenance p = r.provenance();
        GeometryAnalysis.Result changed = new GeometryAnalysis.Result(r.groups(), r.comparisons(),
                new Provenance(p.analysis(), altered, p.options(), p.seed(), p.version(), p.createdAt()));
        ScaleLabException e = assertThrows(ScaleLabException.class, () -> GeometryRoutes.groups(LabFixture.lab(), changed));
        assertTrue(e.getMessage().contains("changed since the analysis"), e.getMessage());
    }

    @Test
    void otherResultsAndMissingOnesAreRefused() throws Exception {
        HttpResponse<String> wrong = get(dashboard, "api/geometry/" + otherId + "/view");
        assertEquals(400, wrong.statusCode());
        assertTrue(wrong.body().contains("phase.scores result, not a geometry result"), wrong.body());
        HttpResponse<String> missing = get(dashboard, "api/geometry/999999/view");
        assertEquals(404, missing.statusCode(), missing.body());
        assertEquals(400, get(dashboard, "api/geometry/abc/view").statusCode());
    }

    @Test
    void stepUnitResultsAreRegroupedAsStepsAndNeverMixedWithTokensOfTheSameGroups(@TempDir Path dir) throws Exception {
        // The same world sets (inside a copy of the lab), analysed once per unit: tokens, steps pooled by mean, by last token.
        Path copy = LabFixture.copy(dir.resolve("lab"));
        JsonNode saved = Json.mapper().readTree(get(dashboard, "api/results/" + geometryId).body());
        GeometryAnalysis.Result original = Json.mapper().treeToValue(saved.path("result"), GeometryAnalysis.Result.class);
        Path root = LabFixture.lab().toAbsolutePath().normalize();
        List<String> acts = new ArrayList<>();
        for (Provenance.Input in : original.provenance().inputs()) {
            if (in.source().endsWith("manifest.json")) {
                acts.add("--acts");
                acts.add(copy.resolve(root.relativize(Path.of(in.source()).toAbsolutePath().normalize().getParent()).toString()).toString());
            }
        }
        assertTrue(acts.size() >= 4, acts.toString());
        long token = analyse(copy, acts, "--unit", "token");
        long mean = analyse(copy, acts, "--unit", "step", "--pool", "mean");
        long last = analyse(copy, acts, "--unit", "step", "--pool", "last");

        try (Dashboard d = Dashboard.start(DashboardOptions.local(copy, 0))) {
            java.util.Map<String, Integer> tokenPoints = null;
            for (long id : List.of(token, mean, last)) {
                String unit = id == token ? "token" : id == mean ? "step (mean)" : "step (last)";
                GeometryAnalysis.Result r = Json.mapper().treeToValue(
                        Json.mapper().readTree(get(d, "api/results/" + id).body()).path("result"), GeometryAnalysis.Result.class);
                assertTrue(r.groups().stream().allMatch(g -> unit.equals(g.unit())), id + ": " + unit);
                // Regrouped from the sets again: one group per model and domain, each with exactly the points its saved group counted.
                java.util.Map<String, Integer> recorded = new java.util.TreeMap<>();
                r.groups().forEach(g -> recorded.put(g.model() + " · " + g.domain(), g.nPoints()));
                java.util.Map<String, Integer> regrouped = new java.util.TreeMap<>();
                for (ActivationGroups.Input in : GeometryRoutes.groups(copy, r)) {
                    assertEquals(null, regrouped.put(in.model() + " · " + in.domain(), in.points().size()), "one group per model and domain");
                }
                assertEquals(recorded, regrouped, unit);
                if (id == token) {
                    tokenPoints = regrouped;
                } else {
                    for (var e : regrouped.entrySet()) {
                        assertTrue(e.getValue() < tokenPoints.get(e.getKey()), unit + " has fewer points than tokens in " + e.getKey());
                    }
                }
                // Served: every heading names the result's unit and no other, and the projections draw its points.
                HttpResponse<String> response = get(d, "api/geometry/" + id + "/view");
                assertEquals(200, response.statusCode(), response.body());
                JsonNode view = Json.mapper().readTree(response.body());
                List<String> headings = new ArrayList<>();
                view.path("blocks").forEach(b -> {
                    if (b.path("type").asText().equals("heading") && b.path("text").asText().contains("unit:")) {
                        headings.add(b.path("text").asText());
                    }
                });
                assertTrue(headings.size() >= 3, headings.toString());
                for (String h : headings) {
                    assertTrue(h.endsWith("unit: " + unit), h);
                }
                int drawn = 0;
                for (JsonNode b : view.path("blocks")) {
                    if (b.path("name").asText().startsWith("pca-")) {
                        for (JsonNode s : b.path("spec").path("series")) {
                            drawn += s.path("x").size();
                        }
                    }
                }
                int points = regrouped.values().stream().mapToInt(Integer::intValue).sum();
                assertEquals(points, drawn, unit + ": the projections draw the regrouped points (fewer than the renderer's cap)");
            }
        }
    }

    /** Runs {@code scalelab geometry} on the sets in {@code lab} and returns the id of the result it saved. */
    private static long analyse(Path lab, List<String> acts, String... unit) {
        List<String> args = new ArrayList<>(List.of("geometry", "--lab", lab.toString(), "--by", "domain", "--bootstrap", "0",
                "--null-replicates", "0", "--seed", "1", "--json"));
        args.addAll(acts);
        args.addAll(List.of(unit));
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.scalelab.cli.Main.execute(args.toArray(String[]::new), new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(Duration.ofSeconds(5), m -> { }))) {
            return store.listResults().stream().filter(r -> r.analysis().equals("geometry")).mapToLong(ResultSummary::resultId).max().orElseThrow();
        }
    }
}
