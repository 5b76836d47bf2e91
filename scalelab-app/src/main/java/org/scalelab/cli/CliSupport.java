package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.DataInput;
import org.scalelab.io.Json;
import org.scalelab.io.NumericTable;
import org.scalelab.io.OutputFolder;
import org.scalelab.report.Renderer;
import org.scalelab.report.Report;
import org.scalelab.store.LabStore;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every command shares: where the lab is, where data come from, and how a result leaves the
 * program (table or JSON on stdout, a saved record in the lab store, a report folder).
 *
 * <p>The pattern of a command: parse options → load the input → analyze → store → emit, the last two
 * in {@link #emit(CommandSpec, LabOption, OutputOptions, String, Object, Provenance, Renderer)} with the
 * result's renderer from package {@code report} (the web dashboard calls the same renderers):
 * <pre>{@code
 * @Command(name = "passk", mixinStandardHelpOptions = true, description = ..., footer = {"Example:", "  scalelab testtime passk --data counts.csv"})
 * final class TestTimePassKCommand implements Callable<Integer> {
 *     @Spec CommandSpec spec;
 *     @Mixin CliSupport.LabOption lab;
 *     @Mixin CliSupport.OutputOptions output;
 *     @Option(names = "--data", required = true) Path data;
 *     public Integer call() {
 *         PassAtKInput.Data d = PassAtKInput.read(data, problemCol, nCol, cCol);
 *         PassAtK.Result r = PassAtK.analyze(new PassAtK.Input(d.problems(), List.of(d.input())),
 *                 new PassAtK.Options(TestTimeCommand.ints("--k", ks)));
 *         CliSupport.emit(spec, lab, output, "testtime.passk", r, r.provenance(), new PassAtKRenderer());
 *         return 0;
 *     }
 * }
 * }</pre>
 */
public final class CliSupport {
    private CliSupport() {}

    /** {@code --lab DIR}; default {@code $SCALELAB_LAB}, else {@code ./lab}. */
    public static final class LabOption {
        @Option(names = "--lab", paramLabel = "DIR",
                description = "Lab folder (store, models, reports). Default: $SCALELAB_LAB, else ./lab.")
        Path lab;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
                description = "When another process holds the lab (a sweep, an import), wait up to SECONDS for it; "
                        + "0 fails at once. Default: ${DEFAULT-VALUE}.")
        double waitSeconds = 30;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** How long to wait for a busy lab (--wait), telling stderr once that we wait and for whom. */
        public LabStore.Wait waiting() {
            if (!(waitSeconds >= 0) || waitSeconds > 86_400) {
                throw new InputException("--wait " + waitSeconds + ": give the seconds to wait for a busy lab, 0 to 86400");
            }
            PrintWriter err = mixee == null ? new PrintWriter(System.err, true) : mixee.commandLine().getErr();
            return new LabStore.Wait(Duration.ofMillis(Math.round(waitSeconds * 1000)), m -> {
                err.println("scalelab: " + m);
                err.flush();
            });
        }

        public Path dir() {
            String env = System.getenv("SCALELAB_LAB");
            boolean fromEnv = lab == null && env != null && !env.isBlank();
            Path dir = lab != null ? lab : fromEnv ? Paths.get(env) : Paths.get("lab");
            LabStore.checkFolder(dir, lab != null ? "--lab" : fromEnv ? "SCALELAB_LAB" : "lab folder");
            return dir;
        }
    }

    /** {@code --data FILE} or {@code --query SQL}: where an analysis reads its points. */
    public static final class DataOptions {
        @Option(names = "--data", paramLabel = "FILE",
                description = "CSV, Parquet or JSONL file with one row per run.")
        Path data;

        @Option(names = "--query", paramLabel = "SQL",
                description = "SQL over the lab store instead of a file, e.g. \"SELECT params, tokens, loss FROM points\".")
        String query;

        public boolean present() {
            return data != null || query != null;
        }

        /** Reads the named numeric columns, validated finite, from the file or the store query. */
        public NumericTable load(LabOption lab, List<String> columns) {
            if (data != null && query != null) {
                throw new InputException("give either --data FILE or --query SQL, not both");
            }
            if (data != null) {
                return DataInput.readFile(data, columns);
            }
            if (query != null) {
                return StoreAccess.query(lab, query, columns);
            }
            throw new InputException("no input: give --data FILE (CSV, Parquet, JSONL) or --query \"SELECT … FROM points\"");
        }
    }

    /** {@code --json}, {@code --out DIR}, {@code --no-store}. */
    public static final class OutputOptions {
        @Option(names = "--json", description = "Print the result record as JSON instead of a table.")
        boolean json;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Also write result.json, an HTML report and plots (SVG + PNG) to DIR: a new or empty folder, or a previous report (replaced).")
        Path out;

        @Option(names = "--no-store", description = "Do not save the result in the lab store.")
        boolean noStore;

        public boolean json() {
            return json;
        }

        public Path out() {
            return out;
        }

        /** Refuses an --out that a report may not be written to, before the analysis runs (see {@link OutputFolder}). */
        void check(LabOption lab) {
            if (out != null) {
                OutputFolder.check("--out", out, lab == null ? null : lab.dir(), Report.KIND);
            }
        }
    }

    /**
     * Sends a result where the user asked: JSON or the human table on stdout; the lab store (with
     * provenance) unless --no-store; a report folder when --out is given ({@code reportContent}
     * adds the plots and tables; result.json is always written there).
     */
    public static void emit(CommandSpec spec, LabOption lab, OutputOptions output, String analysis, Object result,
            Provenance provenance, Supplier<String> humanText, Consumer<Report> reportContent) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.out != null) {
            Report report = Report.create(title(analysis));
            if (reportContent != null) {
                reportContent.accept(report);
            }
            report.json(result);
            Path dir = report.write(output.out, lab == null ? null : lab.dir());
            if (!output.json) {
                out.println("report: " + dir.resolve("index.html"));
            }
        }
        if (!output.noStore && lab != null) {
            long id = StoreAccess.saveResult(lab, analysis, result, provenance);
            if (!output.json && id >= 0) {
                out.println("saved as result " + id + " in " + lab.dir().resolve("scalelab.duckdb"));
            }
        }
        if (output.json) {
            out.println(Json.pretty(result));
        } else {
            out.println(humanText.get());
        }
        out.flush();
    }

    /** {@link #emit(CommandSpec, LabOption, OutputOptions, String, Object, Provenance, Supplier, Consumer)} with a result's renderer. */
    public static <R> void emit(CommandSpec spec, LabOption lab, OutputOptions output, String analysis, R result,
            Provenance provenance, Renderer<R> renderer) {
        emit(spec, lab, output, analysis, result, provenance, () -> renderer.text(result), report -> renderer.section(report, result));
    }

    /** A command's name as a user types it after {@code scalelab}, e.g. {@code fit chinchilla}. */
    static String commandName(CommandSpec spec) {
        String q = spec.qualifiedName(" ");
        int space = q.indexOf(' ');
        return space < 0 ? q : q.substring(space + 1);
    }

    static String title(String analysis) {
        return "ScaleLab — " + analysis;
    }

    /** Splits "1e21,1e22" into doubles, naming the option on a bad value. */
    public static double[] doubles(String option, String csv) {
        String[] parts = csv.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InputException(option + ": '" + parts[i].trim() + "' is not a number (expected e.g. 1e21,1e22)");
            }
            if (!Double.isFinite(v[i])) {
                throw new InputException(option + ": value " + parts[i].trim() + " is not finite");
            }
        }
        return v;
    }
}
