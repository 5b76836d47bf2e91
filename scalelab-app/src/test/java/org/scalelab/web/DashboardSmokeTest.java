package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardSmokeTest {
    @TempDir
    Path lab;

    @Test
    void healthAnswersOkAndEveryPageLoadsWithoutErrors() throws Exception {
        try (Dashboard d = Dashboard.start(DashboardOptions.local(lab, 0))) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(d.url() + "api/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
            try (Browser browser = Browser.launch()) {
                for (Pages.Page p : Pages.PAGES) {
                    String path = p.path().replace("{id}", "1");
                    Page page = browser.open(d.url() + path.substring(1));
                    assertTrue(page.title().startsWith("ScaleLab"), page.title());
                    assertEquals(7, page.locator("nav#nav a:not(.brand)").count(), "navigation on " + path);
                    if (p.name().equals("result")) {
                        // the empty lab holds no result 1: the page says so, and its requests for it are answered 404
                        page.waitForSelector("#content:not([data-loading])");
                        assertTrue(page.textContent("#content .error").contains("no result 1"), page.textContent("#content"));
                    }
                    Browser.screenshot(page, "smoke-" + p.name());
                    page.close();
                }
                List<String> problems = new ArrayList<>(browser.problems());
                assertTrue(problems.removeIf(m -> m.contains("/api/results/1")), "the missing result is answered 404");
                problems.removeIf(m -> m.contains("/results/1: Failed to load resource: the server responded with a status of 404"));
                assertTrue(problems.isEmpty(), String.join("\n", problems));
            }
        }
    }
}
