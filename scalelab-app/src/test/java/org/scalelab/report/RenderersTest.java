package org.scalelab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.io.Json;
import org.scalelab.laws.PassAtK;
import org.scalelab.laws.Reliability;

/** Renderers are called on a result alone, as the web dashboard will: no command line, no lab. */
class RenderersTest {
    @TempDir
    Path tmp;

    @Test
    void passAtKRendersItsTableAndItsReportSectionFromTheResultAlone() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<PassAtK.Problem> problems = List.of(new PassAtK.Problem("a", 10, 3), new PassAtK.Problem("b", 10, 0),
                new PassAtK.Problem("c", 10, 9));
        PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(problems, List.of()), new PassAtK.Options(new int[] {1, 2, 5}));
        Renderer<PassAtK.Result> renderer = new PassAtKRenderer();
        String text = renderer.text(r);
        String[] lines = text.split("\n");
        assertEquals("pass@k over 3 problems (unbiased estimator, Chen et al. 2021)", lines[0]);
        assertEquals(3 + r.curve().size(), lines.length, "title, header, rule, one line per k:\n" + text);
        for (PassAtK.Point p : r.curve()) {
            assertTrue(text.contains(TextTable.num(p.passAtK())), "pass@" + p.k() + " is in the table:\n" + text);
        }
        Report report = Report.create("pass@k");
        renderer.section(report, r);
        Path dir = report.write(tmp.resolve("passk"));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("passk.svg"), "the plot is in the section");
        assertTrue(html.contains(TextTable.num(r.curve().get(2).passAtK())), "the table is in the section");
        assertTrue(Files.readString(dir.resolve("passk.svg")).contains("<svg"));
    }

    @Test
    void reliabilityTableHasOneRowPerAccuracyAndOneColumnPerStepCount() {
        double[] p = {0.99, 0.999};
        long[] steps = {10, 100, 1000};
        Reliability.Table r = Reliability.analyze(new Reliability.Grid(p, steps), new Reliability.Options(0));
        String[] lines = new ReliabilityTableRenderer(p, steps).text(r).split("\n");
        assertEquals("task success (independent steps)", lines[0]);
        assertTrue(lines[1].matches("p\\s+nines\\s+10 steps\\s+100 steps\\s+1000 steps"), lines[1]);
        assertEquals(3 + p.length, lines.length);
        assertTrue(lines[3].startsWith("0.99 "), lines[3]);
        assertTrue(lines[3].endsWith(ReliabilityTableRenderer.percent(Reliability.success(0.99, 1000, 0))), lines[3]);
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text.replace('\'', '"'));
    }

    private static DemoRenderer.Tour tour(JsonNode world, JsonNode geometry) throws Exception {
        return tour(world, geometry, null);
    }

    private static DemoRenderer.Tour tour(JsonNode world, JsonNode geometry, DemoRenderer.Capabilities capabilities) throws Exception {
        DemoRenderer.Truth truth = new DemoRenderer.Truth(1.69, 406.4, 410.7, 0.34, 0.28, 19.5, 8.4);
        JsonNode chinchilla = json("{'status':'converged','n_points':56,'converged_starts':40,'starts':45,"
                + "'params':{'E':1.71,'A':398.0,'B':415.2,'alpha':0.338,'beta':0.281},"
                + "'ci95':{'E':[1.66,1.75],'A':[350.0,450.0],'B':[380.0,440.0],'alpha':[0.32,0.35],'beta':[0.27,0.29]}}");
        JsonNode forecast = json("{'budgets':[{'compute':1e21,'params':{'value':2.1e9,'lo':1.9e9,'hi':2.3e9},"
                + "'tokens':{'value':7.9e10},'tokens_per_param':{'value':37.6},'loss':{'value':2.31,'lo':2.3,'hi':2.33}}]}");
        JsonNode power = json("{'status':'converged','parameters':[{'name':'alpha','value':0.29,'ci95':[0.27,0.31]}],"
                + "'backtest':{'status':'ran','mean_rel_error':0.0123}}");
        JsonNode bnsl = json("{'status':'converged','n_breaks':1,'breaks':[{'d':{'value':1.04e8,'ci95':[9e7,1.2e8]}}]}");
        JsonNode sigmoid = json("{'parameters':[{'name':'x50','value':3.3e19,'ci95':[3e19,3.6e19]}]}");
        JsonNode shape = json("{'shape':'inverted_U','turning_point':{'x':2.4e8,'ci95':[2e8,2.9e8]},'p_value':0.0004}");
        JsonNode small = json("{'a':1.9,'b':0.41,'k_needed':120.0,'k_needed_ci':[100.0,150.0]}");
        JsonNode large = json("{'a':1.1,'b':0.52,'k_needed':14.0,'k_needed_ci':[12.0,17.0]}");
        JsonNode budget = json("{'crossovers':[{'from':null,'to':'small-160M','budget':1.6e11},"
                + "{'from':'small-160M','to':'large-1.3B','budget':4.2e14}]}");
        JsonNode reliability = json("{'rows':[{'p':0.99,'steps':100,'success':0.366}]}");
        return new DemoRenderer.Tour(3, 40, Path.of("lab", "demo-data"), truth, chinchilla, forecast, power, bnsl, sigmoid,
                shape, small, large, budget, reliability, null, world, geometry, capabilities, null,
                List.of("scalelab runs import lab/demo-data/runs.csv", "scalelab reliability --p 0.99 --steps 100"));
    }

    @Test
    void demoReportSetsEachStepsResultBesideTheTruthFromTheResultsAlone() throws Exception {
        DemoRenderer.Tour tour = tour(null, null);
        String html = DemoRenderer.report(tour).html();
        assertTrue(html.contains("scaling laws on synthetic runs with known answers"), "the title of the law part alone");
        assertTrue(html.contains("Seed 3, 40 bootstrap replicates per fit"));
        // Each fitted value sits beside the truth it should recover.
        assertTrue(html.contains(TextTable.num(1.71)) && html.contains(TextTable.num(tour.truth().e())), "E fitted and true");
        double alpha = tour.truth().alpha();
        double beta = tour.truth().beta();
        // Compute-optimal size of the generating law: Hoffmann et al. 2022, eq. 4.
        double g = Math.pow(alpha * tour.truth().a() / (beta * tour.truth().b()), 1 / (alpha + beta));
        assertTrue(html.contains(TextTable.num(g * Math.pow(1e21 / 6, beta / (alpha + beta)))), "N_opt of the truth at 1e21 FLOP");
        assertTrue(html.contains("backtest mean relative error 1.23 %"));
        assertTrue(html.contains("first break at x ≈ " + TextTable.num(1.04e8)));
        assertTrue(html.contains("the generating curve's is " + TextTable.num(Math.pow(10, 19.5))), "the true 50 % point");
        assertTrue(html.contains("planted peak at " + TextTable.num(Math.pow(10, 8.4))));
        assertTrue(html.contains("no model (budget below one sample) → small-160M"), "a crossover from no model");
        assertTrue(html.contains(TextTable.num(100 * 0.366) + " %"), "task success in percent");
        assertTrue(html.contains("scalelab reliability --p 0.99 --steps 100"), "the commands run");
        assertTrue(!html.contains("The controlled world") && !html.contains("Reasoning geometry"), "no world part");
    }

    @Test
    void demoReportAddsTheWorldAndTheGeometryWhenTheSweepRan() throws Exception {
        JsonNode world = json("{'runs':[{'width':32,'depth':2,'parameters':41000,'status':'finished',"
                + "'final_accuracy':{'atomic_id':0.97,'compositional_near_ood':0.41,'analogical_ood':0.25,'trajectory_id':0.88}}],"
                + "'findings':[]}");
        JsonNode geometry = json("{'comparisons':[{'domain':'arithmetic','from':'world-demo-w32-d2','to':'world-demo-w64-d2',"
                + "'phase':'liquid','reason':'no metric changed beyond its interval'}]}");
        String html = DemoRenderer.report(tour(world, geometry)).html();
        assertTrue(html.contains("a controlled world, and reasoning geometry across model sizes"), "the title of the whole tour");
        assertTrue(html.contains("10. The controlled world") && html.contains("11. Reasoning geometry by domain and model size"));
        assertTrue(html.contains(TextTable.num(0.97)), "final accuracy per run");
        assertTrue(html.contains("no metric changed beyond its interval"), "the phase verdict's reason");
        assertTrue(html.indexOf("Reasoning geometry") < html.indexOf("Commands run"), "the commands come last");
    }

    @Test
    void demoReportShowsTheChainsPerLayerVerdictsAndTheCostOfThoughtsAnswer() throws Exception {
        JsonNode world = json("{'runs':[],'findings':[]}");
        JsonNode geometry = json("{'comparisons':[]}");
        JsonNode layers = json("{'comparisons':[{'from_hook':'blocks.0.hook_resid_post','to_hook':'blocks.1.hook_resid_post',"
                + "'verdict':{'domain':'modular','from':'w32-d1','to':'w64-d2','phase':'crystallization','reason':'dimension fell'}},"
                + "{'from_hook':'blocks.1.hook_resid_post','to_hook':'blocks.1.hook_resid_post',"
                + "'verdict':{'domain':'chain','from':'w32-d2','to':'w64-d2','phase':'liquid','reason':'nothing moved'}}]}");
        JsonNode cost = json("{'answer':'In modular, cost follows difficulty (rho 0.9 [0.8, 1.0]).',"
                + "'groups':[{'domain':'modular','model':'w64-d2','trajectories':80,'verdict':'DIFFICULTY',"
                + "'answer':'w64-d2 · modular: the cost of thought (steps) follows the difficulty, not the geometry: ρ(cost, difficulty) = 0.71 [0.52, 0.85]'}],"
                + "'trajectories':[{'model':'w64-d2','difficulty':2,'steps':2},{'model':'w64-d2','difficulty':2,'steps':1},"
                + "{'model':'w64-d2','difficulty':3,'steps':4},{'model':'w64-d2','difficulty':3,'steps':3},{'model':'w64-d2','difficulty':3,'steps':3}]}");
        DemoRenderer.Tour base = tour(world, geometry);
        DemoRenderer.Chains chains = new DemoRenderer.Chains(80, 3, 5, "regex:<e_\\d+>", layers, cost, List.of())
                .withCommands(List.of("scalelab geometry cost --acts a --unit step"));
        DemoRenderer.Tour t = new DemoRenderer.Tour(base.seed(), base.bootstrap(), base.data(), base.truth(), base.chinchilla(), base.forecast(),
                base.power(), base.bnsl(), base.sigmoid(), base.shape(), base.coverageSmall(), base.coverageLarge(), base.budget(),
                base.reliability(), null, world, geometry, chains, null, null, base.commands());
        String html = DemoRenderer.report(t).html();
        assertTrue(html.contains("12. Chains of thought: steps, layers and the cost of thought"), "the section");
        assertTrue(html.contains("blocks.0.hook_resid_post → blocks.1.hook_resid_post"), "a layer matched at its relative depth");
        assertTrue(html.contains("crystallization") && html.contains("nothing moved"), "each layer's verdict and reason");
        assertTrue(html.contains("In modular, cost follows difficulty (rho 0.9 [0.8, 1.0]).") , "the answer sentence");
        assertTrue(html.contains("ρ(cost, difficulty) = 0.71 [0.52, 0.85]"), "each group's answer with its interval");
        assertTrue(html.contains("trained to end each chain with &lt;eos&gt;") && html.contains("after 5 tokens is cut, with 4 steps"),
                "the chains end where the model ends them");
        // chain lengths per hop count: 2 hops → 2 chains, mean 1.50, one shorter, one as long; 3 hops → 3 chains, mean 3.33, 0/2/1
        String cells = html.replaceAll("<td[^>]*>", "<td>");
        assertTrue(cells.contains("<td>2</td><td>2</td><td>1.50</td><td>1</td><td>1</td><td>0</td>"), "2 hops");
        assertTrue(cells.contains("<td>3</td><td>3</td><td>3.33</td><td>0</td><td>2</td><td>1</td>"), "3 hops");
        assertTrue(html.contains("scalelab geometry cost --acts a --unit step"), "the step's commands");
        assertTrue(html.indexOf("11. Reasoning geometry") < html.indexOf("12. Chains of thought"), "after the world's geometry");
        assertTrue(!DemoRenderer.report(base).html().contains("Chains of thought"), "no section without chains");
    }

    private static JsonNode evalOf(String model, long params, double tf, double comp, double analogy) throws Exception {
        StringBuilder tasks = new StringBuilder();
        String[] names = {"world-true-false", "world-composition", "world-analogy"};
        double[] acc = {tf, comp, analogy};
        for (int i = 0; i < 3; i++) {
            double se = Math.sqrt(acc[i] * (1 - acc[i]) / 99); // sample standard deviation over √n, n = 100
            tasks.append(i == 0 ? "" : ",").append("{'task':'").append(names[i]).append("','n':100,'metrics':{'acc':{'value':").append(acc[i])
                    .append(",'stderr':").append(se).append("},'acc_norm':{'value':").append(acc[i] - 0.01).append(",'stderr':0.04}}}");
        }
        return json("{'model':'" + model + "','family':'scalelab','params':" + params + ",'tasks':[" + tasks + "]}");
    }

    @Test
    void demoReportShowsWhatEachSizeCanDoAndOneAnswerInsideTheLargest() throws Exception {
        JsonNode world = json("{'runs':[],'findings':[]}");
        JsonNode geometry = json("{'comparisons':[]}");
        List<JsonNode> evals = List.of(evalOf("demo-world-w64-d2", 90000, 0.81, 0.43, 0.37), evalOf("demo-world-w32-d1", 20000, 0.62, 0.3, 0.26));
        JsonNode compare = json("{'a':'/lab/demo-data/eval-w64-d2.jsonl','b':'/lab/demo-data/eval-w32-d1.jsonl','options':{'level':0.95},"
                + "'tasks':[{'task':'world-true-false','n':100,'mcnemar':{'acc':{'accuracy_a':0.81,'accuracy_b':0.62,'difference':0.19,'low':0.07,"
                + "'high':0.31,'p_value':0.0021}}}]}");
        JsonNode lens = json("{'target':'<e_3>','versus':'<e_9>','prompts':[{'id':'prompt','position':1,'last_token':'<f>',"
                + "'layers':[{'hook':'blocks.0.hook_resid_pre','target_logit':0.1,'target_rank':17,'target_probability':0.011,'logit_diff':0.02,"
                + "'top':[{'id':4,'text':'<e_1>','logit':1.0,'probability':0.05}]},"
                + "{'hook':'blocks.1.hook_resid_post','target_logit':6.5,'target_rank':0,'target_probability':0.93,'logit_diff':5.25,"
                + "'top':[{'id':5,'text':'<e_3>','logit':6.5,'probability':0.93}]}],"
                + "'contributions':[],'model_value':5.25,'attributed_value':5.2500004}]}");
        DemoRenderer.Capabilities c = new DemoRenderer.Capabilities(evals, compare, lens, "<e_7> <f>", "<e_3>", "<e_9>", "train",
                List.of("scalelab eval --model ckpt --name demo-world-w32-d1 --task t.jsonl --json"));
        String html = DemoRenderer.report(tour(world, geometry, c)).html();
        assertTrue(html.contains("13. What each size can do") && html.contains("14. Inside the largest model"));
        // acc ± stderr and acc_norm of every task and size, the smaller size first within a task.
        double se = Math.sqrt(0.62 * 0.38 / 99);
        assertTrue(html.contains(TextTable.num(0.62) + " ± " + TextTable.num(se)), "acc ± stderr of the small size's true/false");
        assertTrue(html.contains(TextTable.num(0.81 - 0.01)), "acc_norm of the large size's true/false");
        assertTrue(html.indexOf("demo-world-w32-d1</td>") < html.indexOf("demo-world-w64-d2</td>"), "sizes by parameters within a task");
        // The reading quotes the widest standard error: that of the acc nearest 0.5 (0.43 among these).
        assertTrue(html.contains("standard errors up to " + TextTable.num(Math.sqrt(0.43 * 0.57 / 99))), "the noise level read honestly");
        assertTrue(html.contains("capabilities.svg"), "the plot of acc against parameters");
        assertTrue(html.contains("eval-demo-world-w32-d1/index.html") && html.contains("eval-compare/index.html"), "links to the steps' reports");
        // The paired comparison: difference, its interval and McNemar's p, named by file.
        assertTrue(html.contains("acc A (eval-w64-d2.jsonl)"), "A named by its file");
        assertTrue(html.contains("[" + TextTable.num(0.07) + ", " + TextTable.num(0.31) + "]") && html.contains(TextTable.num(0.0021)));
        // The lens table and the attribution's sum beside the model's own value.
        assertTrue(html.contains("blocks.1.hook_resid_post") && html.contains(TextTable.num(5.25)), "lens rows");
        assertTrue(html.contains("&lt;e_7&gt; &lt;f&gt;") || html.contains("<e_7> <f>"), "the prompt read");
        assertTrue(html.contains("lens/head-attribution.svg") && html.contains("lens/index.html"));
        assertTrue(html.contains("scalelab eval --model ckpt --name demo-world-w32-d1"), "the steps' command lines in the section");
        assertTrue(html.indexOf("Inside the largest model") < html.indexOf("Commands run"), "the commands come last");
    }
}
