package org.scalelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.DistancePrecision;
import org.scalelab.geometry.DistributedEngine;
import org.scalelab.geometry.GeometryAnalysis;
import org.scalelab.geometry.LayerProfile;
import org.scalelab.geometry.MemoryBound;
import org.scalelab.geometry.NpyPoints;
import org.scalelab.geometry.PhaseVerdict;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.StepPooling;
import org.scalelab.geometry.StreamedGeometry;
import org.scalelab.io.ActivationSet;
import org.scalelab.report.GeometryRenderer;
import org.scalelab.report.LayerProfileRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scalelab geometry}: dimensionality, alignment, tangling, step cosine and silhouette beside null baselines. */
@Command(
        name = "geometry",
        mixinStandardHelpOptions = true,
        description = {
            "Measure the geometry of activations, with null models, intervals and phase verdicts.",
            "Participation ratio, d90/d95 (PCA), TwoNN intrinsic dimension, trajectory alignment, tangling (Russo et al. 2018), step cosine,",
            "silhouette (given labels, or k-means with k chosen by silhouette) and the",
            "attention/MLP oscillation coherence — each beside two null models (Gaussian points",
            "with exactly the same mean and covariance; trajectories with shuffled steps: z-score,",
            "effect size and rank p-value over --null-replicates draws, 20 by default) and with",
            "bootstrap intervals over trajectories. With activation sets of several model sizes,",
            "--compare-sizes gives a phase verdict per domain: crystallization, lattice, liquid",
            "or inconclusive. A metric the input cannot support is null with a reason.",
            "Points are tokens by default; --unit step makes each reasoning step one point (its",
            "tokens' mean state, or its last token's with --pool last), so a trajectory is its steps.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  python3 -c \"import numpy as np; x=np.cumsum(np.random.randn(400,64),0); np.save('x.npy',x.astype('f4')); np.save('t.npy',np.arange(0,400,40))\"",
            "  scalelab geometry --npy x.npy --trajectories t.npy --out geometry-report",
            "  scalelab geometry --acts lab/activations/small --acts lab/activations/large --by domain --compare-sizes --out phases",
            "  scalelab geometry --acts lab/activations/cot --unit step --pool mean --by domain    # one point per reasoning step",
            "  scalelab geometry --acts lab/activations/small --acts lab/activations/large --hook 'blocks.*.hook_resid_post' --compare-sizes --out layers",
            "  scalelab geometry --acts lab/activations/big --memory 8g    # groups larger than 8 GiB are streamed from the shards"
        })
final class GeometryCommand extends CommandTree.Group implements Callable<Integer> {
    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.OutputOptions output;

    @Option(names = "--npy", paramLabel = "FILE",
            description = "Points: a float32/float64 .npy array [n_points, d] (C order), or an .npz with members points, trajectories, labels.")
    Path npy;

    @Option(names = "--acts", paramLabel = "DIR",
            description = "Activation set folder written by scalelab capture (manifest.json + shards); repeat for several models. One trajectory per prompt. "
                    + "With --spark also a URI Hadoop reads: hdfs://namenode:8020/…, s3a://bucket/…, file:/….")
    List<String> acts = new ArrayList<>(); // as given: a URI (hdfs://nn/…) read by Spark must keep its "//"

    @Option(names = "--allow-incomplete", description = "Analyse an activation set whose capture was interrupted (what was written so far); the result records it under incomplete_inputs.")
    boolean allowIncomplete;

    @Option(names = "--hook", paramLabel = "NAME|GLOB",
            description = "Hook whose rows are the points (e.g. blocks.3.hook_resid_post). Default: each set's last blocks.L.hook_resid_post. "
                    + "A glob naming several hooks (e.g. 'blocks.*.hook_resid_post') profiles every layer in one pass over the shards, "
                    + "with linear CKA between layers and between sizes at matched relative depth (stored as geometry_layers).")
    String hook;

    @Option(names = "--unit", paramLabel = "U", defaultValue = "token",
            description = "What one point is: token (each captured token's hidden state) or step (one state per reasoning step: the prompt's "
                    + "step_boundaries, recorded by capture/generate --steps RULE or given in the prompts file; step i runs from boundary i to "
                    + "the next, tokens before the first boundary belong to no step). With step, every trajectory metric runs over steps and "
                    + "the report says so. Default: ${DEFAULT-VALUE}.")
    String unit;

    @Option(names = "--pool", paramLabel = "P", defaultValue = "mean",
            description = "With --unit step, how a step's token states become one: mean (their average) or last (the state of the step's "
                    + "last token, which has read the whole step). Each step needs captured rows: capture with --positions all so steps are whole. "
                    + "Default: ${DEFAULT-VALUE}.")
    String pool;

    @Option(names = "--by", paramLabel = "KEYS", split = ",", defaultValue = "model",
            description = "Group activation sets by: model (default; always implied unless params), params (pool sets of one size), domain, label (needs --label). E.g. --by domain.")
    List<String> by;

    @Option(names = "--label", paramLabel = "KEY",
            description = "A key of the prompts' labels: groups with --by label, otherwise labels each trajectory's points for the silhouette.")
    String labelKey;

    @Option(names = "--compare-sizes",
            description = "Compare consecutive model sizes within each domain and give a phase verdict (needs bootstrap intervals).")
    boolean compareSizes;

    @Option(names = "--bootstrap", paramLabel = "N",
            description = "Bootstrap resamples of trajectories for every metric's 95 %% interval (0 = none). Default: 100 with --compare-sizes, else 0. "
                    + "Each resample recomputes every metric, so on large sets this costs N times one analysis.")
    Integer bootstrap;

    @Option(names = "--k-range", paramLabel = "MIN:MAX", defaultValue = "2:8",
            description = "k tried by the k-means silhouette (used without labels); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    String kRange;

    @Option(names = "--silhouette-exact-max", paramLabel = "N", defaultValue = "20000",
            description = "Exact silhouette up to N points; above, a seeded sample of --silhouette-sample points with a 95 %% interval. Default: ${DEFAULT-VALUE}.")
    int silhouetteExactMax;

    @Option(names = "--silhouette-sample", paramLabel = "N", defaultValue = "5000",
            description = "Points scored (against all points) when the silhouette is sampled. Default: ${DEFAULT-VALUE}.")
    int silhouetteSample;

    @Option(names = "--dimension-drop", paramLabel = "F", defaultValue = "0.1",
            description = "Phase threshold: relative fall of the participation ratio. Default: ${DEFAULT-VALUE}.")
    double dimensionDrop;

    @Option(names = "--alignment-rise", paramLabel = "X", defaultValue = "0.05",
            description = "Phase threshold: absolute rise of alignment (mean cosine). Default: ${DEFAULT-VALUE}.")
    double alignmentRise;

    @Option(names = "--tangling-drop", paramLabel = "F", defaultValue = "0.1",
            description = "Phase threshold: relative fall of mean tangling. Default: ${DEFAULT-VALUE}.")
    double tanglingDrop;

    @Option(names = "--silhouette-rise", paramLabel = "X", defaultValue = "0.05",
            description = "Phase threshold: absolute rise of the silhouette. Default: ${DEFAULT-VALUE}.")
    double silhouetteRise;

    @Option(names = "--trajectories", paramLabel = "FILE.npy",
            description = "Int .npy array of trajectory start offsets (first 0, increasing); rows between offsets are one trajectory.")
    Path trajectories;

    @Option(names = "--labels", paramLabel = "FILE.npy",
            description = "Int .npy array with one label per point, for the silhouette.")
    Path labels;

    @Option(names = "--null-replicates", paramLabel = "N", defaultValue = "" + GeometryAnalysis.DEFAULT_NULL_REPLICATES,
            description = "Replicates of each null model (0 = no baselines; at least 2 for a z-score). Each replicate recomputes every "
                    + "metric, so the nulls cost 2N analyses; fewer than 20 make z and the rank p-value coarse. Default: ${DEFAULT-VALUE}.")
    int nullReplicates;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the null models. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tangling-epsilon", paramLabel = "E",
            description = "Absolute epsilon of tangling. Default: 0.1 × the total variance of the points.")
    Double tanglingEpsilon;

    @Option(names = "--tangling-max-times", paramLabel = "M", defaultValue = "50000",
            description = "Tangling compares all trajectory times pairwise (M² pairs); above M times it is null with a reason. Default: ${DEFAULT-VALUE}.")
    int tanglingMaxTimes;

    @Option(names = "--distances", paramLabel = "P", defaultValue = "auto",
            description = "Arithmetic of pairwise distances: auto (silhouette in float32 on rows centred per cluster, within 1e-6 of scikit-learn and about 2x faster; TwoNN's nearest neighbours and tangling's maximising pairs found in float32 and measured exactly in float64), float64 for all three, or float32 for all three (TwoNN and tangling then approximate for tight clusters far apart). Default: ${DEFAULT-VALUE}.")
    String distances;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run on Apache Spark: local[N], spark://host:port or yarn. Activation sets (--acts) may then be file:, hdfs: or s3a: URIs. "
                    + "Computes every metric as without it; null baselines, bootstrap intervals and --compare-sizes are not computed on "
                    + "Spark yet. Needs the Spark module (docs/scale-out.md).")
    String spark;

    /** How to put the Spark engine on the class path, when it is not there. */
    static final String NO_SPARK = "--spark needs ScaleLab's Spark module on the class path: build it (mvn -DskipTests package builds "
            + "scalelab-spark/target/scalelab-spark.jar and its lib/, which bin/scalelab then adds), or run the shaded jar with spark-submit "
            + "(docs/scale-out.md, \"Spark: geometry\")";

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Bytes of rows geometry may hold at once (e.g. 512m, 8g, 1.5g), for activation sets read at one hook. A group that "
                    + "fits runs in memory as usual; a larger one is streamed from its shards block by block: participation ratio, d90/d95, "
                    + "explained variance, alignment, step cosine and oscillation coherence exactly as in memory; TwoNN, tangling and the "
                    + "silhouette exact up to 20,000 points (times; --silhouette-exact-max), above that from a seeded sample scored "
                    + "against every point, with its interval (k-means: streamed Lloyd passes, one pass per step: narrow --k-range on large sets); "
                    + "null baselines and bootstrap intervals null (not computed out of core yet). The report says each group's engine. Default: the JVM's maximum heap (-Xmx: 8g from bin/scalelab; "
                    + "set SCALELAB_JAVA_OPTS, e.g. -Xmx16g, to change it).")
    String memory;

    @Override
    List<Class<?>> subcommands() {
        return List.of(GeometryCostCommand.class);
    }

    @Override
    public void run() {
        call();
    }

    @Override
    public Integer call() {
        MemoryBound bound = memory == null ? MemoryBound.fromHeap() : MemoryBound.parse(memory);
        if ((npy == null) == acts.isEmpty()) {
            throw new InputException("give either --npy FILE or one or more --acts DIR");
        }
        if (npy != null && spark != null) {
            throw new InputException("--spark reads activation sets (--acts DIR or URI), not --npy");
        }
        if (spark != null && memory != null) {
            throw new InputException("--memory bounds the single-machine engine; with --spark the executors' memory is Spark's (--conf spark.executor.memory)");
        }
        if (npy != null && memory != null) {
            throw new InputException("--memory bounds activation sets (--acts) streamed from their shards; an .npy (--npy) is read in memory");
        }
        if (npy != null && (hook != null || labelKey != null || compareSizes)) {
            throw new InputException("--hook, --label and --compare-sizes need activation sets (--acts), not --npy");
        }
        StepPooling.Unit pointUnit = StepPooling.Unit.parse(unit);
        StepPooling.Pool stepPool = StepPooling.Pool.parse(pool);
        if (pointUnit == StepPooling.Unit.TOKEN && spec.commandLine().getParseResult().hasMatchedOption("--pool")) {
            throw new InputException("--pool " + pool + " pools the tokens of a reasoning step; it needs --unit step");
        }
        if (npy != null && pointUnit == StepPooling.Unit.STEP) {
            throw new InputException("--unit step needs activation sets (--acts) with step boundaries; with --npy give one row per step"
                    + " and the trajectories as --trajectories");
        }
        if (!acts.isEmpty() && (trajectories != null || labels != null)) {
            throw new InputException("--trajectories and --labels go with --npy; activation sets carry their own trajectories (--label KEY for labels)");
        }
        int[] k = kRange(kRange);
        int replicates = bootstrap != null ? bootstrap : compareSizes ? 100 : 0;
        GeometryAnalysis.Options options = GeometryAnalysis.Options.defaults().withNullReplicates(nullReplicates)
                .withSeed(seed).withTanglingEpsilon(tanglingEpsilon).withDistances(precision(distances))
                .withTanglingMaxTimes(tanglingMaxTimes).withBootstrap(replicates).withKRange(k[0], k[1])
                .withSilhouetteSampling(silhouetteExactMax, silhouetteSample)
                .withPhase(new PhaseVerdict.Thresholds(dimensionDrop, alignmentRise, tanglingDrop, silhouetteRise));
        List<Provenance.Input> inputs = new ArrayList<>();
        if (npy != null) {
            PointSet points = NpyPoints.load(npy, trajectories, labels);
            inputs.add(new Provenance.Input(npy.toString(), Provenance.sha256(npy), points.size()));
            if (trajectories != null) {
                inputs.add(new Provenance.Input(trajectories.toString(), Provenance.sha256(trajectories), points.trajectoryCount()));
            }
            if (labels != null) {
                inputs.add(new Provenance.Input(labels.toString(), Provenance.sha256(labels), points.size()));
            }
            GeometryAnalysis.Result r = GeometryAnalysis.analyze(new GeometryAnalysis.Points(points, inputs), options);
            CliSupport.emit(spec, lab, output, "geometry", r, r.provenance(), GeometryRenderer.ofPoints(points));
            return 0;
        }
        if (spark != null) {
            return onSpark(options, pointUnit, stepPool);
        }
        ActivationInputs opened = ActivationInputs.open(acts.stream().map(Path::of).toList(), allowIncomplete);
        List<ActivationSet> sets = opened.sets();
        inputs.addAll(opened.inputs());
        List<String> incomplete = opened.incomplete();
        List<ActivationGroups.Key> keys = by.stream().map(ActivationGroups.Key::parse).toList();
        String asked = hook;
        if (ActivationGroups.isGlob(hook)) {
            boolean several = false;
            List<String> first = ActivationGroups.hooks(sets.get(0), hook);
            for (ActivationSet set : sets) {
                several |= ActivationGroups.hooks(set, hook).size() > 1;
            }
            if (several && memory != null) {
                throw new InputException("--memory: the hooks of '" + hook + "' are profiled together in memory, not streamed yet; give one hook"
                        + " (e.g. --hook " + first.get(first.size() - 1) + ") to stream it");
            }
            if (several) {
                LayerProfile.Result analyzed = LayerProfile.analyze(new LayerProfile.Input(sets, new ActivationGroups.Options(null, keys, labelKey, pointUnit, stepPool),
                        hook, inputs, compareSizes), options);
                LayerProfile.Result r = incomplete.isEmpty() ? analyzed : new LayerProfile.Result(analyzed.layers(), analyzed.cka(),
                        analyzed.comparisons(), analyzed.reasons(), analyzed.provenance().withOption("incomplete_inputs", incomplete));
                opened.noteIncomplete(spec);
                CliSupport.emit(spec, lab, output, LayerProfile.ANALYSIS, r, r.provenance(), new LayerProfileRenderer());
                return 0;
            }
            asked = first.get(0);
        }
        List<ActivationGroups.Unread> unread = ActivationGroups.unread(sets, new ActivationGroups.Options(asked, keys, labelKey, pointUnit, stepPool));
        StreamedGeometry.Run run = StreamedGeometry.analyze(unread, inputs, compareSizes, options, bound);
        List<ActivationGroups.Input> groups = run.rendered();
        GeometryAnalysis.Result analyzed = run.result();
        GeometryAnalysis.Result r = incomplete.isEmpty() ? analyzed
                : new GeometryAnalysis.Result(analyzed.groups(), analyzed.comparisons(), analyzed.provenance().withOption("incomplete_inputs", incomplete));
        opened.noteIncomplete(spec);
        CliSupport.emit(spec, lab, output, "geometry", r, r.provenance(), GeometryRenderer.ofGroups(groups));
        return 0;
    }

    /** The analysis on a Spark cluster, through the engine the Spark module registers. */
    private int onSpark(GeometryAnalysis.Options options, StepPooling.Unit pointUnit, StepPooling.Pool stepPool) {
        if (ActivationGroups.isGlob(hook)) {
            throw new InputException("--spark analyses one hook; --hook " + hook + " is a glob (profile layers without --spark)");
        }
        DistributedEngine engine = DistributedEngine.find(NO_SPARK);
        List<ActivationGroups.Key> keys = by.stream().map(ActivationGroups.Key::parse).toList();
        GeometryAnalysis.Result r = engine.geometry(new DistributedEngine.Request(spark, List.copyOf(acts),
                new ActivationGroups.Options(hook, keys, labelKey, pointUnit, stepPool), allowIncomplete, compareSizes), options);
        Object incomplete = r.provenance().options().get("incomplete_inputs");
        if (incomplete != null) {
            spec.commandLine().getErr().println("note: analysing incomplete activation sets " + incomplete
                    + " (--allow-incomplete); the result records them");
        }
        CliSupport.emit(spec, lab, output, "geometry", r, r.provenance(), GeometryRenderer.ofGroups(List.of()));
        return 0;
    }

    /** "2:8" → {2, 8}; "0" → {2, 0} (k-means off). */
    static int[] kRange(String value) {
        String v = value.trim();
        if (v.equals("0")) {
            return new int[] {2, 0};
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6}):(\\d{1,6})").matcher(v);
        if (!m.matches()) {
            throw new InputException("--k-range: '" + value + "' is not MIN:MAX (e.g. 2:8) or 0");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    static DistancePrecision precision(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> DistancePrecision.AUTO;
            case "float64" -> DistancePrecision.FLOAT64;
            case "float32" -> DistancePrecision.FLOAT32;
            default -> throw new InputException("--distances: '" + value + "' is not auto, float64 or float32");
        };
    }
}
