package org.scalelab.geometry;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;

/**
 * Splits the trajectories of one or more activation sets into analysis groups: by model (or by
 * parameter count, pooling sets of the same size), and optionally by domain and by a label of the
 * manifest ({@code labels.KEY}). Each group's points are the rows of one hook, one trajectory per
 * prompt — or, with {@link StepPooling.Unit#STEP}, one point per reasoning step of the prompt
 * ({@link StepPooling}, steps from the manifest's {@code step_boundaries}); the attention and MLP update norms for {@link OscillationCoherence} come along when the
 * set captured {@code blocks.L.hook_attn_out} and {@code blocks.L.hook_mlp_out}.
 */
public final class ActivationGroups {
    private ActivationGroups() {}

    /** What a group is keyed by, besides the model. */
    public enum Key {
        MODEL, PARAMS, DOMAIN, LABEL;

        public static Key parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "model" -> MODEL;
                case "params", "parameters", "parameter_count", "size" -> PARAMS;
                case "domain" -> DOMAIN;
                case "label" -> LABEL;
                default -> throw new InputException("--by: '" + s + "' is not one of model, params, domain, label");
            };
        }
    }

    /**
     * @param hook     the hook whose rows are the points; null: each set's last {@code blocks.L.hook_resid_post}
     * @param by       grouping keys (the model is always a key unless {@code PARAMS} pools by size)
     * @param labelKey manifest label ({@code labels.KEY}) used to group ({@code LABEL} in {@code by}) or else as silhouette labels; may be null
     * @param unit     what a point is: a token's row, or a reasoning step's pooled rows (null: token)
     * @param pool     how a step's rows become one point (null: mean); unused for tokens
     */
    public record Options(String hook, List<Key> by, String labelKey, StepPooling.Unit unit, StepPooling.Pool pool) {
        public Options {
            by = List.copyOf(by);
            if (by.contains(Key.LABEL) && labelKey == null) {
                throw new InputException("--by label needs --label KEY (a key of the prompts' labels)");
            }
            unit = unit == null ? StepPooling.Unit.TOKEN : unit;
            pool = pool == null ? StepPooling.Pool.MEAN : pool;
        }

        /** Tokens as the points. */
        public Options(String hook, List<Key> by, String labelKey) {
            this(hook, by, labelKey, StepPooling.Unit.TOKEN, StepPooling.Pool.MEAN);
        }
    }

    /**
     * One group's input: its keys, its points (one trajectory per prompt) and the coherence moments.
     *
     * @param unit    what a point is (token, or step pooled by {@code pool})
     * @param dropped why some trajectories are not in the points (prompts without steps), or null
     */
    public record Input(String name, String model, long parameterCount, String domain, String label, String hook, PointSet points,
                        List<String> trajectoryIds, OscillationCoherence.Moments[] coherence, String coherenceReason,
                        StepPooling.Unit unit, StepPooling.Pool pool, String dropped) {
        public Input {
            unit = unit == null ? StepPooling.Unit.TOKEN : unit;
            pool = pool == null ? StepPooling.Pool.MEAN : pool;
        }

        /** Tokens as the points, every trajectory kept. */
        public Input(String name, String model, long parameterCount, String domain, String label, String hook, PointSet points,
                     List<String> trajectoryIds, OscillationCoherence.Moments[] coherence, String coherenceReason) {
            this(name, model, parameterCount, domain, label, hook, points, trajectoryIds, coherence, coherenceReason,
                    StepPooling.Unit.TOKEN, StepPooling.Pool.MEAN, null);
        }

        /** The unit as results name it: {@code token}, {@code step (mean)}, {@code step (last)}. */
        public String unitName() {
            return StepPooling.describe(unit, pool);
        }
    }

    private record Member(Described set, ActivationManifest.Trajectory trajectory) {}

    /**
     * A set as grouping sees it: where it is (for messages), its manifest, and the opened set whose
     * tensors {@link #of} reads (null for a set only laid out here and read elsewhere, {@link #layout}).
     */
    private record Described(String dir, ActivationManifest manifest, ActivationSet opened) {
        static Described of(ActivationSet set) {
            return new Described(set.dir().toString(), set.manifest(), set);
        }

        String model() {
            return manifest.model();
        }

        long parameterCount() {
            return manifest.parameterCount();
        }

        int dModel() {
            return manifest.dModel();
        }

        List<String> hooks() {
            return manifest.hooks();
        }

        List<ActivationManifest.Trajectory> trajectories() {
            return manifest.trajectories();
        }
    }

    private static final Pattern RESID_POST = Pattern.compile("blocks\\.(\\d+)\\.hook_resid_post");
    private static final Pattern ATTN_OUT = Pattern.compile("blocks\\.(\\d+)\\.hook_attn_out");

    /** The hook analysed in {@code set}: the one asked for, or the last layer's residual stream. */
    public static String hook(ActivationSet set, String asked) {
        return hook(Described.of(set), asked);
    }

    private static String hook(Described set, String asked) {
        ActivationManifest manifest = set.manifest();
        if (asked != null) {
            if (!set.hooks().contains(asked)) {
                throw new InputException(set.dir() + ": hook '" + asked + "' was not captured; captured: " + set.hooks());
            }
            if (manifest.width(asked) != set.dModel()) {
                throw new InputException(set.dir() + ": hook '" + asked + "' has rows of shape " + java.util.Arrays.toString(manifest.rowShape(asked))
                        + ", not d_model (" + set.dModel() + ") wide; geometry reads residual-stream-wide hooks (resid, attn_out, mlp_out, hook_normalized)");
            }
            return asked;
        }
        int best = -1;
        for (String h : set.hooks()) {
            Matcher m = RESID_POST.matcher(h);
            if (m.matches()) {
                best = Math.max(best, Integer.parseInt(m.group(1)));
            }
        }
        if (best >= 0) {
            return "blocks." + best + ".hook_resid_post";
        }
        List<String> wide = set.hooks().stream().filter(h -> manifest.width(h) == set.dModel()).toList();
        if (wide.isEmpty()) {
            throw new InputException(set.dir() + ": the activation set captured no d_model-wide hook");
        }
        return wide.get(wide.size() - 1);
    }

    /**
     * The hooks {@code asked} names in {@code set}, in layer order: a plain name is itself (it must
     * have been captured); a glob ({@code *} any run of characters, {@code ?} one character), e.g.
     * {@code blocks.*.hook_resid_post}, names every captured hook it matches, ordered by block
     * number (hooks outside a block first), then by name.
     */
    public static List<String> hooks(ActivationSet set, String asked) {
        if (asked == null || asked.isBlank()) {
            throw new InputException("--hook: give a hook name or a glob such as blocks.*.hook_resid_post");
        }
        if (!isGlob(asked)) {
            if (!set.hooks().contains(asked)) {
                throw new InputException(set.dir() + ": hook '" + asked + "' was not captured; captured: " + set.hooks());
            }
            return List.of(asked);
        }
        Pattern glob = Pattern.compile(globRegex(asked));
        List<String> out = new ArrayList<>();
        for (String h : set.hooks()) {
            if (glob.matcher(h).matches()) {
                out.add(h);
            }
        }
        if (out.isEmpty()) {
            throw new InputException("--hook: '" + asked + "' matches no hook of " + set.dir() + "; captured: " + set.hooks());
        }
        out.sort(java.util.Comparator.comparingInt(ActivationGroups::blockOf).thenComparing(java.util.Comparator.naturalOrder()));
        return out;
    }

    /** Whether {@code asked} is a glob rather than one hook's name. */
    public static boolean isGlob(String asked) {
        return asked != null && (asked.indexOf('*') >= 0 || asked.indexOf('?') >= 0);
    }

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\..*");

    /** The block number of a hook ({@code blocks.L.…} → L), or −1 for a hook outside the blocks. */
    public static int blockOf(String hook) {
        Matcher m = BLOCK.matcher(hook);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String globRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }

    public static List<Input> of(List<ActivationSet> sets, Options o) {
        List<Input> out = new ArrayList<>();
        for (Grouped g : group(described(sets), o)) {
            String hook = hook(g.first(), o.hook());
            PointSet points = gather(g.members(), java.util.Collections.singletonList(o.hook()), g.name())[0];
            Steps steps = steps(g, o);
            out.add(input(g, o, hook, points, steps, coherence(g.members(), steps, o.pool())));
        }
        return out;
    }

    /**
     * The groups of {@link #of} before any row is read, in the same order: each can be read into
     * memory ({@link Unread#load}, exactly the input {@link #of} gives) or block by block from disk
     * ({@link Unread#blocks}), so a caller decides group by group by its size.
     */
    public static List<Unread> unread(List<ActivationSet> sets, Options o) {
        List<Unread> out = new ArrayList<>();
        for (Grouped g : group(described(sets), o)) {
            out.add(new Unread(g, o, hook(g.first(), o.hook()), steps(g, o)));
        }
        return out;
    }

    /** One group of {@link #unread}: its keys and size, and the two ways to read its points. */
    public static final class Unread {
        private final Grouped g;
        private final Options o;
        private final String hook;
        private final Steps steps;
        private Coherence coherence;

        private Unread(Grouped g, Options o, String hook, Steps steps) {
            this.g = g;
            this.o = o;
            this.hook = hook;
            this.steps = steps;
        }

        public String name() {
            return g.name();
        }

        public String model() {
            return g.model();
        }

        public long parameterCount() {
            return g.first().parameterCount();
        }

        public String domain() {
            return g.domain();
        }

        public String label() {
            return g.label();
        }

        /** The hook of the group's first set (the one results name). */
        public String hook() {
            return hook;
        }

        public StepPooling.Unit unit() {
            return o.unit();
        }

        public StepPooling.Pool pool() {
            return o.pool();
        }

        /** The unit as results name it: {@code token}, {@code step (mean)}, {@code step (last)}. */
        public String unitName() {
            return StepPooling.describe(o.unit(), o.pool());
        }

        /** Why some trajectories are not in the points (prompts without steps), or null. */
        public String dropped() {
            return steps.dropped();
        }

        /** Width of the points (1 for a group with no trajectories). */
        public int dimension() {
            int d = width(g.members(), g.name());
            return d < 0 ? 1 : d;
        }

        /** Number of points: the captured rows, or with steps the steps of trajectories that have some. */
        public long points() {
            long n = 0;
            int k = 0;
            for (Member m : g.members()) {
                if (m.trajectory().rows() == 0) {
                    continue;
                }
                n += steps.starts() == null ? m.trajectory().rows() : steps.starts()[k].length;
                k++;
            }
            return n;
        }

        /** The group read into memory: the input {@link #of} gives for it. */
        public Input load() {
            PointSet points = gather(g.members(), java.util.Collections.singletonList(o.hook()), g.name())[0];
            Coherence c = coherenceOnce();
            return input(g, o, hook, points, steps, c);
        }

        /** The group's input without its points (an empty point set), for a renderer of a streamed group. */
        public Input withoutPoints() {
            PointSet none = PointSet.trusted(PointSet.allocate(0), 0, dimension(), g.name());
            List<String> ids = trajectoryIds();
            Coherence c = coherenceOnce();
            return new Input(g.name(), g.model(), g.first().parameterCount(), g.domain(), g.label(), hook, none, ids, c.moments(), c.why(),
                    o.unit(), o.pool(), steps.dropped());
        }

        /** The group's points read block by block from its shards, the same points {@link #load} holds. */
        public ActivationBlocks blocks() {
            int d = dimension();
            List<ActivationBlocks.Segment> segments = new ArrayList<>();
            List<Member> captured = g.members().stream().filter(m -> m.trajectory().rows() > 0).toList();
            for (int k = 0; k < captured.size(); k++) {
                Member m = captured.get(k);
                int[] s = steps.starts() == null ? null : steps.starts()[k];
                if (s != null && s.length == 0) {
                    continue;
                }
                segments.add(new ActivationBlocks.Segment(m.set().opened(), m.trajectory(), ActivationGroups.hook(m.set(), o.hook()), s));
            }
            int[] labels = null;
            long tokens = captured.stream().mapToLong(m -> m.trajectory().rows()).sum();
            if (g.label() == null && o.labelKey() != null && tokens > 0) {
                Map<String, Integer> codes = labelCodes(g.members(), o.labelKey());
                long n = 0;
                for (ActivationBlocks.Segment s : segments) {
                    n += s.points();
                }
                labels = new int[Math.toIntExact(n)];
                int r = 0;
                for (int k = 0, seg = 0; k < captured.size(); k++) {
                    int[] s = steps.starts() == null ? null : steps.starts()[k];
                    if (s != null && s.length == 0) {
                        continue;
                    }
                    int points = segments.get(seg++).points();
                    java.util.Arrays.fill(labels, r, r + points, codes.get(captured.get(k).trajectory().label(o.labelKey())));
                    r += points;
                }
            }
            return new ActivationBlocks(segments, d, labels, o.pool(), g.name());
        }

        /** Ids of the trajectories in the points, in order. */
        public List<String> trajectoryIds() {
            List<Member> captured = g.members().stream().filter(m -> m.trajectory().rows() > 0).toList();
            List<String> ids = new ArrayList<>();
            for (int k = 0; k < captured.size(); k++) {
                if (steps.starts() == null || steps.starts()[k].length > 0) {
                    ids.add(captured.get(k).trajectory().id());
                }
            }
            return ids;
        }

        /** Per-trajectory moments of the attention/MLP update norms (null when the sets lack those hooks), read once. */
        public OscillationCoherence.Moments[] coherence() {
            return coherenceOnce().moments();
        }

        /** Why {@link #coherence} is null, or null. */
        public String coherenceReason() {
            return coherenceOnce().why();
        }

        private Coherence coherenceOnce() {
            if (coherence == null) {
                coherence = ActivationGroups.coherence(g.members(), steps, o.pool());
            }
            return coherence;
        }
    }

    /**
     * One group at several hooks: {@code inputs.get(i)} is the group read at {@code hooks.get(i)},
     * exactly the input {@link #of} gives for that hook; {@code set} is the group's first set.
     */
    public record Layers(ActivationSet set, List<String> hooks, List<Input> inputs) {}

    /**
     * Every group of {@link #of} at every hook of {@code hooks} (one list per group's first set, as
     * {@link #hooks} gives it), each trajectory's rows of all those hooks copied in one pass over the
     * shards; the oscillation-coherence moments, which do not depend on the hook, are read once per group.
     */
    public static List<Layers> ofLayers(List<ActivationSet> sets, Options o, java.util.function.Function<ActivationSet, List<String>> hooks) {
        List<Layers> out = new ArrayList<>();
        for (Grouped g : group(described(sets), o)) {
            List<String> names = hooks.apply(g.first().opened());
            for (String h : names) {
                hook(g.first(), h);
            }
            PointSet[] points = gather(g.members(), names, g.name());
            Steps steps = steps(g, o);
            Coherence c = coherence(g.members(), steps, o.pool());
            List<Input> inputs = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                inputs.add(input(g, o, names.get(i), points[i], steps, c));
            }
            out.add(new Layers(g.first().opened(), List.copyOf(names), List.copyOf(inputs)));
        }
        return out;
    }

    /**
     * One trajectory of a {@link Layout}: the set it is in (an index into the sets planned), its manifest
     * entry, its label code (or −1) and, for steps, its step starts as rows relative to its first row
     * (null for tokens).
     */
    public record LaidOut(int set, ActivationManifest.Trajectory trajectory, int label, int[] stepRowStarts) {}

    /**
     * One group as {@link #of} would build it, without reading a row: for a reader of the shards that
     * is not this class (a distributed one). Its points are the rows (or pooled steps) of
     * {@code trajectories} in that order, each trajectory's rows checked finite; {@code coherenceLayers}
     * per set (null when {@code coherenceReason} says why there is no coherence).
     */
    public record Layout(String name, String model, long parameterCount, String domain, String label, String hook,
                       List<LaidOut> trajectories, List<String> trajectoryIds, List<List<Integer>> coherenceLayers,
                       String coherenceReason, StepPooling.Unit unit, StepPooling.Pool pool, String dropped) {
        /** The unit as results name it ({@link Input#unitName}). */
        public String unitName() {
            return StepPooling.describe(unit, pool);
        }

        /** Points of the group: its trajectories' rows, or their steps. */
        public long points() {
            long n = 0;
            for (LaidOut t : trajectories) {
                n += t.stepRowStarts() == null ? t.trajectory().rows() : t.stepRowStarts().length;
            }
            return n;
        }
    }

    /**
     * The groups {@link #of} gives for sets known by their manifests alone ({@code where.get(i)} names
     * set i in messages): the same keys, names, hook, order of trajectories, labels and steps, and the
     * same refusals; nothing is read but the manifests.
     */
    public static List<Layout> layout(List<String> where, List<ActivationManifest> manifests, Options o) {
        List<Described> sets = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            sets.add(new Described(where.get(i), manifests.get(i), null));
        }
        Map<Described, Integer> index = new java.util.IdentityHashMap<>();
        for (int i = 0; i < sets.size(); i++) {
            index.put(sets.get(i), i);
        }
        List<Layout> out = new ArrayList<>();
        for (Grouped g : group(sets, o)) {
            String hook = hook(g.first(), o.hook());
            width(g.members(), g.name());
            Steps steps = steps(g, o);
            boolean anyRows = g.members().stream().anyMatch(m -> m.trajectory().rows() > 0);
            Map<String, Integer> codes = g.label() == null && o.labelKey() != null && anyRows ? labelCodes(g.members(), o.labelKey()) : null;
            List<LaidOut> laidOut = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0, k = 0; i < g.members().size(); i++) {
                Member m = g.members().get(i);
                if (m.trajectory().rows() == 0) {
                    continue;
                }
                int[] starts = steps.starts() == null ? null : steps.starts()[k];
                k++;
                if (starts != null && starts.length == 0) {
                    continue;
                }
                laidOut.add(new LaidOut(index.get(m.set()), m.trajectory(), codes == null ? -1 : codes.get(m.trajectory().label(o.labelKey())), starts));
                ids.add(m.trajectory().id());
            }
            List<List<Integer>> layers = new ArrayList<>();
            String why = null;
            for (Described set : sets) {
                layers.add(updateLayers(set));
            }
            for (Member m : g.members()) {
                if (updateLayers(m.set()).isEmpty()) {
                    why = "needs blocks.L.hook_attn_out and blocks.L.hook_mlp_out of at least one layer; " + m.set().dir()
                            + " captured " + m.set().hooks() + " (capture with --hooks 'blocks.*.hook_attn_out,blocks.*.hook_mlp_out,…')";
                    break;
                }
            }
            out.add(new Layout(g.name(), g.model(), g.first().parameterCount(), g.domain(), g.label(), hook, List.copyOf(laidOut),
                    List.copyOf(ids), why == null ? List.copyOf(layers) : null, why, o.unit(), o.pool(), steps.dropped()));
        }
        return out;
    }

    /** One group's key, members, first set and display name. */
    private record Grouped(List<String> key, List<Member> members, Described first, String model, String domain, String label, String name) {}

    private static List<Described> described(List<ActivationSet> sets) {
        return sets.stream().map(Described::of).toList();
    }

    private static List<Grouped> group(List<Described> sets, Options o) {
        boolean byParams = o.by().contains(Key.PARAMS);
        boolean byDomain = o.by().contains(Key.DOMAIN);
        boolean byLabel = o.by().contains(Key.LABEL);
        Map<List<String>, List<Member>> groups = new LinkedHashMap<>();
        Map<List<String>, Described> firstSet = new LinkedHashMap<>();
        for (Described set : sets) {
            if (o.unit() == StepPooling.Unit.STEP) {
                requireSteps(set);
            }
            List<String> base = List.of(byParams ? Long.toString(set.parameterCount()) : set.model());
            if (set.trajectories().isEmpty()) {
                List<String> key = new ArrayList<>(base);
                key.add(byDomain ? "(none)" : "");
                key.add("");
                groups.computeIfAbsent(key, k -> new ArrayList<>());
                firstSet.putIfAbsent(key, set);
            }
            for (ActivationManifest.Trajectory t : set.trajectories()) {
                List<String> key = new ArrayList<>(base);
                key.add(byDomain ? (t.domain() == null ? "(none)" : t.domain()) : "");
                String label = byLabel ? t.label(o.labelKey()) : null;
                if (byLabel && label == null) {
                    throw new InputException(set.dir() + ": trajectory \"" + t.id() + "\" has no label '" + o.labelKey()
                            + "' (labels: " + t.labels() + "); give every prompt that label or group without --by label");
                }
                key.add(byLabel ? label : "");
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Member(set, t));
                firstSet.putIfAbsent(key, set);
            }
        }
        List<Grouped> out = new ArrayList<>();
        for (Map.Entry<List<String>, List<Member>> e : groups.entrySet()) {
            List<Member> members = e.getValue();
            Described set = firstSet.get(e.getKey());
            String model = byParams ? pooledModels(members, set) : set.model();
            String domain = byDomain ? e.getKey().get(1) : null;
            String label = byLabel ? e.getKey().get(2) : null;
            StringBuilder name = new StringBuilder(byParams ? "params=" + set.parameterCount() : "model=" + set.model());
            if (domain != null) {
                name.append(", domain=").append(domain);
            }
            if (label != null) {
                name.append(", ").append(o.labelKey()).append('=').append(label);
            }
            out.add(new Grouped(e.getKey(), members, set, model, domain, label, name.toString()));
        }
        return out;
    }

    /**
     * The group's steps (per captured trajectory, its step row starts; null for tokens) and why some
     * trajectories are left out; they do not depend on the hook.
     */
    private record Steps(int[][] starts, String dropped) {}

    private static Steps steps(Grouped g, Options o) {
        if (o.unit() != StepPooling.Unit.STEP) {
            return new Steps(null, null);
        }
        List<Member> captured = g.members().stream().filter(m -> m.trajectory().rows() > 0).toList();
        int[][] steps = new int[captured.size()][];
        List<String> without = new ArrayList<>();
        for (int k = 0; k < captured.size(); k++) {
            steps[k] = stepRowStarts(captured.get(k));
            if (steps[k].length == 0) {
                without.add(captured.get(k).trajectory().id());
            }
        }
        String dropped = without.isEmpty() ? null : without.size() + " of " + captured.size()
                + " trajectories have no step boundaries and are left out (" + InputException.quoteList(without) + ")";
        return new Steps(steps, dropped);
    }

    private static Input input(Grouped g, Options o, String hook, PointSet points, Steps steps, Coherence c) {
        if (g.label() == null && o.labelKey() != null && points.size() > 0) {
            points = withManifestLabels(points, g.members(), o.labelKey());
        }
        if (steps.starts() != null && points.hasTrajectories()) {
            points = StepPooling.pool(points, steps.starts(), o.pool());
        }
        List<Member> captured = g.members().stream().filter(m -> m.trajectory().rows() > 0).toList();
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < captured.size(); k++) {
            if (steps.starts() == null || steps.starts()[k].length > 0) {
                ids.add(captured.get(k).trajectory().id());
            }
        }
        return new Input(g.name(), g.model(), g.first().parameterCount(), g.domain(), g.label(), hook, points, ids, c.moments(), c.why(),
                o.unit(), o.pool(), steps.dropped());
    }

    /**
     * Refuses {@code --unit step} on sets none of whose trajectories has a step boundary: there is
     * nothing to pool, and the way out is a capture that records steps.
     */
    private static void requireSteps(Described set) {
        if (set.trajectories().isEmpty()) {
            return;
        }
        for (ActivationManifest.Trajectory t : set.trajectories()) {
            if (t.stepBoundaries() != null && !t.stepBoundaries().isEmpty()) {
                return;
            }
        }
        throw new InputException(set.dir() + ": --unit step needs step boundaries, but none of its " + set.trajectories().size()
                + " trajectories has any; capture with --steps RULE (e.g. --steps newline) or give step_boundaries in the prompts file,"
                + " or use --unit token");
    }

    /**
     * A trajectory's steps as row indices relative to its first row. Step i is the token positions
     * [b_i, b_{i+1}) (the last one up to the trajectory's last captured position); its rows are the
     * captured positions inside it, row r being position firstPosition + r. Positions before the first
     * boundary belong to no step. A step none of whose positions was captured cannot be pooled.
     */
    private static int[] stepRowStarts(Member m) {
        ActivationManifest.Trajectory t = m.trajectory();
        List<Integer> b = t.stepBoundaries() == null ? List.of() : t.stepBoundaries();
        int first = t.firstPosition();
        int end = first + t.rows(); // one past the last captured position
        int[] starts = new int[b.size()];
        for (int i = 1; i < b.size(); i++) {
            if (b.get(i) <= b.get(i - 1)) {
                throw new InputException(m.set().dir() + ": trajectory \"" + t.id() + "\" has step_boundaries " + InputException.quote(b)
                        + " that do not increase (boundary " + i + " = " + b.get(i) + " follows " + b.get(i - 1)
                        + "); a step of zero tokens cannot be pooled: fix the prompts' step_boundaries or the --steps rule");
            }
        }
        for (int i = 0; i < b.size(); i++) {
            int from = Math.max(b.get(i), first);
            int to = i + 1 < b.size() ? Math.min(b.get(i + 1), end) : end;
            if (to <= from) {
                throw new InputException(m.set().dir() + ": trajectory \"" + t.id() + "\" step " + i + " (positions " + b.get(i) + " to "
                        + (i + 1 < b.size() ? b.get(i + 1) - 1 : t.tokenCount() - 1) + ") has no captured rows (captured positions " + first
                        + " to " + (end - 1) + ", --positions " + m.set().manifest().positions() + "); capture with --positions all to pool steps");
            }
            starts[i] = from - first;
        }
        return starts;
    }

    private static String pooledModels(List<Member> members, Described first) {
        TreeSet<String> names = new TreeSet<>();
        names.add(first.model());
        for (Member m : members) {
            names.add(m.set().model());
        }
        return String.join("+", names);
    }

    /**
     * Rows of every member at each of {@code hooks} (trajectories with no rows are dropped), checked
     * finite while copied. One pass: each trajectory's rows of every hook are copied before the next
     * trajectory, so a shard is read once for all the hooks.
     */
    private static PointSet[] gather(List<Member> members, List<String> hooks, String source) {
        int d = -1;
        long total = 0;
        for (Member m : members) {
            if (d >= 0 && m.set().dModel() != d) {
                throw new InputException(source + ": pools sets of different widths (" + d + " and " + m.set().dModel() + " in "
                        + m.set().dir() + "); group by model instead");
            }
            d = m.set().dModel();
            total += m.trajectory().rows();
        }
        PointSet[] out = new PointSet[hooks.size()];
        if (members.isEmpty()) {
            java.util.Arrays.fill(out, PointSet.trusted(PointSet.allocate(0), 0, 1, source));
            return out;
        }
        if (total > Integer.MAX_VALUE) {
            throw new InputException(source + ": " + total + " rows are too many for one group; split it (--by domain)");
        }
        int n = (int) total;
        FloatBuffer[] buffers = new FloatBuffer[hooks.size()];
        for (int h = 0; h < buffers.length; h++) {
            buffers[h] = PointSet.allocate((long) n * d);
        }
        List<Long> offsets = new ArrayList<>();
        float[] row = new float[d];
        int r = 0;
        for (Member m : members) {
            ActivationManifest.Trajectory t = m.trajectory();
            if (t.rows() == 0) {
                continue;
            }
            offsets.add((long) r);
            for (int h = 0; h < buffers.length; h++) {
                String hook = hook(m.set(), hooks.get(h));
                FloatBuffer src = m.set().opened().tensor(hook, t);
                for (int i = 0; i < t.rows(); i++) {
                    src.get((t.rowStart() + i) * d, row, 0, d);
                    for (int j = 0; j < d; j++) {
                        if (!Float.isFinite(row[j])) {
                            throw new InputException(m.set().dir() + ": trajectory \"" + t.id() + "\" position " + i + " at " + hook + " has "
                                    + row[j] + " in column " + j + "; recapture or drop that prompt before computing geometry");
                        }
                    }
                    buffers[h].put((r + i) * d, row, 0, d);
                }
            }
            r += t.rows();
        }
        long[] starts = offsets.stream().mapToLong(Long::longValue).toArray();
        for (int h = 0; h < out.length; h++) {
            PointSet p = PointSet.trusted(buffers[h], n, d, source);
            out[h] = offsets.isEmpty() ? p : p.withTrajectories(starts, source);
        }
        return out;
    }

    /** The width every member's set shares (−1 for no members); sets of different widths cannot pool. */
    private static int width(List<Member> members, String source) {
        int d = -1;
        for (Member m : members) {
            if (d >= 0 && m.set().dModel() != d) {
                throw new InputException(source + ": pools sets of different widths (" + d + " and " + m.set().dModel() + " in "
                        + m.set().dir() + "); group by model instead");
            }
            d = m.set().dModel();
        }
        return d;
    }

    /** Each point labelled with its trajectory's {@code labels.KEY} (distinct values coded in sorted order). */
    private static PointSet withManifestLabels(PointSet p, List<Member> members, String key) {
        Map<String, Integer> codes = labelCodes(members, key);
        int[] labels = new int[p.size()];
        int r = 0;
        for (Member m : members) {
            int code = codes.get(m.trajectory().label(key));
            for (int i = 0; i < m.trajectory().rows(); i++) {
                labels[r++] = code;
            }
        }
        return p.withLabels(labels);
    }

    /** Each distinct {@code labels.KEY} of the members coded 0, 1, … in sorted order; a member without it is refused. */
    private static Map<String, Integer> labelCodes(List<Member> members, String key) {
        TreeMap<String, Integer> codes = new TreeMap<>();
        for (Member m : members) {
            String v = m.trajectory().label(key);
            if (v == null) {
                throw new InputException(m.set().dir() + ": trajectory \"" + m.trajectory().id() + "\" has no label '" + key
                        + "' (labels: " + m.trajectory().labels() + "); every prompt needs it for the silhouette");
            }
            codes.put(v, 0);
        }
        int c = 0;
        for (Map.Entry<String, Integer> e : codes.entrySet()) {
            e.setValue(c++);
        }
        return codes;
    }

    /** Per-trajectory moments of the attention/MLP update norms, or null moments with the reason why. */
    private record Coherence(OscillationCoherence.Moments[] moments, String why) {}

    private static Coherence coherence(List<Member> members, Steps steps, StepPooling.Pool pool) {
        String[] why = new String[1];
        OscillationCoherence.Moments[] m = coherence(members, steps.starts(), pool, why);
        return new Coherence(m, why[0]);
    }

    /**
     * Per-trajectory moments of the attention/MLP update norms, or null with the reason in why[0].
     * With steps ({@code steps} not null: per captured trajectory, its step row starts) the updates
     * are pooled exactly as the points are — a step's attention update is the mean (or last) of its
     * tokens' hook_attn_out rows, its size that vector's norm — so the coherence speaks of the same
     * steps as every other metric; with one layer its changes run step to step.
     */
    private static OscillationCoherence.Moments[] coherence(List<Member> members, int[][] steps, StepPooling.Pool pool, String[] why) {
        List<OscillationCoherence.Moments> out = new ArrayList<>();
        Map<Described, List<Integer>> layersBySet = new LinkedHashMap<>();
        int k = 0;
        for (Member m : members) {
            List<Integer> layers = layersBySet.computeIfAbsent(m.set(), ActivationGroups::updateLayers);
            if (layers.isEmpty()) {
                why[0] = "needs blocks.L.hook_attn_out and blocks.L.hook_mlp_out of at least one layer; " + m.set().dir()
                        + " captured " + m.set().hooks() + " (capture with --hooks 'blocks.*.hook_attn_out,blocks.*.hook_mlp_out,…')";
                return null;
            }
            if (m.trajectory().rows() == 0) {
                continue;
            }
            int[] starts = steps == null ? null : steps[k];
            k++;
            if (starts != null && starts.length == 0) {
                continue;
            }
            double[][] attn = new double[layers.size()][];
            double[][] mlp = new double[layers.size()][];
            for (int i = 0; i < layers.size(); i++) {
                attn[i] = rowNorms(m.set().opened(), "blocks." + layers.get(i) + ".hook_attn_out", m.trajectory(), starts, pool);
                mlp[i] = rowNorms(m.set().opened(), "blocks." + layers.get(i) + ".hook_mlp_out", m.trajectory(), starts, pool);
            }
            out.add(OscillationCoherence.trajectory(attn, mlp));
        }
        return out.toArray(new OscillationCoherence.Moments[0]);
    }

    /** Layers with both hook_attn_out and hook_mlp_out captured, in order. */
    private static List<Integer> updateLayers(Described set) {
        List<Integer> layers = new ArrayList<>();
        for (String h : set.hooks()) {
            Matcher m = ATTN_OUT.matcher(h);
            if (m.matches() && set.hooks().contains("blocks." + m.group(1) + ".hook_mlp_out")) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        layers.sort(null);
        return layers;
    }

    /**
     * Euclidean norm of every row of trajectory {@code t} at {@code hook}; with step row starts, the
     * norm of each step's pooled row instead.
     */
    private static double[] rowNorms(ActivationSet set, String hook, ActivationManifest.Trajectory t, int[] stepStarts, StepPooling.Pool pool) {
        FloatBuffer src = set.tensor(hook, t);
        int d = set.dModel();
        if (stepStarts == null) {
            double[] out = new double[t.rows()];
            for (int i = 0; i < t.rows(); i++) {
                int base = (t.rowStart() + i) * d;
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double v = src.get(base + j);
                    s += v * v;
                }
                out[i] = Math.sqrt(s);
            }
            return out;
        }
        double[] out = new double[stepStarts.length];
        double[] sum = new double[d];
        for (int k = 0; k < stepStarts.length; k++) {
            int from = pool == StepPooling.Pool.LAST ? (k + 1 < stepStarts.length ? stepStarts[k + 1] : t.rows()) - 1 : stepStarts[k];
            int to = k + 1 < stepStarts.length ? stepStarts[k + 1] : t.rows();
            java.util.Arrays.fill(sum, 0);
            for (int i = from; i < to; i++) {
                int base = (t.rowStart() + i) * d;
                for (int j = 0; j < d; j++) {
                    sum[j] += src.get(base + j);
                }
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
                // The pooled row as the points store it: the float32 of the mean.
                double v = (float) (sum[j] / (to - from));
                s += v * v;
            }
            out[k] = Math.sqrt(s);
        }
        return out;
    }
}
