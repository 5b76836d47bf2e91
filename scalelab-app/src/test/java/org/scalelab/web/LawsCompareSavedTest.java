package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;
import org.scalelab.store.ResultSummary;

/** Two fits saved by the command line (not by this server) compare on one chart, drawn from their inputs in the lab. */
class LawsCompareSavedTest {
    @Test
    void twoPowerLawFitsSavedByTheCommandLineCompareWithBothDataSetsAndCurves() throws Exception {
        List<Long> fits = new ArrayList<>();
        try (LabStore store = LabStore.openReadOnly(LabFixture.lab(), LabStore.Wait.none())) {
            for (ResultSummary r : store.listResults()) {
                if (r.analysis().equals("fit.power")) {
                    fits.add(r.resultId());
                }
            }
        }
        assertEquals(2, fits.size(), "the test lab holds two power-law fits of two families: " + fits);
        try (Dashboard d = Dashboard.start(DashboardOptions.local(LabFixture.lab(), 0))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    d.url() + "api/laws/compare?a=" + fits.get(0) + "&b=" + fits.get(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode spec = Json.mapper().readTree(r.body());
            int points = 0;
            int lines = 0;
            for (JsonNode s : spec.path("series")) {
                points += "points".equals(s.path("kind").asText()) ? 1 : 0;
                lines += "line".equals(s.path("kind").asText()) ? 1 : 0;
                String name = s.path("name").asText();
                assertTrue(name.startsWith("#" + fits.get(0) + " ") || name.startsWith("#" + fits.get(1) + " "), name);
            }
            assertEquals(2, points, "each fit's own data (two families): " + spec);
            assertTrue(lines >= 2, "each fit's curve: " + spec);
        }
    }
}
