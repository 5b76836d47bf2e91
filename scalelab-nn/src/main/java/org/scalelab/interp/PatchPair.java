package org.scalelab.interp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.Utf8Lines;
import org.scalelab.model.ModelTokenizer;

/**
 * One clean/corrupted prompt pair of a patching file, a JSONL line
 * {@code {"id": "p1", "clean": "When Mary and John went to the store, John gave a drink to",
 * "corrupted": "When Mary and John went to the store, Mary gave a drink to", "answer": " Mary", "wrong": " John"}}:
 * the clean prompt's answer and the answer the corruption pushes towards (Wang et al. 2023's IOI
 * pairs). The metric is the logit of {@code answer} minus that of {@code wrong} at the last position.
 *
 * @param where "FILE:LINE" for error messages
 */
public record PatchPair(String id, String clean, String corrupted, String answer, String wrong, String where) {

    /** The pair as token ids; {@code answer} and {@code wrong} are one token each. */
    public record Tokens(String id, int[] clean, int[] corrupted, int answer, int wrong) {}

    /** Reads every non-blank line of {@code file}; a bad line is one error naming file, line, field and value. */
    public static List<PatchPair> read(Path file) {
        List<PatchPair> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = Utf8Lines.read(file, "pairs file");
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            PatchPair p = parse(file, number, line);
            Integer earlier = seen.putIfAbsent(p.id(), number);
            if (earlier != null) {
                throw new InputException(file + ":" + number + ": field \"id\": \"" + InputException.quote(p.id()) + "\" repeats line "
                        + earlier + " (ids must be unique)");
            }
            out.add(p);
        }
        if (out.isEmpty()) {
            throw new InputException(file + ": no pairs (expected one JSON object per line with \"id\", \"clean\", \"corrupted\", \"answer\", \"wrong\")");
        }
        return out;
    }

    private static PatchPair parse(Path file, int number, String line) {
        String where = file + ":" + number;
        JsonNode n;
        try {
            n = Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new InputException(where + ": not valid JSON (" + Json.problem(e) + ")");
        }
        if (n == null || !n.isObject()) {
            throw new InputException(where + ": expected a JSON object with \"id\", \"clean\", \"corrupted\", \"answer\", \"wrong\"");
        }
        JsonNode id = n.get("id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw new InputException(where + ": field \"id\": missing or not a non-empty string/integer");
        }
        return new PatchPair(id.asText(), text(n, "clean", where), text(n, "corrupted", where), text(n, "answer", where),
                text(n, "wrong", where), where);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new InputException(where + ": field \"" + field + "\": missing or not a non-empty string"
                    + (v == null ? "" : " (got " + InputException.quote(v) + ")"));
        }
        return v.asText();
    }

    /**
     * Encodes the pair: the prompts with the tokenizer's special tokens when {@code specialTokens}
     * (as transformers' {@code tokenizer(text)}), the answers without (they continue the prompt).
     * Clean and corrupted must have the same number of tokens, so that positions correspond; each
     * answer must be one token.
     */
    public Tokens tokenize(ModelTokenizer tokenizer, boolean specialTokens) {
        int[] c = tokenizer.encode(clean, specialTokens);
        int[] k = tokenizer.encode(corrupted, specialTokens);
        if (c.length != k.length) {
            throw new InputException(where + ": pair \"" + InputException.quote(id) + "\": \"clean\" is " + c.length + " tokens and \"corrupted\" "
                    + k.length + "; patching needs the same length so that positions correspond (reword the corruption)");
        }
        return new Tokens(id, c, k, oneToken(tokenizer, "answer", answer), oneToken(tokenizer, "wrong", wrong));
    }

    private int oneToken(ModelTokenizer tokenizer, String field, String text) {
        int[] ids = tokenizer.encode(text, false);
        if (ids.length != 1) {
            throw new InputException(where + ": pair \"" + InputException.quote(id) + "\": field \"" + field + "\": \"" + InputException.quote(text)
                    + "\" is " + ids.length + " tokens; the logit difference needs one token (mind the leading space)");
        }
        return ids[0];
    }
}
