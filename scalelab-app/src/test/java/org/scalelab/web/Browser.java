package org.scalelab.web;

import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright, for the dashboard's browser tests. Each page opened records
 * what a person would see go wrong: console errors, uncaught script errors, failed requests and
 * answers of 400 or more. Screenshots go to {@code target/dashboard-screenshots/} for a person to look at.
 * No browser is downloaded: the tests need {@code /usr/bin/chromium} (the {@code chromium} package).
 */
public final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path SCREENSHOTS = Paths.get("target", "dashboard-screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    private Browser(Playwright playwright, com.microsoft.playwright.Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static Browser launch() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException(CHROMIUM + " is missing: the dashboard's browser tests drive Debian's Chromium "
                    + "(apt-get install chromium; .ci/run installs it)");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            com.microsoft.playwright.Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu",
                            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1")));
            return new Browser(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A new page (1280 × 900, a laptop screen) at {@code url}, loaded, with its problems recorded. */
    public Page open(String url) {
        Page page = browser.newPage(new com.microsoft.playwright.Browser.NewPageOptions().setViewportSize(1280, 900));
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                problems.add("console error on " + page.url() + ": " + m.text());
            }
        });
        page.onPageError(e -> problems.add("script error on " + page.url() + ": " + e));
        page.onRequestFailed(r -> problems.add("request failed: " + r.url() + " (" + r.failure() + ")"));
        page.onResponse(r -> {
            if (r.status() >= 400) {
                problems.add("HTTP " + r.status() + " for " + r.url());
            }
        });
        page.navigate(url);
        page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
        return page;
    }

    /** What went wrong on every page opened so far (empty when nothing did). */
    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /** Forgets the problems recorded so far (after a test that provokes errors on purpose). */
    public void clearProblems() {
        problems.clear();
    }

    /** Saves a full-page screenshot as {@code target/dashboard-screenshots/NAME.png}. */
    public static Path screenshot(Page page, String name) {
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
