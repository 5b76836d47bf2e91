package org.scalelab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.Json;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.ComputeOptimal;
import org.scalelab.report.ForecastRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "forecast",
        mixinStandardHelpOptions = true,
        description = {
            "Compute-optimal model size and tokens for training budgets, or the loss at a given (N, D), from a Chinchilla fit.",
            "",
            "With C = 6ND: N_opt = G (C/6)^a, D_opt = (C/6)^b / G, G = (alpha A / (beta B))^(1/(alpha+beta)), "
                    + "a = beta/(alpha+beta), b = alpha/(alpha+beta) (Hoffmann et al. 2022, eq. 4). "
                    + "95%% intervals: the same formulas at every bootstrap replicate's parameters.",
            ""
        },
        footer = {"", "Examples:",
            "  scalelab forecast --data data/chinchilla_hoffmann2022_fig4.csv \\",
            "      --drop-highest-loss 5 --compute 1e21,1e23,5.76e23",
            "  scalelab fit chinchilla --data runs.csv --keep-replicates --json \\",
            "      --no-store > fit.json",
            "  scalelab forecast --fit fit.json --params 7e10 --tokens 1.4e12",
            "Without replicates in the saved fit there are no intervals."})
final class ForecastCommand implements Callable<Integer> {
    @Mixin
    ChinchillaInput input;

    @Option(names = "--fit", paramLabel = "FILE", description = "A saved Chinchilla fit (JSON from `scalelab fit chinchilla --json`) instead of fitting --data.")
    Path fit;

    @Option(names = "--compute", paramLabel = "C,C,…", description = "Training budgets in FLOP, e.g. 1e21,1e22.")
    String compute;

    @Option(names = "--params", paramLabel = "N,N,…", description = "Model sizes (parameters) for loss predictions; pair with --tokens.")
    String params;

    @Option(names = "--tokens", paramLabel = "D,D,…", description = "Training tokens for loss predictions, one per --params value.")
    String tokens;

    @Override
    public Integer call() {
        double[] budgets = compute == null ? new double[0] : CliSupport.doubles("--compute", compute);
        double[] n = params == null ? new double[0] : CliSupport.doubles("--params", params);
        double[] d = tokens == null ? new double[0] : CliSupport.doubles("--tokens", tokens);
        if (budgets.length == 0 && n.length == 0 && d.length == 0) {
            throw new InputException("nothing to forecast: give --compute 1e21,1e22 and/or --params N --tokens D");
        }
        ComputeOptimal.Forecast f;
        if (fit != null) {
            if (input.data.present()) {
                throw new InputException("give either --fit FILE or --data/--query, not both");
            }
            f = fromSaved(fit, budgets, n, d);
        } else {
            ChinchillaResult r = input.law.fit(input.load());
            if (r.status() != org.scalelab.laws.FitStatus.CONVERGED) {
                throw new org.scalelab.ScaleLabException("the Chinchilla fit is " + r.status().json() + ": " + r.reason()
                        + "; no forecast from it");
            }
            f = ComputeOptimal.forecast(r, budgets, n, d);
        }
        ComputeOptimal.Forecast result = f;
        input.emit("forecast.chinchilla", result, result.provenance(),
                () -> ForecastRenderer.text(result), report -> ForecastRenderer.section(report, result));
        return 0;
    }

    static ComputeOptimal.Forecast fromSaved(Path file, double[] budgets, double[] n, double[] d) {
        JsonNode j;
        try {
            j = Json.mapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InputException(file + ": cannot read as JSON (" + Json.problem(e) + ")", e);
        }
        if (j == null || !j.isObject()) {
            throw new InputException(file + ": not a Chinchilla fit (expected a JSON object); save one with scalelab fit chinchilla --json");
        }
        if (!"chinchilla".equals(j.path("law").asText())) {
            throw new InputException(file + ": not a Chinchilla fit (\"law\" is '" + InputException.quote(j.path("law").asText())
                    + "'); save one with scalelab fit chinchilla --json");
        }
        JsonNode p = j.path("params");
        double[] v = new double[5];
        for (int i = 0; i < 5; i++) {
            String k = ChinchillaResult.PARAM_NAMES.get(i);
            if (!p.path(k).isNumber() || !Double.isFinite(p.path(k).asDouble())) {
                throw new InputException(file + ": params." + k + " is " + (p.path(k).isNumber() ? InputException.quote(p.path(k)) : "missing or null")
                        + " (fit status '" + InputException.quote(j.path("status").asText()) + "'); no forecast from it");
            }
            v[i] = p.path(k).asDouble();
        }
        List<ChinchillaResult.Params> reps = new ArrayList<>();
        JsonNode replicates = j.path("replicates");
        if (!replicates.isMissingNode() && !replicates.isNull() && !replicates.isArray()) {
            throw new InputException(file + ": field \"replicates\" is " + InputException.quote(replicates) + "; expected an array of [E, A, B, alpha, beta]");
        }
        int r = 0;
        for (JsonNode row : replicates) {
            double[] x = new double[5];
            for (int i = 0; i < 5; i++) {
                JsonNode e = row.path(i);
                if (!row.isArray() || row.size() != 5 || !e.isNumber() || !Double.isFinite(e.asDouble())) {
                    throw new InputException(file + ": replicates[" + r + "] is " + InputException.quote(row)
                            + "; expected five finite numbers [E, A, B, alpha, beta]");
                }
                x[i] = e.asDouble();
            }
            reps.add(new ChinchillaResult.Params(x[0], x[1], x[2], x[3], x[4]));
            r++;
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("compute", budgets);
        options.put("params", n);
        options.put("tokens", d);
        Provenance prov = Provenance.of("forecast chinchilla",
                List.of(new Provenance.Input(file.toString(), Provenance.sha256(file), 1)), options, null);
        return ComputeOptimal.forecast(ChinchillaResult.Params.fromRow(v), reps, budgets, n, d, prov);
    }
}
