package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.List;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code scalelab} command. Each subcommand = load inputs → call one analysis → print, store and
 * render its result record. Failures the user can fix ({@link ScaleLabException}) print one line on
 * stderr and exit with the exception's code (2 for bad input); a stack trace only with SCALELAB_DEBUG=1.
 */
@Command(
        name = "scalelab",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Measure how model behaviour changes with scale.",
            "Fit and forecast scaling laws, test-time scaling and compounding reliability; train, capture",
            "and steer transformers; run the controlled world; measure the geometry of activations.",
            ""
        },
        footer = {
            "",
            "Start with:  scalelab demo          (writes lab/reports/demo/index.html)",
            "Every command has --help with a copy-pasteable example.",
            "Environment: SCALELAB_LAB (default lab folder), SCALELAB_DEBUG=1 (stack traces)."
        })
public final class Main extends CommandTree.Group {
    /** The top-level commands, in the order --help lists them; register a new command here (one line). */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            CommandLine.HelpCommand.class,
            DemoCommand.class,
            RunsCommand.class,
            FitCommand.class,
            ForecastCommand.class,
            TestTimeCommand.class,
            ReliabilityCommand.class,
            GeometryCommand.class,
            ResultsCommand.class,
            ServeCommand.class,
            ModelCommand.class,
            CaptureCommand.class,
            GenerateCommand.class,
            PromptsCommand.class,
            DirectionCommand.class,
            PatchCommand.class,
            LensCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            PhaseCommand.class,
            WorldCommand.class);

    @Override
    List<Class<?>> subcommands() {
        return SUBCOMMANDS;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        TerminalProgress.installIfInteractive();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line in-process (tests use this) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** The whole command tree, configured (for running several command lines, or reading the tree). */
    static CommandLine commandLine() {
        return configure(CommandTree.full(new Main()));
    }

    /**
     * A command tree that runs {@code args} exactly as the whole tree would, built only along the branch
     * they name (see {@link CommandTree}): starting picocli for one command instead of all of them.
     */
    static CommandLine commandLine(String[] args) {
        return configure(CommandTree.forArgs(new Main(), args));
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Throwable t = ex;
            while (!(t instanceof ScaleLabException) && t.getCause() != null && t != t.getCause()) {
                t = t.getCause();
            }
            if (System.getenv("SCALELAB_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            if (t instanceof ScaleLabException sle) {
                err.println("scalelab: error: " + sle.getMessage());
                err.flush();
                return sle.exitCode();
            }
            err.println("scalelab: internal error: " + ex + " (run with SCALELAB_DEBUG=1 for the stack trace, and report it)");
            err.flush();
            return 1;
        });
        cl.setExecutionStrategy(Main::checkOutputsThenRun);
        // Usage errors (unknown option, bad value) are bad input: exit code 2, like other bad input.
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? 2 : 1);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // Examples in footers are long command lines: wrap help at 110 columns, or the terminal's width when wider.
        cl.setUsageHelpWidth(110);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    /**
     * Refuses a report --out that may not be written (a file, the lab, a folder of the user's) before
     * the command does its work, so a long analysis is not run only to be refused at the end.
     */
    private static int checkOutputsThenRun(CommandLine.ParseResult parseResult) {
        CommandLine.ParseResult leaf = parseResult;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        CliSupport.OutputOptions output = null;
        CliSupport.LabOption lab = null;
        for (CommandLine.Model.CommandSpec mixin : leaf.commandSpec().mixins().values()) {
            if (mixin.userObject() instanceof CliSupport.OutputOptions o) {
                output = o;
            } else if (mixin.userObject() instanceof CliSupport.LabOption l) {
                lab = l;
            }
        }
        if (output != null && !leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested()) {
            try {
                output.check(lab);
            } catch (ScaleLabException e) {
                throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ScaleLab " + Provenance.scalelabVersion() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
