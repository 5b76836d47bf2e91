package org.scalelab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.Provenance;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.NpyFile;
import org.scalelab.io.OutputFolder;
import org.scalelab.phase.CapabilityDirections;
import org.scalelab.phase.LabelledPoints;
import org.scalelab.report.PhaseDirectionsRenderer;
import org.scalelab.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "directions",
        mixinStandardHelpOptions = true,
        description = {
            "Find the directions of a capability per model size and layer, with held-out accuracy and stability.",
            "Per activation set (model size) and hook: the centred difference-of-means direction, the",
            "PCA-of-paired-differences direction and an L2 logistic probe;",
            "held-out accuracy of the probe and of the mean difference with Wilson intervals; stability of",
            "the direction across random halves. --out writes each direction as a unit float32 .npy",
            "(DIR/<set folder>/<hook>.<mean_diff|pca_diff|probe>.npy) beside the report."
        },
        footer = {"", "Example:", "  scalelab phase directions --set lab/activations/truth-s --set lab/activations/truth-m \\",
            "      --hook 'blocks.*.hook_resid_post' --positive labels.truth=true --negative labels.truth=false --out lab/reports/truth-dirs"})
final class PhaseDirectionsCommand implements Callable<Integer> {
    /** The {@link OutputFolder} kind of the --out folder: a previous one may be replaced with --force. */
    static final String KIND = "phase-directions";

    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--set", required = true, paramLabel = "DIR",
            description = "Activation set folder (from scalelab capture), one per model size; repeat for several sizes.")
    List<Path> sets;

    @Option(names = "--hook", required = true, paramLabel = "PATTERN", split = ",",
            description = "Captured hook(s): a name, a comma list, or a pattern where * stands for a layer number, e.g. 'blocks.*.hook_resid_post'.")
    List<String> hooks;

    @Option(names = "--positive", required = true, paramLabel = "KEY=VALUE",
            description = "The first class (directions point toward it): domain=X, id=X or labels.NAME=X.")
    String positive;

    @Option(names = "--negative", required = true, paramLabel = "KEY=VALUE", description = "The second class (same syntax).")
    String negative;

    @Option(names = "--where", paramLabel = "KEY=VALUE",
            description = "Keep only the prompts this also accepts, in both classes (repeatable), e.g. labels.split=train.")
    List<String> where = new ArrayList<>();

    @Option(names = "--pool", defaultValue = "last", paramLabel = "last|mean",
            description = "One vector per prompt: its last token's row, or the mean of its rows (default: ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--holdout", defaultValue = "0.25", description = "Fraction of each class held out for the accuracies (default: ${DEFAULT-VALUE}).")
    double holdout;

    @Option(names = "--resamples", defaultValue = "200", description = "Random halvings for the stability (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--c", defaultValue = "1.0", description = "The probe's inverse L2 regularisation, as scikit-learn's C (default: ${DEFAULT-VALUE}).")
    double c;

    @Option(names = "--level", defaultValue = "0.95", description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
    double level;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the held-out split and the halvings (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write the direction .npy files, result.json and an HTML report with plots to DIR: a new or empty folder"
                    + " (a previous phase directions output only with --force).")
    Path out;

    @Option(names = "--force", description = "Replace a previous phase directions output in --out.")
    boolean force;

    @Option(names = "--json", description = "Print the result record as JSON instead of a table.")
    boolean json;

    @Option(names = "--no-store", description = "Do not save the result in the lab store.")
    boolean noStore;

    @Override
    public Integer call() {
        CapabilityDirections.Options options = new CapabilityDirections.Options(holdout, resamples, c, level, seed);
        LabelledPoints.Pool how = switch (pool.toLowerCase(Locale.ROOT)) {
            case "last" -> LabelledPoints.Pool.LAST;
            case "mean" -> LabelledPoints.Pool.MEAN;
            default -> throw new InputException("--pool " + pool + ": use last or mean");
        };
        org.scalelab.io.TrajectoryFilter.parse(positive);
        org.scalelab.io.TrajectoryFilter.parse(negative);
        where.forEach(org.scalelab.io.TrajectoryFilter::parse);
        checkSetNames();
        Path labDir = noStore && out == null ? null : lab.dir();
        if (out != null) {
            checkOut(labDir);
        }

        List<ActivationSet> opened = new ArrayList<>();
        Map<ActivationSet, List<String>> hooksOf = new LinkedHashMap<>();
        List<Provenance.Input> inputs = new ArrayList<>();
        for (Path s : sets) {
            ActivationSet set = ActivationSet.open(s);
            opened.add(set);
            hooksOf.put(set, matchingHooks(set));
            Path manifest = s.resolve(ActivationManifest.FILE);
            inputs.add(new Provenance.Input(manifest.toString(), Provenance.sha256(manifest), set.trajectories().size()));
        }
        List<CapabilityDirections.Result> results = new ArrayList<>();
        long total = hooksOf.values().stream().mapToLong(List::size).sum();
        try (Progress.Task task = Progress.start("phase directions", total)) {
            for (ActivationSet set : opened) {
                for (String hook : hooksOf.get(set)) {
                    LabelledPoints points = LabelledPoints.read(set, hook, positive, negative, where, how);
                    results.add(CapabilityDirections.analyze(points, options));
                    task.step();
                }
            }
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("positive", positive);
        recorded.put("negative", negative);
        recorded.put("where", where);
        recorded.put("pool", how.name().toLowerCase(Locale.ROOT));
        recorded.put("hooks", hooks);
        recorded.put("holdout", holdout);
        recorded.put("resamples", resamples);
        recorded.put("c", c);
        recorded.put("level", level);
        CapabilityDirections.Run run = new CapabilityDirections.Run(positive, negative, how.name().toLowerCase(Locale.ROOT), options, results,
                Provenance.of("phase.directions", inputs, recorded, seed));
        PhaseDirectionsRenderer renderer = new PhaseDirectionsRenderer();
        int files = 0;
        if (out != null) {
            Report report = Report.create(CliSupport.title("phase.directions"));
            renderer.section(report, run);
            report.json(run);
            OutputFolder.write("--out", out, labDir, KIND, staging -> {
                for (CapabilityDirections.Result r : results) {
                    Path folder = Files.createDirectories(staging.resolve(Path.of(r.set()).getFileName().toString()));
                    for (CapabilityDirections.Direction d : r.directions()) {
                        float[] v = new float[d.unit().length];
                        for (int j = 0; j < v.length; j++) {
                            v[j] = (float) d.unit()[j];
                        }
                        NpyFile.writeVector(folder.resolve(r.hook() + "." + d.method().key() + ".npy"), v);
                    }
                }
                report.writeInto(staging);
            });
            files = results.size() * CapabilityDirections.Method.values().length;
        }
        CliSupport.OutputOptions output = new CliSupport.OutputOptions();
        output.json = json;
        output.noStore = noStore;
        CliSupport.emit(spec, noStore ? null : lab, output, "phase.directions", run, run.provenance(), renderer);
        if (out != null && !json) {
            PrintWriter pw = spec.commandLine().getOut();
            pw.println("wrote " + files + " direction files (unit float32 .npy) and the report under " + out);
            pw.flush();
        }
        return 0;
    }

    /** The --set folders' names name the direction subfolders: they must differ. */
    private void checkSetNames() {
        Map<String, Path> byName = new HashMap<>();
        for (Path s : sets) {
            Path name = s.toAbsolutePath().normalize().getFileName();
            Path earlier = byName.put(name == null ? "" : name.toString(), s);
            if (earlier != null) {
                throw new InputException("--set " + s + ": has the same folder name as --set " + earlier
                        + "; the direction files are filed by set folder name, so give sets distinct names");
            }
        }
    }

    /** Refuses an --out that is (inside) an input set or contains one, or that holds anything unless --force replaces a previous output. */
    private void checkOut(Path labDir) {
        Path o = out.toAbsolutePath().normalize();
        for (Path s : sets) {
            Path in = s.toAbsolutePath().normalize();
            if (o.startsWith(in) || in.startsWith(o)) {
                throw new InputException("--out " + out + ": " + (o.startsWith(in) ? "is inside" : "contains") + " the input activation set "
                        + s + "; write the directions to a folder of their own");
            }
        }
        try {
            if (Files.isDirectory(o, LinkOption.NOFOLLOW_LINKS)) {
                try (var entries = Files.list(o)) {
                    if (entries.findAny().isPresent() && !force) {
                        throw new InputException("--out " + out + ": exists and is not empty; choose a new folder, or add --force to replace"
                                + " a previous phase directions output there");
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new InputException("--out " + out + ": cannot read: " + e.getMessage());
        }
        OutputFolder.check("--out", out, labDir, KIND);
    }

    /** The hooks of {@code set} that the --hook names and patterns select, in capture order; a name or pattern matching none is refused. */
    private List<String> matchingHooks(ActivationSet set) {
        List<String> out = new ArrayList<>();
        for (String h : hooks) {
            String spec = h.trim();
            Pattern p = Pattern.compile(Pattern.quote(spec).replace("*", "\\E[0-9]+\\Q"));
            boolean any = false;
            for (String captured : set.hooks()) {
                if (p.matcher(captured).matches()) {
                    any = true;
                    if (!out.contains(captured)) {
                        out.add(captured);
                    }
                }
            }
            if (!any) {
                throw new InputException(set.dir() + ": --hook '" + InputException.quote(spec) + "' matches no captured hook; captured: " + set.hooks());
            }
        }
        List<String> ordered = new ArrayList<>(set.hooks());
        ordered.retainAll(out);
        return ordered;
    }
}
