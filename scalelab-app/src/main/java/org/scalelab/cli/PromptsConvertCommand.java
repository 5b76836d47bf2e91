package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.scalelab.io.Json;
import org.scalelab.io.OutputFolder;
import org.scalelab.model.PromptSetConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scalelab prompts convert}: a chain-of-thought prompt set from dataset rows (see {@link PromptSetConverter}). */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {"Convert dataset rows (GSM8K, MATH, or generic {text, domain, difficulty}) to a chain-of-thought prompt set.",
            "IN holds the rows as JSON lines (Dataset.to_json) or one JSON array. gsm8k: question/answer, difficulty = the",
            "reasoning lines of the reference answer before \"####\" (a proxy), domain math; math: problem/level/type,",
            "difficulty = the level's number (\"Level ?\" rows get none: counted), domain = type; generic: the text as written.",
            "GSM8K and MATH prompts end with the cue \"Let's think step by step.\". Ids are kept, else FILE-ROW."},
        footer = {"", "Example:", "  scalelab prompts convert --from gsm8k gsm8k_test.jsonl --out prompts/gsm8k.jsonl --limit 500",
            "  scalelab prompts convert --from math algebra.jsonl geometry.jsonl --out prompts/math.jsonl",
            "  scalelab generate --model lab/models/m --prompts prompts/gsm8k.jsonl --steps newline --max-tokens 256 \\",
            "      --capture-hooks 'blocks.*.hook_resid_post' --capture-out lab/activations/gsm8k-m"})
final class PromptsConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "LAYOUT", description = "The rows' layout: gsm8k, math or generic.")
    String from;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The prompts file to write (a new file unless --force).")
    Path out;

    @Option(names = "--domain", paramLabel = "D", description = "Give every prompt this domain (instead of math for gsm8k, the type for math, the row's for generic).")
    String domain;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Convert only the first N rows (in the order of the files). Default: all.")
    int limit;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print what was written as JSON.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "IN", description = "Files of rows: JSON lines or a JSON array each.")
    List<Path> in;

    @Override
    public Integer call() {
        PromptSetConverter.Options o = new PromptSetConverter.Options(PromptSetConverter.Format.parse(from), domain, limit);
        OutputFolder.checkFile("--out", out, null, force, "--force");
        PromptSetConverter.Result r = PromptSetConverter.convert(in, o);
        PromptSetConverter.write(r, out);
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("from", o.format().label());
            m.put("prompts", r.prompts().size());
            m.put("without_difficulty", r.withoutDifficulty());
            m.put("domains", r.domains());
            pw.println(Json.pretty(m));
        } else {
            String domains = r.domains().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            pw.printf("wrote %s: %d prompts (%s)%n", out, r.prompts().size(), domains);
            if (r.withoutDifficulty() > 0) {
                pw.printf("%d prompt(s) without a difficulty (%s)%n", r.withoutDifficulty(),
                        o.format() == PromptSetConverter.Format.MATH ? "level \"Level ?\"" : "no difficulty in the row");
            }
        }
        pw.flush();
        return 0;
    }
}
