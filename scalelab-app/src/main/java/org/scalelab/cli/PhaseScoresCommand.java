package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.TextColumns;
import org.scalelab.phase.CriticalSize;
import org.scalelab.phase.ScoreCoupling;
import org.scalelab.phase.ScoreTable;
import org.scalelab.report.PhaseScoresRenderer;
import org.scalelab.store.LabStore;
import org.scalelab.store.QueryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "scores",
        mixinStandardHelpOptions = true,
        description = {
            "Whether two benchmark scores compete or cooperate across model sizes, from a table of model families.",
            "The coupling γ12 = Δb/Δa between consecutive sizes with its phase (tax, transition, bonus), Pearson r",
            "per family with a Fisher-z interval, the critical size N_c by the quadratic vertex and by the γ12 zero",
            "(each bootstrapped), width normalisation against its permutation null, and the benchmark-space",
            "dimension when more benchmarks are given (--also)."
        },
        footer = {"", "Examples:",
            "  scalelab phase scores --data scores.csv --a hellaswag --b truthfulqa --d-model-col d_model --seed 42",
            "  scalelab phase scores --query \"SELECT * FROM points\" --a hellaswag/acc_norm --b truthfulqa_mc2/acc \\",
            "      --a-stderr-col hellaswag/acc_norm_stderr --b-stderr-col truthfulqa_mc2/acc_stderr",
            "  (scores.csv: family,model,params,hellaswag,truthfulqa[,d_model]   e.g.   Pythia,pythia-1b,1e9,47.16,38.67)"})
final class PhaseScoresCommand implements Callable<Integer> {
    /** More query rows than this is not a table of model scores. */
    static final int MAX_QUERY_ROWS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--family-col", paramLabel = "COLUMN", defaultValue = "family", description = "Column naming the model family (default: ${DEFAULT-VALUE}).")
    String familyCol;

    @Option(names = "--model-col", paramLabel = "COLUMN", defaultValue = "model", description = "Column naming the model, unique in the table (default: ${DEFAULT-VALUE}).")
    String modelCol;

    @Option(names = "--params-col", paramLabel = "COLUMN", defaultValue = "params", description = "Column with the parameter count (default: ${DEFAULT-VALUE}).")
    String paramsCol;

    @Option(names = "--a", required = true, paramLabel = "COLUMN",
            description = "The first score, the denominator of γ12 (e.g. hellaswag).")
    String a;

    @Option(names = "--b", required = true, paramLabel = "COLUMN",
            description = "The second score, the numerator of γ12 and the quadratic's response (e.g. truthfulqa).")
    String b;

    @Option(names = "--a-stderr-col", paramLabel = "COLUMN", description = "Standard errors of the first score (γ12 intervals).")
    String aStderrCol;

    @Option(names = "--b-stderr-col", paramLabel = "COLUMN", description = "Standard errors of the second score (γ12 intervals).")
    String bStderrCol;

    @Option(names = "--d-model-col", paramLabel = "COLUMN", description = "Model width, for the width normalisation and its null.")
    String dModelCol;

    @Option(names = "--also", paramLabel = "COLUMN", split = ",",
            description = "More benchmark columns: the participation ratio of all benchmarks below and above N_c.")
    List<String> also = new ArrayList<>();

    @Option(names = "--width-ref", paramLabel = "D", defaultValue = "512",
            description = "d_ref of the width normalisation score / (d_model / d_ref). Default: ${DEFAULT-VALUE}.")
    double widthRef;

    @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "10000",
            description = "Bootstrap replicates of γ12 intervals and of both N_c estimates; 0: no intervals. Default: ${DEFAULT-VALUE}.")
    int bootstrap;

    @Option(names = "--permutations", paramLabel = "N", defaultValue = "10000",
            description = "Permutations of the width-normalisation null. Default: ${DEFAULT-VALUE}.")
    int permutations;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of every random draw. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tax-below", paramLabel = "G", defaultValue = "-0.1",
            description = "A step is 'tax' when γ12 < G. Default: ${DEFAULT-VALUE}.")
    double taxBelow;

    @Option(names = "--bonus-above", paramLabel = "G", defaultValue = "0.1",
            description = "A step is 'bonus' when γ12 > G; in between 'transition'. Default: ${DEFAULT-VALUE}.")
    double bonusAbove;

    @Option(names = "--min-delta-a", paramLabel = "D", defaultValue = "0",
            description = "γ12 is undefined when |Δa| ≤ D (0: only a tie). Default: ${DEFAULT-VALUE}.")
    double minDeltaA;

    @Option(names = "--vertex-range", paramLabel = "LO,HI", defaultValue = "7,12",
            description = "Bootstrap replicates keep N_c in (10^LO, 10^HI). Default: ${DEFAULT-VALUE}.")
    String vertexRange;

    @Option(names = "--nc-families", paramLabel = "FAMILY", split = ",",
            description = "Families pooled for N_c (default: all).")
    List<String> ncFamilies = new ArrayList<>();

    @Option(names = "--gamma-zero", paramLabel = "HOW", defaultValue = "interpolate",
            description = "How the γ12 zero is found: interpolate (last rise above 0 of the size-ordered steps) or fit "
                    + "(least-squares line in log10 N). Default: ${DEFAULT-VALUE}.")
    String gammaZero;

    @Option(names = "--single-size", paramLabel = "WHAT", defaultValue = "refuse",
            description = "A family with one model: refuse, or pool (use it only in the N_c fits). Default: ${DEFAULT-VALUE}.")
    String singleSize;

    @Override
    public Integer call() {
        ScoreCoupling.Options o = options();
        output.check(lab);
        ScoreTable.Columns c = new ScoreTable.Columns(familyCol, modelCol, paramsCol, a, b, aStderrCol, bStderrCol, dModelCol, also);
        ScoreTable table = ScoreTable.read(load(c.all()), c);
        ScoreCoupling.Result r = ScoreCoupling.analyze(table, o);
        CliSupport.emit(spec, lab, output, "phase.scores", r, r.provenance(), new PhaseScoresRenderer());
        return 0;
    }

    ScoreCoupling.Options options() {
        double[] range = CliSupport.doubles("--vertex-range", vertexRange);
        if (range.length != 2) {
            throw new InputException("--vertex-range " + vertexRange + ": give two log10 sizes LO,HI, e.g. 7,12");
        }
        CriticalSize.GammaZero how = switch (gammaZero.toLowerCase(Locale.ROOT)) {
            case "interpolate" -> CriticalSize.GammaZero.INTERPOLATE;
            case "fit" -> CriticalSize.GammaZero.FIT;
            default -> throw new InputException("--gamma-zero " + gammaZero + ": choose interpolate or fit");
        };
        boolean pool = switch (singleSize.toLowerCase(Locale.ROOT)) {
            case "refuse" -> false;
            case "pool" -> true;
            default -> throw new InputException("--single-size " + singleSize + ": choose refuse or pool");
        };
        return new ScoreCoupling.Options(bootstrap, permutations, seed, taxBelow, bonusAbove, minDeltaA, widthRef, range[0], range[1],
                ncFamilies, how, pool);
    }

    /** The columns as text, from --data (CSV, Parquet, JSONL) or from --query over the lab store. */
    TextColumns load(List<String> columns) {
        if (data.data != null && data.query != null) {
            throw new InputException("give either --data FILE or --query SQL, not both");
        }
        if (data.data != null) {
            return TextColumns.read(data.data, columns, List.of());
        }
        if (data.query == null) {
            throw new InputException("no input: give --data FILE (CSV, Parquet, JSONL) or --query \"SELECT … FROM points\"");
        }
        QueryResult q;
        try (LabStore store = LabStore.openReadOnly(lab.dir(), lab.waiting())) {
            q = store.sql(data.query, MAX_QUERY_ROWS);
        }
        if (q.truncated()) {
            throw new InputException("--query returned more than " + MAX_QUERY_ROWS + " rows; select one row per model");
        }
        String source = "query \"" + data.query.strip() + "\"";
        List<String[]> rows = new ArrayList<>();
        List<String> where = new ArrayList<>();
        StringBuilder content = new StringBuilder(data.query.strip()).append('\n');
        for (List<Object> row : q.rows()) {
            String[] text = new String[row.size()];
            for (int i = 0; i < text.length; i++) {
                Object v = row.get(i);
                text[i] = v == null ? null : v.toString();
                content.append(text[i]).append(i + 1 < text.length ? '\t' : '\n');
            }
            rows.add(text);
            where.add("row " + rows.size());
        }
        if (rows.isEmpty()) {
            throw new InputException(source + ": no rows");
        }
        for (String col : columns) {
            if (!q.columns().contains(col)) {
                throw new InputException(source + ": no column '" + col + "' (columns: " + String.join(", ", q.columns()) + ")");
            }
        }
        return new TextColumns(source, Provenance.sha256(content.toString()), q.columns(), rows, where);
    }
}
