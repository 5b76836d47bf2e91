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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.PythonReference;
import org.scalelab.cli.Main;
import org.scalelab.io.Json;
import org.scalelab.store.LabStore;

/**
 * The plots a saved record does not keep, drawn on its result page from the lab's data: a fit of a file
 * inside the lab gets the charts of its report (its points are the file's rows, its curve the law at the
 * record's parameters); a fit of a file changed since, or of a file outside the lab, gets no chart and a
 * line saying why; fits of the lab's points by a query get their charts; a world report gets its curves.
 */
class SavedFitViewsTest {
    @TempDir
    static Path dir;

    static Path lab;
    static Dashboard dashboard;
    static final Map<String, Long> ids = new HashMap<>();
    /** (x, y) rows of the power-law file, in file order. */
    static final List<double[]> rows = new ArrayList<>();
    /** (N, D, L) rows of the Chinchilla runs file, in file order. */
    static final List<double[]> runs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        lab = LabFixture.copy(dir.resolve("lab"));
        StringBuilder csv = new StringBuilder("params,loss\n");
        for (int i = 0; i < 12; i++) {
            double x = Math.pow(10, 7 + i * 0.25);
            double y = 1.7 + 400 / Math.pow(x, 0.34) * (1 + 0.01 * Math.sin(3 * i));
            rows.add(new double[] {x, y});
            csv.append(x).append(',').append(y).append('\n');
        }
        Path inside = Files.createDirectories(lab.resolve("inputs")).resolve("power.csv");
        Files.writeString(inside, csv);
        Path changed = Files.writeString(lab.resolve("inputs").resolve("changed.csv"), csv);
        Path outside = Files.writeString(dir.resolve("outside.csv"), csv);
        ids.put("inside", fit(inside));
        ids.put("changed", fit(changed));
        ids.put("outside", fit(outside));
        Files.writeString(changed, csv.toString().replace("params,loss\n", "params,loss\n1e6,9.5\n"));

        // Chinchilla fits of runs files: Hoffmann et al.'s runs (N, C, L) as they are (D = C / 6N), and with D and
        // other column names; one of them changed after its fit.
        List<String> fig4 = Files.readAllLines(PythonReference.root().resolve("data/chinchilla_hoffmann2022_fig4.csv"));
        assertEquals("params,compute,loss", fig4.get(0));
        StringBuilder renamed = new StringBuilder("n_params,n_tokens,final_loss\n");
        for (String line : fig4.subList(1, fig4.size())) {
            String[] f = line.split(",");
            double n = Double.parseDouble(f[0]);
            double d = Double.parseDouble(f[1]) / (6 * n);
            runs.add(new double[] {n, d, Double.parseDouble(f[2])});
            renamed.append(n).append(',').append(d).append(',').append(f[2]).append('\n');
        }
        Path chinchilla = Files.writeString(lab.resolve("inputs").resolve("runs.csv"), renamed);
        Path byCompute = Files.write(lab.resolve("inputs").resolve("fig4.csv"), fig4);
        Path chinchillaChanged = Files.writeString(lab.resolve("inputs").resolve("runs-changed.csv"), renamed);
        List<String> renamedColumns = List.of("--params-col", "n_params", "--tokens-col", "n_tokens", "--loss-col", "final_loss");
        ids.put("chinchilla", chinchillaFit(chinchilla, renamedColumns));
        ids.put("chinchilla-compute", chinchillaFit(byCompute, List.of()));
        ids.put("chinchilla-changed", chinchillaFit(chinchillaChanged, renamedColumns));
        Files.writeString(chinchillaChanged, renamed.toString().replace("final_loss\n", "final_loss\n1e9,2e10,3.1\n"));
        ids.put("world", saved(cli("world", "report", "--experiment", LabFixture.EXPERIMENT, "--null-replicates", "19",
                "--lab", lab.toString())));
        dashboard = Dashboard.start(DashboardOptions.local(lab, 0));
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void theFitAndWorldReportPagesDrawTheirChartsInTheBrowser() throws Exception {
        try (Browser browser = Browser.launch()) {
            for (String which : List.of("inside", "world", "chinchilla")) {
                long id = ids.get(which);
                Map<String, JsonNode> charts = charts(json("/api/results/" + id + "/view"));
                assertFalse(charts.isEmpty(), which);
                com.microsoft.playwright.Page page = browser.open(dashboard.url() + "results/" + id);
                page.waitForSelector("#content:not([data-loading])");
                for (Map.Entry<String, JsonNode> c : charts.entrySet()) {
                    String sel = "#chart-" + c.getKey();
                    page.waitForSelector(sel + "[data-rendered=true]");
                    assertEquals(String.valueOf(c.getValue().get("series").size()), page.getAttribute(sel, "data-series"), which + " " + sel);
                }
                Browser.screenshot(page, "result-from-lab-" + which);
                page.close();
            }
            assertTrue(browser.problems().isEmpty(), String.join("\n", browser.problems()));
        }
    }

    private static long fit(Path data) {
        return saved(cli("fit", "power", "--data", data.toString(), "--x-col", "params", "--y-col", "loss", "--bootstrap", "20",
                "--seed", "3", "--lab", lab.toString()));
    }

    private static long chinchillaFit(Path data, List<String> columns) {
        List<String> args = new ArrayList<>(List.of("fit", "chinchilla", "--data", data.toString(), "--grid", "coarse", "--bootstrap", "20",
                "--drop-highest-loss", "5", "--lab", lab.toString()));
        args.addAll(columns);
        return saved(cli(args.toArray(String[]::new)));
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    private static long saved(String printed) {
        Matcher m = Pattern.compile("saved as result (\\d+)").matcher(printed);
        assertTrue(m.find(), printed);
        return Long.parseLong(m.group(1));
    }

    static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body()));
        return Json.mapper().readTree(r.body());
    }

    static Map<String, JsonNode> charts(JsonNode view) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode b : view.get("blocks")) {
            if (b.get("type").asText().equals("chart")) {
                m.put(b.get("name").asText(), b.get("spec"));
            }
        }
        return m;
    }

    static List<String> texts(JsonNode view) {
        List<String> t = new ArrayList<>();
        for (JsonNode b : view.get("blocks")) {
            if (b.get("type").asText().equals("text")) {
                t.add(b.get("text").asText());
            }
        }
        return t;
    }

    static JsonNode series(JsonNode spec, String name) {
        for (JsonNode s : spec.get("series")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no series " + name + " in " + spec);
    }

    static double parameter(JsonNode record, String name) {
        for (JsonNode p : record.get("parameters")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("value").asDouble();
            }
        }
        throw new AssertionError("no parameter " + name + " in " + record);
    }

    @Test
    void aFitOfAFileInsideTheLabGetsItsChartsWithTheFilesRowsAndTheLawAtTheRecordsParameters() throws Exception {
        long id = ids.get("inside");
        JsonNode view = json("/api/results/" + id + "/view");
        Map<String, JsonNode> charts = charts(view);
        assertTrue(charts.keySet().containsAll(List.of("fit", "residuals")), charts.keySet().toString());
        JsonNode data = series(charts.get("fit"), "data");
        assertEquals(rows.size(), data.get("x").size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i)[0], data.get("x").get(i).asDouble(), 1e-9 * rows.get(i)[0], "x of row " + i);
            assertEquals(rows.get(i)[1], data.get("y").get(i).asDouble(), 1e-12, "y of row " + i);
        }
        // the fitted curve is E + A x^-alpha at the saved record's parameters (its documented form)
        JsonNode record = json("/api/results/" + id).get("result");
        assertEquals("E + A*x^-alpha", record.get("form").asText());
        double e = parameter(record, "E");
        double a = parameter(record, "A");
        double alpha = parameter(record, "alpha");
        JsonNode fit = series(charts.get("fit"), "fit");
        assertTrue(fit.get("x").size() > 10);
        for (int i = 0; i < fit.get("x").size(); i++) {
            double x = fit.get("x").get(i).asDouble();
            double expected = e + a * Math.pow(x, -alpha);
            assertEquals(expected, fit.get("y").get(i).asDouble(), 1e-9 * Math.abs(expected), "fit at x = " + x);
        }
        // the bootstrap band, drawn from the refit's replicates, holds the curve
        JsonNode band = series(charts.get("fit"), "bootstrap 95% band");
        for (int i = 0; i < band.get("x").size(); i++) {
            assertTrue(band.get("lo").get(i).asDouble() <= band.get("hi").get(i).asDouble());
        }
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Drawn from inputs/power.csv in the lab, unchanged")), texts(view).toString());
        assertTrue(texts(view).stream().noneMatch(t -> t.startsWith("Not shown")), texts(view).toString());
        // the plot downloads draw the same report
        HttpResponse<byte[]> svg = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(dashboard.url() + "api/results/" + id + "/plots/fit.svg")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, svg.statusCode());
    }

    @Test
    void aChinchillaFitOfAFileInsideTheLabGetsItsChartsFromTheColumnsItRecorded() throws Exception {
        long id = ids.get("chinchilla");
        JsonNode stored = json("/api/results/" + id);
        JsonNode options = stored.get("options");
        assertEquals("n_params", options.get("params_col").asText(), options.toString());
        assertEquals("n_tokens", options.get("tokens_col").asText(), options.toString());
        assertEquals("final_loss", options.get("loss_col").asText(), options.toString());
        assertFalse(options.has("compute_col"), options.toString());
        JsonNode view = json("/api/results/" + id + "/view");
        Map<String, JsonNode> charts = charts(view);
        assertTrue(charts.keySet().containsAll(List.of("fit", "residuals", "observed_vs_predicted", "frontier")), charts.keySet().toString());
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Drawn from inputs/runs.csv in the lab, unchanged")), texts(view).toString());
        assertTrue(texts(view).stream().noneMatch(t -> t.startsWith("Not shown")), texts(view).toString());
        // every run of the file, the 5 dropped by the fit too: at C = 6ND against its loss, and its loss against
        // L(N, D) = E + A/N^alpha + B/D^beta at the record's parameters
        JsonNode params = stored.get("result").get("params");
        double e = params.get("E").asDouble();
        double a = params.get("A").asDouble();
        double b = params.get("B").asDouble();
        double alpha = params.get("alpha").asDouble();
        double beta = params.get("beta").asDouble();
        JsonNode byCompute = series(charts.get("fit"), "runs");
        JsonNode byLaw = series(charts.get("observed_vs_predicted"), "runs");
        assertEquals(runs.size(), byCompute.get("x").size());
        assertEquals(runs.size(), byLaw.get("x").size());
        for (int i = 0; i < runs.size(); i++) {
            double[] r = runs.get(i);
            assertEquals(6 * r[0] * r[1], byCompute.get("x").get(i).asDouble(), 1e-12 * 6 * r[0] * r[1], "C of run " + i);
            assertEquals(r[2], byCompute.get("y").get(i).asDouble(), 1e-12, "L of run " + i);
            double law = e + a / Math.pow(r[0], alpha) + b / Math.pow(r[1], beta);
            assertEquals(law, byLaw.get("x").get(i).asDouble(), 1e-9 * law, "L(N, D) of run " + i);
        }
    }

    @Test
    void aChinchillaFitOfAComputeColumnGetsItsChartsWithTokensFromCompute() throws Exception {
        long id = ids.get("chinchilla-compute");
        JsonNode options = json("/api/results/" + id).get("options");
        assertEquals("compute", options.get("compute_col").asText(), options.toString());
        assertFalse(options.has("tokens_col"), options.toString());
        JsonNode view = json("/api/results/" + id + "/view");
        JsonNode byCompute = series(charts(view).get("fit"), "runs");
        assertEquals(runs.size(), byCompute.get("x").size());
        for (int i = 0; i < runs.size(); i++) {
            double c = 6 * runs.get(i)[0] * runs.get(i)[1];
            assertEquals(c, byCompute.get("x").get(i).asDouble(), 1e-12 * c, "C of run " + i);
        }
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Drawn from inputs/fig4.csv in the lab, unchanged")), texts(view).toString());
    }

    @Test
    void aChinchillaFitOfAChangedFileGetsNoChartAndSaysWhy() throws Exception {
        JsonNode view = json("/api/results/" + ids.get("chinchilla-changed") + "/view");
        assertEquals(Set.of(), charts(view).keySet());
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("The plots are not drawn here because its input file ")
                && t.contains("runs-changed.csv changed since the fit")), texts(view).toString());
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Not shown: the plots of the runs, the law and the frontier")),
                texts(view).toString());
        // what the record holds is still shown: the law's parameters
        assertTrue(view.toString().contains("alpha"), view.toString());
    }

    @Test
    void aFitOfAChangedFileGetsNoChartAndSaysWhy() throws Exception {
        JsonNode view = json("/api/results/" + ids.get("changed") + "/view");
        assertEquals(Set.of(), charts(view).keySet());
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("The plots are not drawn here because its input file ")
                && t.contains("changed.csv changed since the fit")), texts(view).toString());
        assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Not shown: the plots of data and fit")), texts(view).toString());
    }

    @Test
    void aFitOfAFileOutsideTheLabGetsNoChartAndSaysWhy() throws Exception {
        JsonNode view = json("/api/results/" + ids.get("outside") + "/view");
        assertEquals(Set.of(), charts(view).keySet());
        assertTrue(texts(view).stream().anyMatch(t -> t.contains("outside.csv is outside the lab folder, and the dashboard reads only files inside the lab")),
                texts(view).toString());
        // its backtest, which the record keeps, is shown as a table
        assertTrue(view.toString().contains("backtest") || view.toString().contains("held out"), view.toString());
    }

    @Test
    void fitsOfTheLabsPointsByAQueryGetTheirCharts() throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode r : json("/api/results?analysis=fit.")) {
            String analysis = r.get("analysis").asText();
            JsonNode stored = json("/api/results/" + r.get("result_id").asLong());
            if (!stored.get("inputs").get(0).get("source").asText().startsWith("query ")) {
                continue;
            }
            JsonNode view = json("/api/results/" + r.get("result_id").asLong() + "/view");
            Map<String, JsonNode> charts = charts(view);
            String expected = "fit";
            assertTrue(charts.containsKey(expected), analysis + ": " + charts.keySet() + " " + texts(view));
            assertTrue(texts(view).stream().anyMatch(t -> t.startsWith("Drawn from the lab's points, read again by the fit's query")),
                    analysis + ": " + texts(view));
            // the plotted points are the rows the query gives (as many as the fit's points)
            JsonNode points = null;
            for (JsonNode s : charts.get(expected).get("series")) {
                if (s.get("kind").asText().equals("points")) {
                    points = s;
                    break;
                }
            }
            assertTrue(points != null, analysis + ": no points in " + charts.get(expected));
            int n = stored.get("inputs").get(0).get("rows").asInt();
            assertEquals(n, points.get("x").size(), analysis);
            seen.merge(analysis, 1, Integer::sum);
        }
        assertEquals(Map.of("fit.power", 2, "fit.shape", 1, "fit.chinchilla", 1), seen);
    }

    @Test
    void aWorldReportGetsItsCurveChartsFromTheStore() throws Exception {
        JsonNode view = json("/api/results/" + ids.get("world") + "/view");
        Map<String, JsonNode> charts = charts(view);
        assertTrue(charts.containsKey("pooled_curves") && charts.containsKey("alignment_vs_analogy"), charts.keySet().toString());
        List<String> cells = charts.keySet().stream().filter(k -> k.startsWith("curves_w")).toList();
        assertEquals(LabFixture.WIDTHS.size(), cells.size(), cells.toString());
        assertTrue(texts(view).stream().noneMatch(t -> t.startsWith("Not shown")), texts(view).toString());
        // every drawn step of a cell's curves is a step the store logged for the sweep's runs
        Set<Double> steps = new HashSet<>();
        try (LabStore store = LabStore.openReadOnly(lab, new LabStore.Wait(Duration.ofSeconds(5), m -> { }))) {
            for (LabStore.TrainingRun run : store.trainingRuns(LabFixture.EXPERIMENT)) {
                store.curvePoints(run.run()).forEach(p -> steps.add((double) p.step()));
            }
        }
        for (String cell : cells) {
            JsonNode spec = charts.get(cell);
            assertFalse(spec.get("series").isEmpty(), cell);
            for (JsonNode s : spec.get("series")) {
                for (JsonNode x : s.get("x")) {
                    assertTrue(steps.contains(x.asDouble()), cell + ": step " + x + " not logged");
                }
            }
        }
    }
}
