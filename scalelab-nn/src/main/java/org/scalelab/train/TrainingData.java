package org.scalelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.model.ModelTokenizer;

/**
 * Training examples from a JSONL file, one JSON object per line in one of three forms:
 *
 * <pre>
 *   {"text": "the cat sat"}                           every token after the first is a target
 *   {"prompt": "2+2=", "completion": "4"}             only the completion's tokens are targets
 *   {"tokens": [5, 9, 2, 7], "loss_mask": [0,0,0,1]}  token ids; loss_mask (0/1 or booleans) optional,
 *                                                      default: every token after the first
 * </pre>
 *
 * Text is encoded with the model's tokenizer.json, without special tokens; prompt and completion
 * are encoded separately and concatenated (so the boundary is exactly where the targets start).
 * Blank lines are skipped. Errors name the file, the line and the field.
 */
public final class TrainingData {
    private TrainingData() {}

    /**
     * @param tokenizer opened only if some line holds text (then the model folder must have a tokenizer.json)
     * @param maxTokens longest example accepted (the model's positions)
     */
    public static List<Example> readJsonl(Path file, Supplier<ModelTokenizer> tokenizer, int maxTokens) {
        List<Example> out = new ArrayList<>();
        ModelTokenizer tok = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + number;
                JsonNode n;
                try {
                    n = Json.mapper().readTree(line);
                } catch (IOException e) {
                    throw new InputException(where + ": not valid JSON: " + Json.problem(e));
                }
                if (n == null || !n.isObject()) {
                    throw new InputException(where + ": expected a JSON object with \"text\", \"prompt\"+\"completion\" or \"tokens\"");
                }
                Example e;
                if (n.has("tokens")) {
                    e = fromTokens(where, n);
                } else if (n.has("text") || n.has("prompt")) {
                    if (tok == null) {
                        tok = tokenizer.get();
                    }
                    e = fromText(where, n, tok);
                } else {
                    throw new InputException(where + ": no \"text\", \"prompt\"+\"completion\" or \"tokens\" field");
                }
                if (e.length() > maxTokens) {
                    throw new InputException(where + ": " + e.length() + " tokens exceed the model's " + maxTokens + " positions");
                }
                out.add(e);
            }
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": training data file not found");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read training data: " + e.getMessage(), e);
        } finally {
            if (tok != null) {
                tok.close();
            }
        }
        if (out.isEmpty()) {
            throw new InputException(file + ": no training examples (expected one JSON object per line)");
        }
        return out;
    }

    private static Example fromTokens(String where, JsonNode n) {
        JsonNode t = n.get("tokens");
        if (!t.isArray()) {
            throw new InputException(where + ": field \"tokens\" must be an array of token ids, got " + t);
        }
        int[] tokens = new int[t.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode v = t.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new InputException(where + ": field \"tokens\"[" + i + "] must be a non-negative integer, got " + v);
            }
            tokens[i] = v.asInt();
        }
        if (tokens.length < 2) {
            throw new InputException(where + ": field \"tokens\" needs at least 2 ids (a context and a target), got " + tokens.length);
        }
        JsonNode m = n.get("loss_mask");
        if (m == null || m.isNull()) {
            return Example.allTokens(tokens);
        }
        if (!m.isArray() || m.size() != tokens.length) {
            throw new InputException(where + ": field \"loss_mask\" must be an array of " + tokens.length + " entries (one per token), got "
                    + (m.isArray() ? m.size() + " entries" : m.toString()));
        }
        boolean[] mask = new boolean[tokens.length];
        for (int i = 0; i < mask.length; i++) {
            JsonNode v = m.get(i);
            if (v.isBoolean()) {
                mask[i] = v.asBoolean();
            } else if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) {
                mask[i] = v.asInt() == 1;
            } else {
                throw new InputException(where + ": field \"loss_mask\"[" + i + "] must be 0, 1, true or false, got " + v);
            }
        }
        return check(where, tokens, mask);
    }

    private static Example fromText(String where, JsonNode n, ModelTokenizer tok) {
        if (n.has("text")) {
            int[] tokens = tok.encode(text(where, n, "text"));
            if (tokens.length < 2) {
                throw new InputException(where + ": field \"text\" encodes to " + tokens.length + " token(s); at least 2 are needed");
            }
            return Example.allTokens(tokens);
        }
        if (!n.has("completion")) {
            throw new InputException(where + ": field \"prompt\" needs a \"completion\" (the tokens to train on)");
        }
        int[] prompt = tok.encode(text(where, n, "prompt"));
        int[] completion = tok.encode(text(where, n, "completion"));
        if (prompt.length == 0 || completion.length == 0) {
            throw new InputException(where + ": \"prompt\" and \"completion\" must each encode to at least one token");
        }
        int[] tokens = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
        boolean[] mask = new boolean[tokens.length];
        Arrays.fill(mask, prompt.length, tokens.length, true);
        return check(where, tokens, mask);
    }

    private static String text(String where, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new InputException(where + ": field \"" + field + "\" must be a string, got " + v);
        }
        return v.asText();
    }

    private static Example check(String where, int[] tokens, boolean[] mask) {
        try {
            return new Example(tokens, mask);
        } catch (InputException e) {
            throw new InputException(where + ": " + e.getMessage().replaceFirst("^example: ", ""));
        }
    }
}
