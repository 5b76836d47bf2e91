package org.scalelab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which activations a forward pass copies out, selected by TransformerLens hook names or globs
 * where {@code *} matches any run of characters: {@code blocks.*.hook_resid_post},
 * {@code blocks.3.*}, {@code *} (everything); and at which sequence positions
 * ({@link #at(Positions)}, all by default).
 */
public final class HookSet {
    private static final HookSet NONE = new HookSet(List.of());

    private final List<String> globs;
    private final List<Pattern> patterns;
    private final Positions positions;
    private final List<Intervention> interventions;
    private final List<ActivationPatch> patches;

    private HookSet(List<String> globs) {
        this(globs, Positions.ALL, List.of(), List.of());
    }

    private HookSet(List<String> globs, Positions positions, List<Intervention> interventions, List<ActivationPatch> patches) {
        this.globs = List.copyOf(globs);
        this.positions = positions;
        this.interventions = List.copyOf(interventions);
        this.patches = List.copyOf(patches);
        List<Pattern> ps = new ArrayList<>();
        for (String g : globs) {
            StringBuilder re = new StringBuilder();
            for (String part : g.split("\\*", -1)) {
                if (!re.isEmpty()) {
                    re.append(".*");
                }
                re.append(Pattern.quote(part));
            }
            ps.add(Pattern.compile(re.toString()));
        }
        this.patterns = List.copyOf(ps);
    }

    public static HookSet of(String... globs) {
        return new HookSet(List.of(globs));
    }

    public static HookSet none() {
        return NONE;
    }

    public static HookSet all() {
        return of("*");
    }

    /** The same hooks, copied out only at {@code positions} (query positions for attention patterns). */
    public HookSet at(Positions positions) {
        return new HookSet(globs, positions, interventions, patches);
    }

    /**
     * The same selection, also applying {@code changes} (in order) at their hooks; what is recorded
     * at a hook is the activation after its interventions.
     */
    public HookSet with(Intervention... changes) {
        List<Intervention> all = new ArrayList<>(interventions);
        all.addAll(List.of(changes));
        return new HookSet(globs, positions, all, patches);
    }

    /**
     * The same selection, also replacing activations by recorded ones at the patches' hooks (after
     * any interventions there); what is recorded at a hook is the patched activation.
     */
    public HookSet patched(ActivationPatch... more) {
        List<ActivationPatch> all = new ArrayList<>(patches);
        all.addAll(List.of(more));
        return new HookSet(globs, positions, interventions, all);
    }

    public List<Intervention> interventions() {
        return interventions;
    }

    public List<ActivationPatch> patches() {
        return patches;
    }

    public Positions positions() {
        return positions;
    }

    public boolean matches(String hookName) {
        for (Pattern p : patterns) {
            if (p.matcher(hookName).matches()) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public List<String> globs() {
        return globs;
    }

    @Override
    public String toString() {
        return String.join(",", globs) + (positions.equals(Positions.ALL) ? "" : " @ " + positions)
                + (interventions.isEmpty() ? "" : " with " + interventions) + (patches.isEmpty() ? "" : " patched " + patches);
    }
}
