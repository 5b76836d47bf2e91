package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.eval.EvalTask;
import org.scalelab.eval.EvalTaskConverter;
import org.scalelab.io.OutputFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scalelab eval convert}: task files from Hugging Face dataset rows (see {@link EvalTaskConverter}). */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {"Convert Hugging Face dataset rows (TruthfulQA-MC, HellaSwag, ARC, PIQA) to a task file.",
            "IN holds the rows as JSON lines (Dataset.to_json) or one JSON array, in the dataset's own schema;",
            "OUT gets one example per line with lm-evaluation-harness's prompt for that benchmark.",
            "truthfulqa writes two tasks beside OUT: <name>_mc1.jsonl and <name>_mc2.jsonl.",
            "Unlabelled rows (test splits) are refused: convert the validation split."},
        footer = {"", "Example:", "  scalelab eval convert --format arc arc_easy_validation.jsonl tasks/arc_easy.jsonl",
            "  scalelab eval convert --format truthfulqa truthful_qa_mc_validation.jsonl tasks/truthfulqa.jsonl"})
final class EvalConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "The benchmark the rows come from: truthfulqa, hellaswag, arc or piqa.")
    String format;

    @Option(names = "--force", description = "Replace OUT (and, for truthfulqa, its _mc1/_mc2 files) if it exists.")
    boolean force;

    @Parameters(index = "0", paramLabel = "IN", description = "The dataset's rows: JSON lines or a JSON array.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The task file to write (a new file unless --force).")
    Path out;

    @Override
    public Integer call() {
        EvalTaskConverter.Format f = EvalTaskConverter.Format.parse(format);
        List<EvalTask> tasks = EvalTaskConverter.convert(f, in, out);
        // every file is checked before any is written, so a refusal leaves nothing half done
        for (EvalTask t : tasks) {
            OutputFolder.checkFile("OUT", t.file(), null, force, "--force");
        }
        PrintWriter pw = spec.commandLine().getOut();
        for (EvalTask t : tasks) {
            t.write();
            pw.printf("wrote %s: task %s, %d examples%n", t.file(), t.name(), t.examples().size());
        }
        pw.flush();
        return 0;
    }
}
