package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.io.Json;
import org.scalelab.store.BigLab;

/**
 * {@code GET /api/curves} on a generated lab ({@link BigLab}) whose longest curve has a million points
 * and a one-step spike: the spike is drawn, counts are right, seeds group into a mean with its band,
 * smoothing is debiased, bad parameters get a 400 naming the parameter; in Chromium, drawn by
 * {@code ScaleLab.chart}, the spike is in the drawn series and the million-point curve paints fast.
 */
class CurvesApiTest {
    static final int RUNS = 100;
    static final long POINTS = 1_050_000;
    static final long LONG_CURVE = 1_000_000;

    static Path lab;
    static Dashboard dashboard;
    static Browser browser;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        lab = Files.createTempDirectory("scalelab-curves-lab");
        BigLab.generate(lab, RUNS, POINTS, LONG_CURVE);
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        try (var files = Files.walk(lab)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.url() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode curves(String query) throws Exception {
        HttpResponse<String> r = get("api/curves?" + query);
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }

    /** Points logged by generated training run i (as BigLab documents: the long curve, then the rest shared out). */
    static long logged(int i) {
        if (i == 0) {
            return LONG_CURVE;
        }
        long rest = POINTS - LONG_CURVE;
        return rest / (RUNS - 1) + (i <= rest % (RUNS - 1) ? 1 : 0);
    }

    @Test
    void aMillionPointCurveIsDrawnWithItsOneStepSpike() throws Exception {
        JsonNode a = curves("run=" + BigLab.BIG_RUN + "&metric=loss&points=2000");
        assertEquals(LONG_CURVE, a.get("points").asLong());
        assertTrue(a.get("downsampled").asBoolean());
        JsonNode s = a.get("chart").get("series").get(0);
        assertEquals(1, a.get("chart").get("series").size());
        int shown = s.get("x").size();
        assertEquals(shown, a.get("shown").asInt());
        assertTrue(shown <= 2000 && shown > 1000, "shown " + shown);
        long spike = BigLab.spikeStep(LONG_CURVE);
        int at = -1;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < shown; i++) {
            if (s.get("x").get(i).asLong() == spike) {
                at = i;
            }
            max = Math.max(max, s.get("y").get(i).asDouble());
        }
        assertTrue(at >= 0, "the spike's step " + spike + " is drawn");
        assertEquals(max, s.get("y").get(at).asDouble(), 0.0);
        assertTrue(max > BigLab.SPIKE, "spike height " + max);
        // Above step 10 the curve stays below 2/sqrt(10) + 0.05 except at the spike.
        for (int i = 0; i < shown; i++) {
            if (i != at && s.get("x").get(i).asLong() > 10) {
                assertTrue(s.get("y").get(i).asDouble() < 2 / Math.sqrt(10) + 0.05);
            }
        }
        // One link for the whole curve: every point opens its run.
        assertEquals(1, s.get("links").size(), s.get("links").toString());
        assertEquals("/runs?run=" + BigLab.BIG_RUN, s.get("links").get(0).asText());
    }

    @Test
    void twentyRunsAtOnceCountEveryLoggedPoint() throws Exception {
        String runs = IntStream.range(0, 20).mapToObj(i -> "run=" + BigLab.name(i)).collect(Collectors.joining("&"));
        JsonNode a = curves(runs + "&metric=loss&points=2000");
        long expected = IntStream.range(0, 20).mapToLong(CurvesApiTest::logged).sum();
        assertEquals(expected, a.get("points").asLong());
        assertEquals(20, a.get("chart").get("series").size());
        long shown = 0;
        for (int i = 0; i < 20; i++) {
            JsonNode s = a.get("chart").get("series").get(i);
            assertEquals(BigLab.name(i), s.get("name").asText());
            assertEquals("[\"/runs?run=" + BigLab.name(i) + "\"]", s.get("links").toString(), "each curve links to its own run");
            int n = s.get("x").size();
            shown += n;
            if (i == 0) {
                assertTrue(n <= 2000 && n > 1000, "the long curve is reduced to at most 2,000 points: " + n);
            } else {
                assertEquals(logged(i), n, "a short curve is drawn whole");
            }
        }
        assertEquals(shown, a.get("shown").asLong());
    }

    @Test
    void seedsGroupIntoAMeanWithABandAtTheirCommonSteps() throws Exception {
        String runs = IntStream.range(5, 10).mapToObj(i -> "run=" + BigLab.name(i)).collect(Collectors.joining("&"));
        JsonNode a = curves(runs + "&metric=loss&group=seeds&points=100000");
        JsonNode series = a.get("chart").get("series");
        assertEquals(2, series.size(), "a band and its mean line");
        assertEquals("band", series.get(0).get("kind").asText());
        JsonNode mean = series.get(1);
        assertEquals("c0001 (5 seeds)", mean.get("name").asText());
        long common = IntStream.range(5, 10).mapToLong(CurvesApiTest::logged).min().orElseThrow();
        assertEquals(common, mean.get("x").size(), "steps every seed logged");
        // The mean at the first step, from the five seeds' own curves.
        double sum = 0;
        for (int i = 5; i < 10; i++) {
            sum += curves("run=" + BigLab.name(i) + "&metric=loss").get("chart").get("series").get(0).get("y").get(0).asDouble();
        }
        assertEquals(sum / 5, mean.get("y").get(0).asDouble(), 1e-12);
        double lo = series.get(0).get("lo").get(0).asDouble();
        double hi = series.get(0).get("hi").get(0).asDouble();
        assertTrue(lo < sum / 5 && sum / 5 < hi, lo + " < mean < " + hi);
    }

    @Test
    void smoothingIsOffByDefaultAndDebiasedFromTheFirstPoint() throws Exception {
        JsonNode raw = curves("run=" + BigLab.name(3) + "&metric=loss").get("chart").get("series").get(0).get("y");
        JsonNode smooth = curves("run=" + BigLab.name(3) + "&metric=loss&smooth=0.9").get("chart").get("series").get(0).get("y");
        assertEquals(raw.get(0).asDouble(), smooth.get(0).asDouble(), 1e-12, "the first point is not pulled towards zero");
        // Second point: (0.9·0.1·x0 + 0.1·x1) / (1 − 0.81).
        double second = (0.09 * raw.get(0).asDouble() + 0.1 * raw.get(1).asDouble()) / 0.19;
        assertEquals(second, smooth.get(1).asDouble(), 1e-12);
    }

    @Test
    void badParametersAreRefusedNamingTheParameter() throws Exception {
        for (String[] c : new String[][] {{"metric=loss", "run:"}, {"run=c0000-seed1&points=3", "points:"},
            {"run=c0000-seed1&points=many", "points:"}, {"run=c0000-seed1&smooth=1.5", "smooth:"},
            {"run=c0000-seed1&group=folds", "group:"}, {"run=c0000-seed1&xlog=yes", "xlog:"}}) {
            HttpResponse<String> r = get("api/curves?" + c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            JsonNode e = Json.mapper().readTree(r.body());
            assertEquals(400, e.get("status").asInt());
            assertTrue(e.get("message").asText().startsWith(c[1]), e.get("message").asText());
        }
        HttpResponse<String> r = get("api/curves?run=nobody&metric=loss");
        assertEquals(404, r.statusCode());
        assertTrue(Json.mapper().readTree(r.body()).get("message").asText().contains("nobody"));
    }

    /** Fetches /api/curves?QUERY in the page, draws it into a new chart element and waits until ECharts has drawn it. */
    static final String DRAW = """
            async ([id, query]) => {
              const t0 = performance.now();
              const answer = await ScaleLab.api('/api/curves?' + query);
              const fetched = performance.now() - t0;
              let el = document.getElementById(id);
              if (!el) {
                el = document.createElement('div');
                el.id = id;
                document.getElementById('content').appendChild(el);
              }
              ScaleLab.chart(el, answer.chart, {height: 380});
              await new Promise(done => { const check = () => el.dataset.rendered === 'true' ? done() : setTimeout(check, 2); check(); });
              const ms = performance.now() - t0;
              const drawn = ScaleLab.chartOf(el).getOption().series.map(s => s.data.map(p => [p[0], p[1]]));
              return {ms, fetched, series: Number(el.dataset.series), drawn: JSON.stringify(drawn)};
            }""";

    @Test
    void aMillionPointCurvePaintsFastInTheBrowserWithItsSpikeDrawn() throws Exception {
        Page page = browser.open(dashboard.url() + "sweeps");
        String query = "run=" + BigLab.BIG_RUN + "&metric=loss&points=2000";
        double best = Double.POSITIVE_INFINITY;
        java.util.List<Double> times = new java.util.ArrayList<>();
        java.util.List<Double> fetches = new java.util.ArrayList<>();
        JsonNode drawn = null;
        for (int i = 0; i < 3; i++) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> r = (java.util.Map<String, Object>) page.evaluate(DRAW, java.util.List.of("curves-long", query));
            double ms = ((Number) r.get("ms")).doubleValue();
            times.add(ms);
            fetches.add(((Number) r.get("fetched")).doubleValue());
            best = Math.min(best, ms);
            assertEquals(1, ((Number) r.get("series")).intValue());
            drawn = Json.mapper().readTree((String) r.get("drawn")).get(0);
        }
        long spike = BigLab.spikeStep(LONG_CURVE);
        double max = Double.NEGATIVE_INFINITY;
        double atSpike = Double.NaN;
        for (JsonNode p : drawn) {
            max = Math.max(max, p.get(1).asDouble());
            if (p.get(0).asLong() == spike) {
                atSpike = p.get(1).asDouble();
            }
        }
        assertTrue(drawn.size() > 1000 && drawn.size() <= 2000, "points drawn: " + drawn.size());
        assertEquals(max, atSpike, 0.0, "the drawn series holds the spike at step " + spike + " as its highest point");
        assertTrue(max > BigLab.SPIKE);
        System.out.println("curves: a 1,000,000-point curve fetched and painted in " + times + " ms, of which the answer " + fetches + " ms");
        // The target is a first paint under 1 s on loopback (BENCHMARKS.md records the measured times); asserted
        // on the best of three paints with a margin of five, for a test machine shared with other work.
        assertTrue(best < 5_000, "painting a million-point curve took " + times + " ms");

        String seeds = IntStream.range(0, 5).mapToObj(i -> "run=" + BigLab.name(5 + i)).collect(Collectors.joining("&"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> r = (java.util.Map<String, Object>) page.evaluate(DRAW,
                java.util.List.of("curves-seeds", seeds + "&metric=loss&group=seeds&smooth=0.6&xlog=true"));
        assertEquals(2, ((Number) r.get("series")).intValue(), "a band and its mean line");
        page.waitForSelector("#curves-seeds[data-rendered=true]");
        Browser.screenshot(page, "curves");
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }
}
