package org.scalelab.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import io.javalin.config.RoutesConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ScaleLab.chart} in a real browser, on a test page drawing charts of every series kind: what is
 * drawn, the log toggles, legend filtering, redrawing in place, point links and the downloads.
 */
class ChartBrowserTest {
    @TempDir
    static Path lab;

    static Dashboard dashboard;
    static Browser browser;

    /** Points at x = -1, 0, 1, 10, 100, 1000 (two cannot be shown on a log axis), a line, a dashed line, a band, markers. */
    static final ChartSpec XY = new ChartSpec("Loss against compute", ChartSpec.Axis.linear("compute"), ChartSpec.Axis.linear("loss"),
            List.of(new ChartSpec.Series("observed", "points", new double[] {-1, 0, 1, 10, 100, 1000}, new double[] {5, 4, 3, 2.5, 2.2, 2},
                            null, null, null, 0, List.of("/test/chart?p=0", "/test/chart?p=1", "/test/chart?p=2", "/test/chart?p=3",
                                    "/test/chart?p=4", "/test/chart?p=5")),
                    ChartSpec.Series.line("fit", new double[] {1, 10, 100, 1000}, new double[] {3.6, 3.3, 3.0, 2.8}),
                    new ChartSpec.Series("forecast", "dashed", new double[] {1000, 10000}, new double[] {2.0, 1.9}, null, null, null, 0, null),
                    new ChartSpec.Series("95% band", "band", new double[] {1, 10, 100, 1000}, new double[] {3.1, 2.6, 2.25, 2.0},
                            new double[] {2.9, 2.4, 2.1, 1.8}, new double[] {3.3, 2.8, 2.4, 2.2}, null, 0, null)),
            List.of(new ChartSpec.Marker("budget", 100, true), new ChartSpec.Marker("target", 2.1, false)));

    static final ChartSpec HISTOGRAM = new ChartSpec("Bootstrap exponents", ChartSpec.Axis.linear("alpha"), ChartSpec.Axis.linear("count"),
            List.of(new ChartSpec.Series("alpha", "histogram", new double[] {0.30, 0.31, 0.32, 0.32, 0.33, 0.35, 0.36, 0.40}, null, null, null,
                    null, 4, null)),
            List.of());

    static final ChartSpec GRID = new ChartSpec("Phase map", new ChartSpec.Axis("size", false, List.of("1M", "10M", "100M")),
            new ChartSpec.Axis("domain", false, List.of("code", "math")),
            List.of(new ChartSpec.Series("coupling", "heatmap", new double[] {0, 1, 2, 0, 1, 2}, new double[] {0, 0, 0, 1, 1, 1}, new double[] {-1},
                            new double[] {1}, new double[] {-0.5, 0.1, 0.9, -0.2, Double.NaN, 0.4}, 0, null),
                    new ChartSpec.Series("measured", "cells", new double[] {0, 2}, new double[] {1, 0}, null, null, null, 0, null)),
            List.of());

    /** A page drawing the three specs into #xy, #hist and #grid. */
    static final class TestPage implements DashboardRoutes {
        @Override
        public void add(RoutesConfig routes, DashboardContext context) {
            routes.get("/test/chart", ctx -> ctx.contentType("text/html; charset=utf-8").result("""
                    <!doctype html><html><head><meta charset="utf-8"><title>ScaleLab · chart test</title>
                    <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
                    <link rel="stylesheet" href="/static/app.css">
                    <script src="/webjars/echarts/5.3.1/dist/echarts.min.js" defer></script>
                    <script src="/static/app.js" defer></script><script src="/test/chart.js" defer></script></head>
                    <body><nav id="nav"></nav><main><div id="content" data-loading="true">
                    <div id="xy"></div><div id="hist"></div><div id="grid"></div></div></main></body></html>"""));
            routes.get("/test/chart.js", ctx -> ctx.contentType("text/javascript").result("""
                    ScaleLab.ready(async () => {
                      for (const name of ['xy', 'hist', 'grid']) {
                        ScaleLab.chart(document.getElementById(name), await ScaleLab.api('/test/spec/' + name), {height: 360});
                      }
                      document.getElementById('content').removeAttribute('data-loading');
                    });"""));
            routes.get("/test/spec/{name}", ctx -> ctx.json(switch (ctx.pathParam("name")) {
                case "xy" -> XY;
                case "hist" -> HISTOGRAM;
                default -> GRID;
            }));
        }
    }

    @BeforeAll
    static void start() {
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0), List.of(new TestPage()));
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() {
        try {
            browser.close();
        } finally {
            dashboard.close();
        }
    }

    private static Page openCharts() {
        Page page = browser.open(dashboard.url() + "test/chart");
        page.waitForSelector("#content:not([data-loading])");
        for (String id : List.of("xy", "hist", "grid")) {
            page.waitForSelector("#" + id + "[data-rendered=true]");
        }
        return page;
    }

    private static Object eval(Page page, String js) {
        return page.evaluate(js);
    }

    @Test
    void everySeriesKindIsDrawnWithItsSeriesCount() {
        Page page = openCharts();
        assertEquals("4", page.getAttribute("#xy", "data-series"));
        assertEquals("1", page.getAttribute("#hist", "data-series"));
        assertEquals("2", page.getAttribute("#grid", "data-series"));
        // ECharts holds one series per spec series, plus one carrying the two markers
        assertEquals(5, ((Number) eval(page, "ScaleLab.chartOf(document.getElementById('xy')).getOption().series.length")).intValue());
        assertEquals(2, ((Number) eval(page, "ScaleLab.chartOf(document.getElementById('xy')).getOption().series[4].markLine.data.length"))
                .intValue());
        // the histogram's 8 values fall in 4 equal bins over [0.30, 0.40]: 4, 2, 1, 1 (upper edge in the last bin)
        assertEquals(List.of(4, 2, 1, 1), eval(page,
                "ScaleLab.chartOf(document.getElementById('hist')).getOption().series[0].data.map(d => d[2])"));
        assertEquals("category", eval(page, "ScaleLab.chartOf(document.getElementById('grid')).getOption().xAxis[0].type"));
        assertEquals(-1, ((Number) eval(page, "ScaleLab.chartOf(document.getElementById('grid')).getOption().visualMap[0].min")).intValue());
        // every canvas holds a drawing (some pixel is not white)
        assertEquals(Boolean.TRUE, eval(page, """
                () => [...document.querySelectorAll('.chart-canvas canvas')].every(c => {
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) return true;
                  return false;
                })"""));
        Browser.screenshot(page, "chart-kinds");
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void logToggleSwitchesTheAxisAndDropsPointsALogAxisCannotShow() {
        Page page = openCharts();
        String option = "ScaleLab.chartOf(document.getElementById('xy')).getOption()";
        assertEquals("value", eval(page, option + ".xAxis[0].type"));
        assertEquals(6, ((Number) eval(page, option + ".series[0].data.length")).intValue());
        page.click("#xy .toggle-log-x");
        page.waitForSelector("#xy[data-rendered=true]");
        assertEquals("log", eval(page, option + ".xAxis[0].type"));
        assertEquals("x: log", page.textContent("#xy .toggle-log-x"));
        // x = -1 and x = 0 cannot be placed on a log axis
        assertEquals(List.of(1, 10, 100, 1000), eval(page, option + ".series[0].data.map(d => d[0])"));
        page.click("#xy .toggle-log-y");
        assertEquals("log", eval(page, option + ".yAxis[0].type"));
        page.click("#xy .toggle-log-x");
        assertEquals("value", eval(page, option + ".xAxis[0].type"));
        // a categorical axis has no toggle
        assertEquals(Boolean.TRUE, eval(page, "document.querySelector('#grid .toggle-log-x').hidden"));
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void clickingALegendEntryHidesItsSeriesAndARedrawKeepsZoomAndLegend() {
        Page page = openCharts();
        String chart = "ScaleLab.chartOf(document.getElementById('xy'))";
        // where ECharts drew the legend entry "fit", in page coordinates
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) eval(page, "(() => { const c = " + chart + ";"
                + "const t = c.getZr().storage.getDisplayList().find(e => e.style && e.style.text === 'fit');"
                + "const r = t.getBoundingRect(), m = t.getComputedTransform() || [1, 0, 0, 1, 0, 0];"
                + "const x = r.x + r.width / 2, y = r.y + r.height / 2;"
                + "const box = c.getDom().getBoundingClientRect();"
                + "return [box.left + m[0] * x + m[2] * y + m[4], box.top + m[1] * x + m[3] * y + m[5]]; })()");
        page.mouse().click(at.get(0).doubleValue(), at.get(1).doubleValue());
        assertEquals(Boolean.FALSE, eval(page, chart + ".getOption().legend[0].selected['fit']"));
        assertEquals(Boolean.TRUE, eval(page, chart + ".getOption().legend[0].selected['observed'] !== false"));
        eval(page, "() => { " + chart + ".dispatchAction({type: 'dataZoom', dataZoomId: 'zx', start: 20, end: 60}); }");
        eval(page, "ScaleLab.api('/test/spec/xy').then(s => ScaleLab.chart(document.getElementById('xy'), s)).then(() => null)");
        page.waitForSelector("#xy[data-rendered=true]");
        assertEquals(20, ((Number) eval(page, chart + ".getOption().dataZoom.find(z => z.id === 'zx').start")).intValue());
        assertEquals(Boolean.FALSE, eval(page, chart + ".getOption().legend[0].selected['fit']"));
        assertEquals(1, ((Number) eval(page, "document.querySelectorAll('#xy .chart-canvas').length")).intValue());
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void clickingAPointOpensItsLink() {
        Page page = openCharts();
        @SuppressWarnings("unchecked")
        List<Number> at = (List<Number>) eval(page, "(() => { const c = ScaleLab.chartOf(document.getElementById('xy'));"
                + "const p = c.convertToPixel({seriesIndex: 0}, [100, 2.2]); const box = c.getDom().getBoundingClientRect();"
                + "return [box.left + p[0], box.top + p[1]]; })()");
        page.waitForNavigation(() -> page.mouse().click(at.get(0).doubleValue(), at.get(1).doubleValue()));
        assertTrue(page.url().endsWith("/test/chart?p=4"), page.url());
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }

    @Test
    void downloadsHoldTheSpecsDataAndTheDrawing() throws Exception {
        Page page = openCharts();
        Download csv = page.waitForDownload(() -> page.click("#xy .download-csv"));
        List<String> lines = Files.readAllLines(csv.path(), StandardCharsets.UTF_8);
        assertEquals("series,kind,index,x,y,lo,hi,z", lines.get(0));
        int points = XY.series().stream().mapToInt(s -> s.x().length).sum();
        assertEquals(1 + points, lines.size());
        assertEquals("observed,points,3,10,2.5,,,", lines.get(4));
        assertEquals("95% band,band,1,10,2.6,2.4,2.8,", lines.get(1 + 6 + 4 + 2 + 1));
        Download json = page.waitForDownload(() -> page.click("#xy .download-json"));
        ChartSpec back = org.scalelab.io.Json.mapper().readValue(json.path().toFile(), ChartSpec.class);
        assertArrayEquals(XY.series().get(3).hi(), back.series().get(3).hi());
        Download svg = page.waitForDownload(() -> page.click("#xy .download-svg"));
        String svgText = Files.readString(svg.path());
        assertTrue(svgText.startsWith("<svg") && svgText.contains("Loss against compute"), svgText.substring(0, Math.min(200, svgText.length())));
        Download png = page.waitForDownload(() -> page.click("#grid .download-png"));
        byte[] bytes = Files.readAllBytes(png.path());
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
        assertEquals("xy.csv", csv.suggestedFilename());
        page.close();
        assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
    }
}
