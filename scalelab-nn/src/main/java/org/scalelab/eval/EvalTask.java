package org.scalelab.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.Utf8Lines;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * A task file: its name (the file name without {@code .jsonl}) and its examples, in file order.
 *
 * <p>One JSON object per line: {@code {"id": "q1", "context": "Question: …\nAnswer:", "choices": ["a", "b"],
 * "gold": 0, "domain": "science", "labels": {"source": "arc"}}}; {@code gold} is one index or a list of
 * indices (TruthfulQA's mc2); {@code domain} and {@code labels} are optional; other fields are ignored;
 * blank lines are skipped. Reading is strict: a line that is not valid JSON, a missing or mistyped
 * field, a gold out of range or repeated, fewer than two choices, an empty choice, a repeated id or a
 * file with no examples is an {@link InputException} naming FILE:LINE, the field and the value.
 */
public record EvalTask(String name, Path file, List<EvalExample> examples) {
    private static final String SHAPE = "each line must be one JSON object {\"id\", \"context\", \"choices\": [..], \"gold\": i | [i, ..]}";

    /** The one mapper's reader, refusing anything after a line's object (Jackson's default ignores it). */
    private static final ObjectReader STRICT = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public EvalTask {
        examples = List.copyOf(examples);
    }

    /** Reads a task file; bad input is an {@link InputException} naming FILE:LINE, the field and the value. */
    public static EvalTask read(Path file) {
        List<String> lines = Utf8Lines.read(file, "task file");
        List<EvalExample> examples = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int number = i + 1;
            EvalExample e = parse(file, number, line);
            Integer earlier = seen.putIfAbsent(e.id(), number);
            if (earlier != null) {
                throw new InputException(e.where() + ": field \"id\": \"" + InputException.quote(e.id()) + "\" repeats line "
                        + earlier + " (ids must be unique within a task)");
            }
            examples.add(e);
        }
        if (examples.isEmpty()) {
            throw new InputException(file + ": no examples; " + SHAPE);
        }
        return new EvalTask(nameOf(file), file, examples);
    }

    /**
     * Writes the examples to {@link #file} in the task-file format (a one-gold example's gold as a
     * number, several as a list; domain and labels only when present), through a temporary sibling
     * renamed into place, so the file appears only when complete. Replaces an existing file: callers
     * that must not overwrite check first.
     */
    public void write() {
        StringBuilder out = new StringBuilder();
        for (EvalExample e : examples) {
            out.append(Json.write(line(e))).append('\n');
        }
        try {
            AtomicFiles.writeString(file, out.toString());
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write the task file: " + e.getMessage(), e);
        }
    }

    /** One example as its task-file line. */
    static ObjectNode line(EvalExample e) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("id", e.id());
        n.put("context", e.context());
        ArrayNode choices = n.putArray("choices");
        e.choices().forEach(choices::add);
        int[] gold = e.gold();
        if (gold.length == 1) {
            n.put("gold", gold[0]);
        } else {
            ArrayNode g = n.putArray("gold");
            for (int i : gold) {
                g.add(i);
            }
        }
        if (e.domain() != null) {
            n.put("domain", e.domain());
        }
        if (!e.labels().isEmpty()) {
            ObjectNode l = n.putObject("labels");
            e.labels().forEach(l::put);
        }
        return n;
    }

    /** The task's name: the file name without its {@code .jsonl} (or {@code .json}) ending. */
    static String nameOf(Path file) {
        String n = file.getFileName().toString();
        for (String ext : new String[] {".jsonl", ".json"}) {
            if (n.endsWith(ext) && n.length() > ext.length()) {
                return n.substring(0, n.length() - ext.length());
            }
        }
        return n;
    }

    private static EvalExample parse(Path file, int number, String line) {
        String where = file + ":" + number;
        JsonNode n;
        try {
            n = STRICT.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InputException(where + ": " + Json.lineProblem(number, e).replaceFirst("^line \\d+, ", "").replaceFirst("^line \\d+: ", ""));
        } catch (IOException e) {
            throw new InputException(where + ": not valid JSON (" + Json.problem(e) + ")");
        }
        if (n == null || !n.isObject()) {
            throw new InputException(where + ": expected a JSON object, got " + InputException.quote(n) + "; " + SHAPE);
        }
        JsonNode id = n.get("id");
        if (id == null || id.isNull()) {
            throw new InputException(where + ": field \"id\" is missing (a non-empty string or integer)");
        }
        if (!(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw new InputException(where + ": field \"id\": " + InputException.quote(id) + " is not a non-empty string or integer");
        }
        JsonNode context = n.get("context");
        if (context == null || context.isNull()) {
            throw new InputException(where + ": field \"context\" is missing (a string; may be empty)");
        }
        if (!context.isTextual()) {
            throw new InputException(where + ": field \"context\": " + InputException.quote(context) + " is not a string");
        }
        List<String> choices = choices(where, n.get("choices"));
        int[] gold = gold(where, n.get("gold"), choices.size());
        JsonNode domain = n.get("domain");
        if (domain != null && !domain.isNull() && !domain.isTextual()) {
            throw new InputException(where + ": field \"domain\": " + InputException.quote(domain) + " is not a string");
        }
        Map<String, String> labels = labels(where, n.get("labels"));
        return new EvalExample(id.asText(), context.asText(), choices, gold,
                domain == null || domain.isNull() ? null : domain.asText(), labels, where);
    }

    private static List<String> choices(String where, JsonNode c) {
        if (c == null || c.isNull()) {
            throw new InputException(where + ": field \"choices\" is missing (an array of at least 2 non-empty strings)");
        }
        if (!c.isArray()) {
            throw new InputException(where + ": field \"choices\": " + InputException.quote(c) + " is not an array of strings");
        }
        if (c.size() < 2) {
            throw new InputException(where + ": field \"choices\": " + InputException.quote(c) + " has " + c.size()
                    + " choice" + (c.size() == 1 ? "" : "s") + "; a multiple-choice example needs at least 2");
        }
        List<String> out = new ArrayList<>(c.size());
        for (int i = 0; i < c.size(); i++) {
            JsonNode s = c.get(i);
            if (!s.isTextual()) {
                throw new InputException(where + ": field \"choices\"[" + i + "]: " + InputException.quote(s) + " is not a string");
            }
            if (s.asText().isEmpty()) {
                throw new InputException(where + ": field \"choices\"[" + i + "] is an empty string (a choice must have text to score)");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static int[] gold(String where, JsonNode g, int k) {
        if (g == null || g.isNull()) {
            throw new InputException(where + ": field \"gold\" is missing (the index of the correct choice, or a list of indices)");
        }
        if (g.isArray()) {
            if (g.isEmpty()) {
                throw new InputException(where + ": field \"gold\": [] names no correct choice (at least one index)");
            }
            int[] out = new int[g.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = goldIndex(where, "field \"gold\"[" + i + "]", g.get(i), k);
                for (int j = 0; j < i; j++) {
                    if (out[j] == out[i]) {
                        throw new InputException(where + ": field \"gold\": " + InputException.quote(g) + " repeats index " + out[i]);
                    }
                }
            }
            return out;
        }
        return new int[] {goldIndex(where, "field \"gold\"", g, k)};
    }

    private static int goldIndex(String where, String field, JsonNode v, int k) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InputException(where + ": " + field + ": " + InputException.quote(v)
                    + " is not a choice index (a whole number from 0, or a list of them)");
        }
        int i = v.intValue();
        if (i < 0 || i >= k) {
            throw new InputException(where + ": " + field + ": " + i + " is out of range for " + k + " choices (0.." + (k - 1) + ")");
        }
        return i;
    }

    private static Map<String, String> labels(String where, JsonNode l) {
        Map<String, String> out = new LinkedHashMap<>();
        if (l == null || l.isNull()) {
            return out;
        }
        if (!l.isObject()) {
            throw new InputException(where + ": field \"labels\": " + InputException.quote(l) + " is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw new InputException(where + ": field \"labels\".\"" + InputException.quote(f.getKey()) + "\": "
                        + InputException.quote(v) + " is not a string, number or boolean");
            }
            out.put(f.getKey(), v.asText());
        }
        return out;
    }
}
