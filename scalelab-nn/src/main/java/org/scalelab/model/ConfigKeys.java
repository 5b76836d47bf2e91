package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.scalelab.InputException;

/**
 * The keys of one config.json object, read with their types checked: each missing or mistyped key
 * fails with one message naming the file, the key and the value found. A {@link Family} reads its
 * config through this.
 */
final class ConfigKeys {
    private final Path file;
    private final JsonNode root;

    ConfigKeys(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** The file being read, for error messages. */
    Path file() {
        return file;
    }

    /** The keys of a nested object of the same file (e.g. {@code rope_scaling}). */
    ConfigKeys nested(JsonNode object) {
        return new ConfigKeys(file, object);
    }

    /** The raw value of {@code name}, or null when absent. */
    JsonNode node(String name) {
        return root.get(name);
    }

    /** Whether {@code name} is present and not null. */
    boolean has(String name) {
        return root.hasNonNull(name);
    }

    /** Whether {@code name} is present at all (possibly null). */
    boolean present(String name) {
        return root.has(name);
    }

    /** An integer, or {@code fallback} when absent; a null fallback makes the key required. */
    int integer(String name, Integer fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw new InputException(file + ": missing field \"" + name + "\" (integer) required for model_type "
                        + root.path("model_type").asText());
            }
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InputException(file + ": field \"" + name + "\" must be an integer, got " + n);
        }
        return n.asInt();
    }

    double number(String name, double fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new InputException(file + ": field \"" + name + "\" must be a number, got " + n);
        }
        return n.asDouble();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new InputException(file + ": field \"" + name + "\" must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    String text(String name, String fallback) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw new InputException(file + ": field \"" + name + "\" must be a string, got " + n);
        }
        return n.asText();
    }

    /** Refuses {@code name: true}: a switch of the architecture ScaleLab does not compute. */
    void requireAbsentOrFalse(String name) {
        if (bool(name, false)) {
            throw new InputException(file + ": \"" + name + "\": true is not supported yet for model_type "
                    + root.path("model_type").asText());
        }
    }
}
