package org.scalelab.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.scalelab.IncompleteInputException;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.geometry.ActivationGroups;
import org.scalelab.geometry.OscillationCoherence;
import org.scalelab.geometry.PointBlocks;
import org.scalelab.geometry.PointSet;
import org.scalelab.geometry.StepPooling;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.DType;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * Activation sets ({@code manifest.json} + safetensors shards, docs/activation-sets.md) as a Spark
 * data source. The driver reads the manifests and the shards' headers through Hadoop's
 * {@link FileSystem} ({@code file:}, and {@code hdfs:} or {@code s3a:} when their connectors are on
 * the class path) and plans the groups exactly as the single-machine engine does
 * ({@link ActivationGroups#layout}: the same keys, hook, row order, labels and steps); each task then
 * reads one shard, or one part of a shard of at most {@link Options#partBytes} row bytes (a
 * trajectory is never split), with positioned reads of just the rows it needs. Rows are checked
 * finite and, with {@code --unit step}, pooled per step by {@link StepPooling}, as in memory.
 *
 * <p>A missing shard, a shard whose tensors disagree with its manifest (a width that differs) or a
 * damaged header is refused on the driver, before any job, with one line naming the shard.
 */
public final class ActivationSource {
    /**
     * @param groups          grouping, hook, unit and pooling ({@link ActivationGroups.Options})
     * @param allowIncomplete accept sets whose capture was interrupted (their listed trajectories)
     * @param partBytes       at most this many bytes of rows of one hook per task (a larger trajectory is one task)
     */
    public record Options(ActivationGroups.Options groups, boolean allowIncomplete, long partBytes) {
        public static final long DEFAULT_PART_BYTES = 64L << 20;

        public Options {
            if (partBytes < 1) {
                throw new InputException("part bytes must be positive, got " + partBytes);
            }
        }

        public Options(ActivationGroups.Options groups) {
            this(groups, false, DEFAULT_PART_BYTES);
        }
    }

    private final JavaSparkContext sc;
    private final List<String> sets;
    private final List<ActivationGroups.Layout> plans;
    private final List<Part> parts;
    private final Broadcast<Map<String, String>> hadoop;
    private final List<Provenance.Input> inputs;
    private final List<String> incomplete;

    private ActivationSource(JavaSparkContext sc, List<String> sets, List<ActivationGroups.Layout> plans, List<Part> parts,
            Broadcast<Map<String, String>> hadoop, List<Provenance.Input> inputs, List<String> incomplete) {
        this.sc = sc;
        this.sets = sets;
        this.plans = plans;
        this.parts = parts;
        this.hadoop = hadoop;
        this.inputs = inputs;
        this.incomplete = incomplete;
    }

    /** Every group's blocks of {@code setUris} (folders as paths or URIs), told apart by {@link RowBlock#group()}. */
    public static JavaRDD<RowBlock> blocks(SparkSession spark, List<String> setUris, ActivationGroups.Options options) {
        return open(spark, setUris, new Options(options)).blocks();
    }

    /** Reads the manifests and checks every shard's header; no job runs yet. */
    public static ActivationSource open(SparkSession spark, List<String> setUris, Options options) {
        if (setUris.isEmpty()) {
            throw new InputException("give at least one activation set");
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<ActivationManifest> manifests = new ArrayList<>();
        List<Provenance.Input> inputs = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (String uri : setUris) {
            ActivationManifest m = manifest(uri, conf, options.allowIncomplete(), inputs);
            if (!m.complete()) {
                incomplete.add(uri);
            }
            manifests.add(m);
        }
        List<ActivationGroups.Layout> plans = ActivationGroups.layout(setUris, manifests, options.groups());
        List<Part> parts = parts(setUris, manifests, plans, options.partBytes());
        for (Part p : parts) {
            ShardReader.check(p, conf);
        }
        Map<String, String> entries = new HashMap<>();
        conf.forEach(e -> entries.put(e.getKey(), e.getValue()));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new ActivationSource(sc, List.copyOf(setUris), List.copyOf(plans), List.copyOf(parts), sc.broadcast(entries),
                List.copyOf(inputs), List.copyOf(incomplete));
    }

    /** The groups, as the single-machine engine would form them, in its order. */
    public List<ActivationGroups.Layout> groups() {
        return plans;
    }

    /** Each set's manifest as a provenance input (location, SHA-256, trajectories), as the command line records it. */
    public List<Provenance.Input> inputs() {
        return inputs;
    }

    /** The sets whose capture was interrupted (read only with {@code allowIncomplete}). */
    public List<String> incomplete() {
        return incomplete;
    }

    /** How many tasks a pass over the rows runs (shard parts). */
    public int partitions() {
        return parts.size();
    }

    /** Where each of {@code group}'s trajectories starts among its points (ascending, the first 0). */
    public long[] trajectoryStarts(String group) {
        ActivationGroups.Layout plan = plan(group);
        long[] starts = new long[plan.trajectories().size()];
        long row = 0;
        for (int k = 0; k < starts.length; k++) {
            starts[k] = row;
            row += points(plan.trajectories().get(k));
        }
        return starts;
    }

    /** Every group's rows, one task per shard part, each block one part's rows of one group. */
    public JavaRDD<RowBlock> blocks() {
        Broadcast<Map<String, String>> conf = hadoop;
        return sc.parallelize(parts, Math.max(1, parts.size())).flatMap(p -> ShardReader.blocks(p, conf.value()).iterator());
    }

    /** One group's rows ({@link #groups()} names them): only the parts that hold them, and only its rows are read. */
    public JavaRDD<RowBlock> blocks(String group) {
        plan(group);
        List<Part> mine = new ArrayList<>();
        for (Part p : parts) {
            List<Slice> slices = p.slices().stream().filter(s -> s.group().equals(group)).toList();
            if (!slices.isEmpty()) {
                mine.add(new Part(p.set(), p.shard(), p.shardRows(), p.dModel(), slices));
            }
        }
        Broadcast<Map<String, String>> conf = hadoop;
        return sc.parallelize(mine, Math.max(1, mine.size())).flatMap(p -> ShardReader.blocks(p, conf.value()).iterator());
    }

    /**
     * The oscillation-coherence moments of every trajectory of {@code group}, in its trajectory order
     * (attention and MLP update norms read from the shards, pooled per step as the points are), or
     * null when the sets lack the hooks ({@link ActivationGroups.Layout#coherenceReason}).
     */
    public OscillationCoherence.Moments[] coherence(String group) {
        ActivationGroups.Layout plan = plan(group);
        if (plan.coherenceLayers() == null) {
            return null;
        }
        Broadcast<Map<String, String>> conf = hadoop;
        List<Part> mine = parts.stream().filter(p -> p.slices().stream().anyMatch(s -> s.group().equals(group))).toList();
        List<TrajectoryMoments> all = sc.parallelize(mine, Math.max(1, mine.size()))
                .flatMap(p -> ShardReader.coherence(p, group, conf.value()).iterator()).collect();
        OscillationCoherence.Moments[] out = new OscillationCoherence.Moments[plan.trajectories().size()];
        for (TrajectoryMoments m : all) {
            out[m.trajectory()] = new OscillationCoherence.Moments(m.n(), m.meanX(), m.meanY(), m.m2x(), m.m2y(), m.cxy());
        }
        return out;
    }

    private ActivationGroups.Layout plan(String group) {
        for (ActivationGroups.Layout p : plans) {
            if (p.name().equals(group)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no group " + group + " among " + plans.stream().map(ActivationGroups.Layout::name).toList());
    }

    private static long points(ActivationGroups.LaidOut t) {
        return t.stepRowStarts() == null ? t.trajectory().rows() : t.stepRowStarts().length;
    }

    /** One trajectory's coherence moments, as a task returns them. */
    record TrajectoryMoments(int trajectory, long n, double meanX, double meanY, double m2x, double m2y, double cxy) implements Serializable {}

    /**
     * One task's work: trajectories of one shard, each with its group, its first point in that group,
     * its index among the group's trajectories, its label and steps, and the hooks to read.
     */
    record Part(String set, String shard, int shardRows, int dModel, List<Slice> slices) implements Serializable {}

    /**
     * One trajectory of a part.
     *
     * @param coherenceLayers layers with hook_attn_out and hook_mlp_out (null: no coherence for the group)
     */
    record Slice(String group, String hook, String id, int rowStart, int rows, long firstPoint, int trajectory, int label,
                 int[] stepRowStarts, StepPooling.Pool pool, List<Integer> coherenceLayers) implements Serializable {
        long bytes(int d) {
            return (long) rows * d * Float.BYTES;
        }
    }

    /** Parts of every shard that holds a planned trajectory, in set, shard and row order. */
    private static List<Part> parts(List<String> sets, List<ActivationManifest> manifests, List<ActivationGroups.Layout> plans, long partBytes) {
        // Per set and shard, its planned trajectories in row order.
        Map<Integer, Map<Integer, List<Slice>>> bySetShard = new LinkedHashMap<>();
        for (ActivationGroups.Layout plan : plans) {
            long first = 0;
            for (int k = 0; k < plan.trajectories().size(); k++) {
                ActivationGroups.LaidOut t = plan.trajectories().get(k);
                ActivationManifest.Trajectory tr = t.trajectory();
                List<Integer> layers = plan.coherenceLayers() == null ? null : plan.coherenceLayers().get(t.set());
                Slice s = new Slice(plan.name(), plan.hook(), tr.id(), tr.rowStart(), tr.rows(), first, k, t.label(), t.stepRowStarts(),
                        plan.pool(), layers);
                bySetShard.computeIfAbsent(t.set(), x -> new java.util.TreeMap<>()).computeIfAbsent(tr.shard(), x -> new ArrayList<>()).add(s);
                first += points(t);
            }
        }
        List<Part> out = new ArrayList<>();
        for (int set = 0; set < sets.size(); set++) {
            Map<Integer, List<Slice>> shards = bySetShard.get(set);
            if (shards == null) {
                continue;
            }
            ActivationManifest m = manifests.get(set);
            for (Map.Entry<Integer, List<Slice>> e : shards.entrySet()) {
                ActivationManifest.Shard shard = m.shards().get(e.getKey());
                List<Slice> slices = new ArrayList<>(e.getValue());
                slices.sort(java.util.Comparator.comparingInt(Slice::rowStart));
                List<Slice> current = new ArrayList<>();
                long bytes = 0;
                for (Slice s : slices) {
                    if (!current.isEmpty() && bytes + s.bytes(m.dModel()) > partBytes) {
                        out.add(new Part(sets.get(set), shard.file(), shard.rows(), m.dModel(), List.copyOf(current)));
                        current.clear();
                        bytes = 0;
                    }
                    current.add(s);
                    bytes += s.bytes(m.dModel());
                }
                if (!current.isEmpty()) {
                    out.add(new Part(sets.get(set), shard.file(), shard.rows(), m.dModel(), List.copyOf(current)));
                }
            }
        }
        return out;
    }

    /** The manifest of the set at {@code uri}, read through Hadoop's file system and checked as core checks it. */
    private static ActivationManifest manifest(String uri, Configuration conf, boolean allowIncomplete, List<Provenance.Input> inputs) {
        Path file = new Path(new Path(uri), ActivationManifest.FILE);
        byte[] bytes;
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                throw new InputException(file + ": not found (is " + uri + " an activation set written by scalelab capture?)");
            }
            try (FSDataInputStream in = fs.open(file)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        // Core's manifest reader checks a folder on the local file system: the manifest goes through a
        // private temporary copy, and its messages name the set's own location.
        java.nio.file.Path temp = null;
        try {
            temp = Files.createTempDirectory("scalelab-manifest");
            Files.write(temp.resolve(ActivationManifest.FILE), bytes);
            ActivationManifest m = ActivationManifest.read(temp);
            if (!m.complete() && !allowIncomplete) {
                throw new IncompleteInputException(java.nio.file.Path.of(uri), "the capture is incomplete (manifest.json has \"complete\": false, "
                        + m.trajectories().size() + " trajectories written)", "re-run the same capture command to resume it");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            inputs.add(new Provenance.Input(local(uri) ? java.nio.file.Path.of(localPath(uri)).resolve(ActivationManifest.FILE).toString()
                    : file.toString(), Provenance.sha256(text), m.trajectories().size()));
            return m;
        } catch (IncompleteInputException e) {
            throw e;
        } catch (InputException e) {
            throw new InputException(e.getMessage().replace(temp.toString(), uri), e);
        } catch (IOException e) {
            throw new ScaleLabException("cannot stage the manifest of " + uri + " for checking: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp.resolve(ActivationManifest.FILE));
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // A leftover empty temporary folder harms nothing.
                }
            }
        }
    }

    private static boolean local(String uri) {
        String scheme = new Path(uri).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    private static String localPath(String uri) {
        return uri.startsWith("file:") ? new Path(uri).toUri().getPath() : uri;
    }

    /** Reads a shard's rows on an executor (and checks its header on the driver). */
    static final class ShardReader {
        private ShardReader() {}

        private static Configuration configuration(Map<String, String> entries) {
            Configuration conf = new Configuration(false);
            entries.forEach(conf::set);
            return conf;
        }

        /** The shard's header, after checking that it exists and that every hook tensor the part reads is F32 [shard rows, d_model]. */
        static SafetensorsFile.Header check(Part p, Configuration conf) {
            Path shard = new Path(new Path(p.set()), p.shard());
            try {
                FileSystem fs = shard.getFileSystem(conf);
                if (!fs.exists(shard)) {
                    throw new InputException(shard + ": shard listed in the manifest is missing");
                }
                long size = fs.getFileStatus(shard).getLen();
                SafetensorsFile.Header h;
                try (FSDataInputStream in = fs.open(shard)) {
                    h = SafetensorsFile.readHeader(shard.toString(), size, (pos, buf) -> read(in, pos, buf));
                }
                for (String hook : hooks(p)) {
                    TensorInfo t = h.tensors().get(hook);
                    if (t == null) {
                        throw new InputException(shard + ": tensor '" + hook + "' listed in the manifest is missing");
                    }
                    long[] expected = {p.shardRows(), p.dModel()};
                    if (t.dtype() != DType.F32 || !java.util.Arrays.equals(t.shape(), expected)) {
                        throw new InputException(shard + ": tensor '" + InputException.quote(hook) + "' is " + t.dtype() + " "
                                + java.util.Arrays.toString(t.shape()) + ", the manifest says F32 " + java.util.Arrays.toString(expected)
                                + " (a width that disagrees with d_model " + p.dModel() + ")");
                    }
                }
                return h;
            } catch (IOException e) {
                throw new InputException(shard + ": cannot read: " + e.getMessage(), e);
            }
        }

        private static List<String> hooks(Part p) {
            java.util.LinkedHashSet<String> hooks = new java.util.LinkedHashSet<>();
            for (Slice s : p.slices()) {
                hooks.add(s.hook());
                if (s.coherenceLayers() != null) {
                    for (int l : s.coherenceLayers()) {
                        hooks.add("blocks." + l + ".hook_attn_out");
                        hooks.add("blocks." + l + ".hook_mlp_out");
                    }
                }
            }
            return List.copyOf(hooks);
        }

        private static void read(FSDataInputStream in, long position, ByteBuffer into) throws IOException {
            if (into.hasArray()) {
                in.readFully(position, into.array(), into.arrayOffset() + into.position(), into.remaining());
                into.position(into.limit());
            } else {
                byte[] b = new byte[into.remaining()];
                in.readFully(position, b);
                into.put(b);
            }
        }

        /** A trajectory's rows of {@code hook}, [rows × d] row-major. */
        private static float[] rows(FSDataInputStream in, SafetensorsFile.Header h, String hook, Slice s, int d) throws IOException {
            TensorInfo t = h.tensors().get(hook);
            byte[] b = new byte[Math.toIntExact(s.bytes(d))];
            in.readFully(h.dataStart() + t.begin() + (long) s.rowStart() * d * Float.BYTES, b);
            float[] out = new float[s.rows() * d];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        /** A trajectory's points: its rows, checked finite, or its steps pooled. */
        private static float[] points(float[] rows, Slice s, int d, String set) {
            for (int i = 0; i < s.rows(); i++) {
                for (int j = 0; j < d; j++) {
                    float v = rows[i * d + j];
                    if (!Float.isFinite(v)) {
                        throw new InputException(set + ": trajectory \"" + s.id() + "\" position " + i + " at " + s.hook() + " has "
                                + v + " in column " + j + "; recapture or drop that prompt before computing geometry");
                    }
                }
            }
            return s.stepRowStarts() == null ? rows : pooled(rows, s, d, s.id());
        }

        private static float[] pooled(float[] rows, Slice s, int d, String source) {
            java.nio.FloatBuffer buffer = java.nio.FloatBuffer.wrap(rows);
            PointSet tokens = PointSet.of(buffer, s.rows(), d, source).withTrajectories(new long[] {0}, source);
            PointSet steps = StepPooling.pool(tokens, new int[][] {s.stepRowStarts()}, s.pool());
            float[] out = new float[steps.size() * d];
            PointBlocks.of(steps).forEachBlock(Math.max(1, steps.size()), (first, count, block) -> System.arraycopy(block, 0, out, 0, count * d));
            return out;
        }

        static List<RowBlock> blocks(Part p, Map<String, String> conf) throws IOException {
            Configuration c = configuration(conf);
            SafetensorsFile.Header h = check(p, c);
            Path shard = new Path(new Path(p.set()), p.shard());
            int d = p.dModel();
            // One block per group: a group's trajectories in one part are consecutive among its points.
            Map<String, List<float[]>> rows = new LinkedHashMap<>();
            Map<String, List<Slice>> slices = new LinkedHashMap<>();
            try (FSDataInputStream in = shard.getFileSystem(c).open(shard)) {
                for (Slice s : p.slices()) {
                    rows.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(points(rows(in, h, s.hook(), s, d), s, d, p.set()));
                    slices.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s);
                }
            }
            List<RowBlock> out = new ArrayList<>();
            for (Map.Entry<String, List<float[]>> e : rows.entrySet()) {
                List<Slice> ss = slices.get(e.getKey());
                int count = 0;
                for (float[] r : e.getValue()) {
                    count += r.length / d;
                }
                float[] all = new float[count * d];
                int[] trajectory = new int[count];
                int[] label = new int[count];
                int at = 0;
                for (int i = 0; i < ss.size(); i++) {
                    float[] r = e.getValue().get(i);
                    int n = r.length / d;
                    if (ss.get(i).firstPoint() != ss.get(0).firstPoint() + at) {
                        throw new IllegalStateException("trajectories of " + e.getKey() + " in " + shard + " are not consecutive");
                    }
                    System.arraycopy(r, 0, all, at * d, r.length);
                    java.util.Arrays.fill(trajectory, at, at + n, ss.get(i).trajectory());
                    java.util.Arrays.fill(label, at, at + n, ss.get(i).label());
                    at += n;
                }
                out.add(new RowBlock(e.getKey(), ss.get(0).firstPoint(), count, d, all, trajectory, label));
            }
            return out;
        }

        static List<TrajectoryMoments> coherence(Part p, String group, Map<String, String> conf) throws IOException {
            List<Slice> mine = p.slices().stream().filter(s -> s.group().equals(group) && s.coherenceLayers() != null).toList();
            if (mine.isEmpty()) {
                return List.of();
            }
            Configuration c = configuration(conf);
            SafetensorsFile.Header h = check(p, c);
            Path shard = new Path(new Path(p.set()), p.shard());
            int d = p.dModel();
            List<TrajectoryMoments> out = new ArrayList<>();
            try (FSDataInputStream in = shard.getFileSystem(c).open(shard)) {
                for (Slice s : mine) {
                    int layers = s.coherenceLayers().size();
                    double[][] attn = new double[layers][];
                    double[][] mlp = new double[layers][];
                    for (int i = 0; i < layers; i++) {
                        attn[i] = norms(rows(in, h, "blocks." + s.coherenceLayers().get(i) + ".hook_attn_out", s, d), s, d);
                        mlp[i] = norms(rows(in, h, "blocks." + s.coherenceLayers().get(i) + ".hook_mlp_out", s, d), s, d);
                    }
                    OscillationCoherence.Moments m = OscillationCoherence.trajectory(attn, mlp);
                    out.add(new TrajectoryMoments(s.trajectory(), m.n(), m.meanX(), m.meanY(), m.m2x(), m.m2y(), m.cxy()));
                }
            }
            return out;
        }

        /** Euclidean norm of every row (of every pooled step, with steps), accumulated in double. */
        private static double[] norms(float[] rows, Slice s, int d) {
            float[] points = s.stepRowStarts() == null ? rows : pooled(rows, s, d, s.id());
            double[] out = new double[points.length / d];
            for (int i = 0; i < out.length; i++) {
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    double v = points[i * d + j];
                    sum += v * v;
                }
                out[i] = Math.sqrt(sum);
            }
            return out;
        }
    }
}
