package org.scalelab.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;
import org.scalelab.InputException;

/**
 * Selects trajectories of an activation set by a {@code KEY=VALUE} test on their manifest entry:
 * {@code domain=math}, {@code id=q17}, or {@code labels.correct=true} (a label compared as text).
 */
public final class TrajectoryFilter {
    private TrajectoryFilter() {}

    public static Predicate<ActivationManifest.Trajectory> parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new InputException("trajectory filter \"" + spec + "\": expected KEY=VALUE with KEY domain, id or labels.NAME");
        }
        String key = spec.substring(0, eq).trim();
        String value = spec.substring(eq + 1).trim();
        if (key.equals("domain")) {
            return t -> value.equals(t.domain());
        }
        if (key.equals("id")) {
            return t -> value.equals(t.id());
        }
        if (key.startsWith("labels.") && key.length() > "labels.".length()) {
            String label = key.substring("labels.".length());
            return t -> {
                JsonNode v = t.labels() == null ? null : t.labels().get(label);
                return v != null && !v.isNull() && value.equals(v.isValueNode() ? v.asText() : v.toString());
            };
        }
        throw new InputException("trajectory filter \"" + spec + "\": unknown key \"" + key + "\" (use domain, id or labels.NAME)");
    }
}
