package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.SqlText;
import org.scalelab.report.TextTable;
import org.scalelab.store.ImportOptions;
import org.scalelab.store.ImportSummary;
import org.scalelab.store.LabStore;
import org.scalelab.store.LmEvalResults;
import org.scalelab.store.ModelSizes;
import org.scalelab.store.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Import runs into the lab store from a table or lm-evaluation-harness results.",
            "A table is a CSV/TSV, Parquet or JSONL file of runs (one per row); with --format",
            "lm-eval, each result JSON of lm-evaluation-harness is one run.",
            "Table columns default to their role's name (params, tokens, compute, model, family;",
            "metric loss from a 'loss' column). Give params (a score table: tokens and compute",
            "stay empty), or two of params, tokens and compute: the third follows from C = 6·N·D.",
            "lm-eval files: metrics are named task/metric (arc_easy/acc), their stderr kept; the",
            "size comes from --params, --sizes, the file's model_num_parameters or the model name",
            "(pythia-1.4b, Llama-2-7b); the step from --step or the revision (step143000).",
            "Everything is checked before anything is written (all files of one command in one",
            "transaction); a problem prints one line naming file, row or field and value, exits",
            "with 2 and leaves the store unchanged."
        },
        footer = {"", "Examples:", "  scalelab runs import data/chinchilla_hoffmann2022_fig4.csv",
            "  scalelab runs import runs.parquet --params-col n_params --tokens-col n_tokens --metric loss=final_loss --model-col name",
            "  scalelab runs import leaderboard.csv --metric arc=arc_challenge          # model,family,params,arc_challenge",
            "  scalelab runs import --format lm-eval results/*/results_*.json --tokens-per-step 2097152",
            "  scalelab runs import --format lm-eval gpt2-xl.json --sizes sizes.csv       # sizes.csv: model,params[,tokens]"})
final class RunsImportCommand implements Callable<Integer> {
    /** What the files are: tables of runs, or lm-evaluation-harness result files. */
    enum Format { table, lm_eval }

    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "Runs table (.csv, .tsv, .csv.gz, .parquet, .jsonl/.ndjson/.json), or with --format lm-eval result JSONs.")
    List<Path> files;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", converter = FormatConverter.class,
            description = "table (default) or lm-eval.")
    Format format;

    @Option(names = "--params-col", paramLabel = "COLUMN", description = "Column with the parameter count N (default: 'params' if present).")
    String paramsCol;

    @Option(names = "--tokens-col", paramLabel = "COLUMN", description = "Column with the training tokens D (default: 'tokens' if present).")
    String tokensCol;

    @Option(names = "--compute-col", paramLabel = "COLUMN", description = "Column with the training FLOPs C (default: 'compute' if present).")
    String computeCol;

    @Option(names = "--metric", paramLabel = "NAME=COLUMN",
            description = "A metric to store, e.g. loss=final_loss (repeatable; default: loss=loss if a 'loss' column exists).")
    List<String> metrics;

    @Option(names = "--family-col", paramLabel = "COLUMN", description = "Column naming the model family (default: 'family' if present).")
    String familyCol;

    @Option(names = "--model-col", paramLabel = "COLUMN", description = "Column naming the model or run (default: 'model' if present).")
    String modelCol;

    @Option(names = "--min-rows", paramLabel = "N", defaultValue = "1", description = "Refuse files with fewer data rows (default: ${DEFAULT-VALUE}).")
    int minRows;

    @Option(names = "--params", paramLabel = "N", description = "lm-eval: parameter count of the model of every file (e.g. 1.4e9).")
    Double params;

    @Option(names = "--sizes", paramLabel = "CSV", description = "lm-eval: table of sizes with header model,params[,tokens][,family].")
    Path sizes;

    @Option(names = "--tokens", paramLabel = "D", description = "lm-eval: training tokens of every file's model.")
    Double tokens;

    @Option(names = "--tokens-per-step", paramLabel = "T",
            description = "lm-eval: tokens per training step; tokens = step × T (Pythia: 2097152).")
    Double tokensPerStep;

    @Option(names = "--step", paramLabel = "S", description = "lm-eval: training step of every file's checkpoint.")
    Long step;

    @Option(names = "--model", paramLabel = "NAME", description = "lm-eval: model name of every file (default: the file's).")
    String model;

    @Option(names = "--family", paramLabel = "NAME", description = "lm-eval: family label (default: --sizes, else the name before its size).")
    String family;

    @Option(names = "--json", description = "Print the import summary as JSON.")
    boolean json;

    /** Accepts lm-eval (as users type it) for {@link Format#lm_eval}. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "table", "csv", "parquet", "jsonl" -> Format.table;
                case "lm-eval", "lm_eval", "lmeval" -> Format.lm_eval;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a format; use table or lm-eval");
            };
        }
    }

    @Override
    public Integer call() {
        if (format == Format.lm_eval) {
            return importLmEval();
        }
        refuse("--params", params, "--params-col COLUMN");
        refuse("--sizes", sizes, "a params column");
        refuse("--tokens", tokens, "--tokens-col COLUMN");
        refuse("--tokens-per-step", tokensPerStep, "--tokens-col COLUMN");
        refuse("--step", step, null);
        refuse("--model", model, "--model-col COLUMN");
        refuse("--family", family, "--family-col COLUMN");
        if (files.size() != 1) {
            throw new InputException("a table of runs is imported one file at a time; got " + files.size() + " files (with --format lm-eval, "
                    + "give several result files at once)");
        }
        Path file = files.get(0);
        Map<String, String> m = ImportOptions.parseMetrics(metrics);
        ImportOptions options = new ImportOptions(paramsCol, tokensCol, computeCol, m, familyCol, modelCol, minRows);
        ImportSummary s;
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            s = store.importRuns(file, options);
        } catch (InputException e) {
            if (looksLikeLmEval(file)) {
                throw new InputException(e.getMessage() + " (this looks like an lm-evaluation-harness result file: import it with --format lm-eval)", e);
            }
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(s));
        } else {
            out.println("imported " + s.rows() + " runs from " + s.source() + " as import " + s.importId() + " (sha256 "
                    + s.sha256().substring(0, 12) + "…) into " + lab.dir().resolve(LabStore.FILE_NAME));
            StringBuilder cols = new StringBuilder("columns:");
            s.columns().forEach((role, col) -> cols.append(' ').append(role).append(" ← ").append(col).append(';'));
            out.println(cols.substring(0, cols.length() - 1));
            if (!s.derived().isEmpty()) {
                out.println("derived: " + String.join("; ", s.derived()) + "  (C = 6·N·D, Kaplan et al. 2020)");
            }
            if (!s.columns().containsKey("tokens") && !s.columns().containsKey("compute")) {
                out.println("no tokens or compute (a score table with parameters alone): fit chinchilla and forecast cannot use these runs; "
                        + "fit power, shape and sigmoid over params can");
            }
            out.println("query them with: scalelab runs sql \"SELECT * FROM points LIMIT 10\"");
        }
        out.flush();
        return 0;
    }

    /** A .json file whose first 64 KB hold a "results" key: most likely a harness result given without --format lm-eval. */
    private static boolean looksLikeLmEval(Path file) {
        if (!file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
            return false;
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            String head = new String(in.readNBytes(1 << 16), java.nio.charset.StandardCharsets.UTF_8);
            return head.stripLeading().startsWith("{") && head.contains("\"results\"");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void refuse(String option, Object value, String instead) {
        if (value != null) {
            throw new InputException(option + " is for --format lm-eval" + (instead == null ? "" : "; a table of runs gives it with " + instead));
        }
    }

    private static Double positive(String option, Double v) {
        if (v != null && !(Double.isFinite(v) && v > 0)) {
            throw new InputException(option + " " + v + ": must be a finite number > 0");
        }
        return v;
    }

    /** Reads every result file first, then imports them all in one transaction (any problem: nothing written). */
    private int importLmEval() {
        if (paramsCol != null || tokensCol != null || computeCol != null || familyCol != null || modelCol != null
                || (metrics != null && !metrics.isEmpty()) || minRows != 1) {
            throw new InputException("--params-col, --tokens-col, --compute-col, --model-col, --family-col, --metric and --min-rows map "
                    + "table columns; with --format lm-eval use --params, --sizes, --tokens, --tokens-per-step, --step, --model, --family");
        }
        if (step != null && step < 0) {
            throw new InputException("--step " + step + ": must be >= 0");
        }
        LmEvalResults.Options options = new LmEvalResults.Options(positive("--params", params), positive("--tokens", tokens),
                positive("--tokens-per-step", tokensPerStep), step, model, family, sizes == null ? ModelSizes.none() : ModelSizes.read(sizes));
        List<LmEvalResults.Read> read = new ArrayList<>();
        for (Path f : files) {
            read.add(LmEvalResults.read(f, options));
        }
        List<ImportSummary> summaries;
        try (LabStore store = LabStore.open(lab.dir(), lab.waiting())) {
            summaries = store.importRecords(read.stream().map(LmEvalResults.Read::source).toList());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < read.size(); i++) {
                RunRecord r = read.get(i).run();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("import", summaries.get(i));
                row.put("layout", read.get(i).layout());
                row.put("model", r.model());
                row.put("family", r.family());
                row.put("params", r.params());
                row.put("tokens", r.tokens());
                row.put("step", r.step());
                row.put("from", read.get(i).from());
                row.put("metrics", r.metrics().size());
                row.put("with_stderr", r.stderr().size());
                rows.add(row);
            }
            out.println(Json.pretty(rows));
            out.flush();
            return 0;
        }
        int noTokens = 0;
        String example = null;
        for (int i = 0; i < read.size(); i++) {
            LmEvalResults.Read r = read.get(i);
            RunRecord run = r.run();
            ImportSummary s = summaries.get(i);
            out.println("imported '" + run.model() + "' from " + s.source() + " (lm-eval " + r.layout() + ") as import " + s.importId()
                    + ": params " + TextTable.num(run.params()) + " (" + r.from().get("params") + ")"
                    + (run.step() == null ? "" : ", step " + run.step() + " (" + r.from().get("step") + ")")
                    + ", tokens " + (run.tokens() == null ? "—" : TextTable.num(run.tokens()) + " (" + r.from().get("tokens") + ")")
                    + "; " + run.metrics().size() + " metrics, " + run.stderr().size() + " with stderr");
            if (run.tokens() == null) {
                noTokens++;
            }
            if (example == null) {
                example = run.metrics().keySet().iterator().next();
            }
        }
        if (noTokens > 0) {
            out.println(noTokens + " of " + read.size() + " runs have no tokens: fit chinchilla and forecast cannot use them "
                    + "(give --tokens, --tokens-per-step or a tokens column in --sizes); fit power, shape and sigmoid over params can");
        }
        String col = SqlText.ident(example).replace("\"", "\\\"");
        out.println("query them with: scalelab runs sql \"SELECT model, params, step, " + col + " FROM points\"");
        out.flush();
        return 0;
    }
}
