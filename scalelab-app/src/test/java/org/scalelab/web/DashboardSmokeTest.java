package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
                    Browser.screenshot(page, "smoke-" + p.name());
                    page.close();
                }
                assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
            }
        }
    }
}
