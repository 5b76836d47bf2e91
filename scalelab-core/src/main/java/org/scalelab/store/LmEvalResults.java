package org.scalelab.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.Json;

/**
 * Reads one lm-evaluation-harness result file ({@code results.json}, {@code results_<date>.json})
 * into one {@link RunRecord}, in either layout the harness has written:
 *
 * <ul>
 *   <li><b>v0.3</b> ({@code main.py --output_path}): {@code {"results": {task: {"acc": v, "acc_stderr": s, …}},
 *       "versions": {…}, "config": {"model": "hf-causal", "model_args": "pretrained=EleutherAI/pythia-1.4b,revision=step143000", …}}}.</li>
 *   <li><b>v0.4</b> ({@code lm_eval … --output_path}): metric keys are {@code "metric,filter"}
 *       ({@code "acc,none"}, {@code "acc_stderr,none"}, {@code "exact_match,strict-match"}); each
 *       task also has {@code alias} (and, by version, {@code samples}, {@code name},
 *       {@code sample_len}, {@code sample_count}); {@code groups}, {@code group_subtasks},
 *       {@code configs}, {@code versions}, {@code n-shot}, {@code n-samples}; {@code config} holds
 *       {@code model} (the backend, e.g. {@code hf}), {@code model_args} (text or object), and in
 *       later versions {@code model_num_parameters} and {@code model_revision}; {@code model_name}
 *       names the model.</li>
 * </ul>
 *
 * Metrics are named {@code task/metric}: the filter {@code none} is dropped ({@code arc_easy/acc}),
 * any other filter is kept after a comma ({@code gsm8k/exact_match,strict-match}). A key
 * {@code metric_stderr[,filter]} next to {@code metric[,filter]} is that metric's standard error;
 * the harness writes {@code "N/A"} when it computed none (and Python writes {@code NaN}), which are
 * stored as unknown. Groups' aggregates (v0.4 {@code mmlu}, {@code mmlu_humanities}) are entries of
 * {@code results} like any task and are imported as {@code mmlu/acc}; the {@code groups} section
 * repeats them and adds nothing new, except for a group missing from {@code results}.
 *
 * <p>Where the run's scale comes from, first found wins: params from {@code --params}, the
 * {@code --sizes} table, {@code config.model_num_parameters}, the model name ({@link ModelName});
 * the step from {@code --step}, the revision ({@code revision=step143000}), the name; tokens from
 * {@code --tokens}, {@code --tokens-per-step} × step, the revision ({@code tokens84B}), the
 * {@code --sizes} table. Compute is derived (C = 6·N·D) when tokens are known.
 */
public final class LmEvalResults {
    /** Keys of a task's entry that describe it rather than score it (v0.4). */
    private static final Set<String> TASK_FIELDS = Set.of("alias", "name", "samples", "sample_len", "sample_count");
    private static final String STDERR = "_stderr";
    /** Python's json writes NaN and Infinity as bare words; the harness's stderr can be NaN. */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * What the user states about the runs (flags); null = not stated.
     *
     * @param params        parameter count for every file ({@code --params})
     * @param tokens        training tokens for every file ({@code --tokens})
     * @param tokensPerStep tokens per training step ({@code --tokens-per-step}), tokens = step × this
     * @param step          training step for every file ({@code --step})
     * @param model         model name for every file ({@code --model})
     * @param family        family label for every file ({@code --family})
     * @param sizes         the {@code --sizes} table, or {@link ModelSizes#none()}
     */
    public record Options(Double params, Double tokens, Double tokensPerStep, Long step, String model, String family, ModelSizes sizes) {
        public Options {
            sizes = sizes == null ? ModelSizes.none() : sizes;
        }

        public static Options defaults() {
            return new Options(null, null, null, null, null, null, ModelSizes.none());
        }
    }

    /**
     * One file read.
     *
     * @param source the record to import (one run), with the file's SHA-256 and how it was read as JSON
     * @param layout {@code v0.3} or {@code v0.4}
     * @param from   where each of model, params, step, tokens came from ({@code params → name '1.4b'})
     */
    public record Read(RecordImport source, String layout, Map<String, String> from) {
        public RunRecord run() {
            return source.runs().get(0);
        }
    }

    private LmEvalResults() {}

    /** Reads {@code file}; any problem is an {@link InputException} naming the file, the JSON field and its value. */
    public static Read read(Path file, Options options) {
        String f = file.toString();
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new InputException(f + ": not valid JSON: " + Json.problem(e));
        } catch (IOException e) {
            throw new InputException(f + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InputException(f + ": the file holds " + kind(root) + ", not an lm-evaluation-harness result object "
                    + "({\"results\": {task: {metric: value}}, \"config\": …})");
        }
        JsonNode results = root.get("results");
        if (results == null || results.isNull()) {
            throw new InputException(f + ": no \"results\" field; not an lm-evaluation-harness result file (expected "
                    + "{\"results\": {task: {metric: value}}, \"config\": …}; per-sample files samples_*.jsonl are not results)");
        }
        if (!results.isObject()) {
            throw new InputException(f + ": \"results\" is " + kind(results) + ", expected an object {task: {metric: value}}");
        }
        JsonNode config = root.path("config");
        if (!config.isMissingNode() && !config.isNull() && !config.isObject()) {
            throw new InputException(f + ": \"config\" is " + kind(config) + ", expected an object");
        }
        Map<String, String> args = modelArgs(f, config.path("model_args"));
        Map<String, String> from = new LinkedHashMap<>();

        String model = model(f, root, config, args, options, from);
        String revision = args.containsKey("revision") ? args.get("revision") : text(config.path("model_revision"));

        Long step = options.step();
        if (step != null) {
            from.put("step", "--step");
        } else if ((step = ModelName.step(revision)) != null) {
            from.put("step", "revision '" + revision + "'");
        } else if ((step = ModelName.step(model)) != null) {
            from.put("step", "name");
        }

        ModelSizes.Entry listed = options.sizes().find(model);
        ModelName.Size named = ModelName.size(model);
        Double params = options.params();
        if (params != null) {
            from.put("params", "--params");
        } else if (listed != null) {
            params = listed.params();
            from.put("params", "--sizes line " + listed.line());
        } else if (config.path("model_num_parameters").isNumber() && config.path("model_num_parameters").asDouble() > 0) {
            params = config.path("model_num_parameters").asDouble();
            from.put("params", "config.model_num_parameters");
        } else if (named.params() != null) {
            params = named.params();
            from.put("params", "name '" + named.sizeText() + "'");
        } else {
            String why = named.ambiguous() ? "its name states two sizes (" + named.sizeText() + ")" : "its name states no size";
            String table = options.sizes().file() == null ? "" : ", it is not in --sizes " + options.sizes().file();
            throw new InputException(f + ": model '" + InputException.quote(model) + "': no parameter count (" + why + table
                    + "); give --params N, or --sizes FILE with lines model,params[,tokens]");
        }

        Double tokens = options.tokens();
        if (tokens != null) {
            from.put("tokens", "--tokens");
        } else if (options.tokensPerStep() != null) {
            if (step == null) {
                throw new InputException(f + ": model '" + InputException.quote(model) + "': --tokens-per-step needs the training step, and "
                        + "neither the revision (" + (revision == null ? "none" : "'" + InputException.quote(revision) + "'")
                        + ") nor the name states one (e.g. revision=step143000); give --step N or --tokens N");
            }
            tokens = step * options.tokensPerStep();
            from.put("tokens", "step × --tokens-per-step");
        } else if ((tokens = ModelName.tokens(revision)) != null) {
            from.put("tokens", "revision '" + revision + "'");
        } else if (listed != null && listed.tokens() != null) {
            tokens = listed.tokens();
            from.put("tokens", "--sizes line " + listed.line());
        }

        String family = options.family() != null ? options.family() : listed != null && listed.family() != null ? listed.family() : named.family();

        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> stderr = new LinkedHashMap<>();
        boolean v04 = root.has("configs") || root.has("n-shot") || root.has("group_subtasks") || root.has("model_name") || root.has("n-samples");
        for (Iterator<Map.Entry<String, JsonNode>> it = results.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> task = it.next();
            v04 |= task(f, "results", task.getKey(), task.getValue(), metrics, stderr);
        }
        JsonNode groups = root.path("groups");
        if (groups.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = groups.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> g = it.next();
                if (!results.has(g.getKey())) {
                    task(f, "groups", g.getKey(), g.getValue(), metrics, stderr);
                }
            }
        }
        if (metrics.isEmpty()) {
            throw new InputException(f + ": \"results\" holds no metric values (" + (results.isEmpty() ? "it is empty"
                    : "tasks " + InputException.quoteList(iterable(results.fieldNames())) + " have none") + "); nothing to import");
        }

        String layout = v04 ? "v0.4" : "v0.3";
        Map<String, Object> how = new LinkedHashMap<>();
        how.put("format", "lm-eval");
        how.put("layout", layout);
        how.put("model", model);
        how.put("revision", revision);
        how.put("from", from);
        RunRecord run = new RunRecord(model, family, params, tokens, null, step, metrics, stderr);
        String absolute = file.toAbsolutePath().normalize().toString();
        return new Read(new RecordImport(absolute, Provenance.sha256(file), List.of(run), Json.write(how)), layout, from);
    }

    /** The model's name: --model, model_name (v0.4), model_args pretrained= / model=, config.model. */
    private static String model(String f, JsonNode root, JsonNode config, Map<String, String> args, Options options, Map<String, String> from) {
        if (options.model() != null) {
            from.put("model", "--model");
            return options.model();
        }
        String name = text(root.path("model_name"));
        if (name != null && !name.isBlank()) {
            from.put("model", "model_name");
            return name;
        }
        for (String key : List.of("pretrained", "model", "path")) {
            if (args.get(key) != null && !args.get(key).isBlank()) {
                from.put("model", "config.model_args " + key + "=");
                return args.get(key);
            }
        }
        name = text(config.path("model"));
        if (name != null && !name.isBlank()) {
            from.put("model", "config.model");
            return name;
        }
        throw new InputException(f + ": no model name (none of model_name, config.model_args pretrained=…, config.model); give --model NAME");
    }

    /**
     * {@code model_args} as the harness passes it: "pretrained=EleutherAI/pythia-1.4b,revision=step143000"
     * (key=value pairs split at commas), or an object in later versions.
     */
    private static Map<String, String> modelArgs(String f, JsonNode node) {
        Map<String, String> args = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return args;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            return args;
        }
        if (!node.isTextual()) {
            throw new InputException(f + ": config.model_args is " + kind(node) + ", expected text such as \"pretrained=NAME,revision=REV\" or an object");
        }
        for (String pair : node.asText().split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                args.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return args;
    }

    /** Adds one task's metrics; returns whether its keys are v0.4's "metric,filter". */
    private static boolean task(String f, String section, String task, JsonNode entry, Map<String, Double> metrics, Map<String, Double> stderr) {
        String at = section + "[\"" + InputException.quote(task) + "\"]";
        if (!entry.isObject()) {
            throw new InputException(f + ": " + at + " is " + kind(entry) + ", expected an object {metric: value}");
        }
        boolean v04 = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            int comma = key.indexOf(',');
            if (comma < 0 && TASK_FIELDS.contains(key)) {
                continue;
            }
            v04 |= comma >= 0;
            String metric = comma < 0 ? key : key.substring(0, comma);
            String filter = comma < 0 ? null : key.substring(comma + 1);
            String where = at + "[\"" + InputException.quote(key) + "\"]";
            JsonNode v = e.getValue();
            if (metric.endsWith(STDERR) && metric.length() > STDERR.length()) {
                String base = metric.substring(0, metric.length() - STDERR.length());
                if (entry.has(filter == null ? base : base + "," + filter)) {
                    Double se = stderrValue(f, where, v);
                    if (se != null) {
                        stderr.put(name(task, base, filter), se);
                    }
                    continue;
                }
            }
            if (!v.isNumber()) {
                throw new InputException(f + ": " + where + " is " + kind(v) + ", not a number");
            }
            double d = v.asDouble();
            if (!Double.isFinite(d)) {
                throw new InputException(f + ": " + where + " is " + d + ", not a finite number; a score must be finite to be stored");
            }
            metrics.put(name(task, metric, filter), d);
        }
        return v04;
    }

    /** A standard error: a number ≥ 0; "N/A", null or NaN (the harness computed none) is unknown. */
    private static Double stderrValue(String f, String where, JsonNode v) {
        if (v.isNull() || (v.isTextual() && v.asText().strip().equals("N/A"))) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InputException(f + ": " + where + " is " + kind(v) + ", not a standard error (a number, or \"N/A\")");
        }
        double d = v.asDouble();
        if (Double.isNaN(d)) {
            return null;
        }
        if (!(Double.isFinite(d) && d >= 0)) {
            throw new InputException(f + ": " + where + " is " + d + ", not a standard error (a finite number >= 0, or \"N/A\")");
        }
        return d;
    }

    /** {@code task/metric}, with the filter after a comma unless it is {@code none}. */
    static String name(String task, String metric, String filter) {
        return task + "/" + metric + (filter == null || filter.equals("none") ? "" : "," + filter);
    }

    /** How a JSON value reads in a message: {@code the string "abc"}, {@code an array}, {@code null}. */
    private static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "the string \"" + InputException.quote(v.asText()) + "\"";
        }
        if (v.isBoolean()) {
            return "the boolean " + v.asText();
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isObject()) {
            return "an object";
        }
        return "the number " + v.asText();
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.asText();
    }
}
