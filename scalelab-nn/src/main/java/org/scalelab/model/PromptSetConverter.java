package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.DatasetRows;
import org.scalelab.io.DatasetRows.Row;
import org.scalelab.io.Json;

/**
 * Chain-of-thought prompt sets (the prompts file {@link Prompt#readJsonl} reads, with a domain and a
 * numeric {@code labels.difficulty}) from the public layouts a user may have on disk:
 *
 * <ul>
 *   <li>{@link Format#GSM8K} ({@code question}, {@code answer}): text
 *       {@code "Question: " + question + "\nAnswer: " + COT_CUE}; difficulty the number of non-blank
 *       lines of the reference answer before its {@code "#### <final answer>"} line (GSM8K writes one
 *       calculation per line, so this counts the reasoning steps of the reference solution: a proxy for
 *       difficulty, not a rating); labels also {@code answer} (the final answer) and {@code source}.
 *       Domain {@code math}.
 *   <li>{@link Format#MATH} ({@code problem}, {@code level}, {@code type}): text
 *       {@code "Problem: " + problem + "\nSolution: " + COT_CUE}; difficulty the level's number
 *       ("Level 3" → 3, the dataset's own 1–5 rating); "Level ?" (a few rows of the dataset) gives a
 *       prompt without a difficulty, counted in {@link Result#withoutDifficulty}; domain the
 *       {@code type} (e.g. "Algebra"); labels also {@code level}, {@code type}, {@code source}.
 *   <li>{@link Format#GENERIC} ({@code text}, {@code domain}, optional {@code difficulty},
 *       {@code labels}, {@code step_boundaries}): the text as written, no cue added.
 * </ul>
 *
 * A row's {@code id} (or MATH's {@code unique_id}) is kept; a row without one gets
 * {@code <file name without extension>-<row index>}, so the same file gives the same ids. A domain
 * given in {@link Options#domain} replaces every row's. Bad rows are refused with their file, row,
 * field and value; nothing is written until every row has converted.
 */
public final class PromptSetConverter {
    /**
     * The zero-shot chain-of-thought cue of Kojima et al. 2022 ("Large Language Models are Zero-Shot
     * Reasoners"), ending the GSM8K and MATH prompts so that a model continues with its reasoning.
     */
    public static final String COT_CUE = "Let's think step by step.";

    private static final Pattern LEVEL = Pattern.compile("Level (\\d+)");
    private static final String UNKNOWN_LEVEL = "Level ?";

    private PromptSetConverter() {}

    /** The layout a file of rows comes in. */
    public enum Format {
        GSM8K("gsm8k"), MATH("math"), GENERIC("generic");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The layout named on the command line. */
        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.label.equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new InputException("--from: \"" + InputException.quote(s) + "\" is not one of gsm8k, math, generic");
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * @param format the layout of every input file
     * @param domain replaces every prompt's domain when not null
     * @param limit  most prompts to convert, in input order (the first rows of the first files); 0: all
     */
    public record Options(Format format, String domain, int limit) {
        public Options {
            if (format == null) {
                throw new InputException("--from: give the layout of the rows: gsm8k, math or generic");
            }
            if (domain != null && domain.isBlank()) {
                throw new InputException("--domain: \"" + InputException.quote(domain) + "\" is blank; give a domain name or leave the option out");
            }
            if (limit < 0) {
                throw new InputException("--limit " + limit + ": give a positive number of prompts (or leave it out for all)");
            }
        }
    }

    /**
     * @param prompts           the converted prompts, in input order
     * @param withoutDifficulty prompts without a difficulty (MATH's "Level ?", generic rows without one)
     * @param domains           prompts per domain, in order of first appearance
     */
    public record Result(List<Prompt> prompts, int withoutDifficulty, Map<String, Integer> domains) {
        public Result {
            prompts = List.copyOf(prompts);
            domains = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(domains));
        }
    }

    /** Converts the rows of every file of {@code inputs}; nothing is written. */
    public static Result convert(List<Path> inputs, Options o) {
        if (inputs.isEmpty()) {
            throw new InputException("IN: give at least one file of rows");
        }
        List<Prompt> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        Map<String, Integer> domains = new LinkedHashMap<>();
        int without = 0;
        for (Path in : inputs) {
            if (o.limit() > 0 && out.size() >= o.limit()) {
                break;
            }
            for (Row r : DatasetRows.read(in)) {
                if (o.limit() > 0 && out.size() >= o.limit()) {
                    break;
                }
                Prompt p = switch (o.format()) {
                    case GSM8K -> gsm8k(r, in, o);
                    case MATH -> math(r, in, o);
                    case GENERIC -> generic(r, in, o);
                };
                String earlier = seen.putIfAbsent(p.id(), r.where());
                if (earlier != null) {
                    throw new InputException(r.where() + ": field \"id\": \"" + InputException.quote(p.id()) + "\" repeats " + earlier
                            + " (ids must be unique across the files)");
                }
                without += p.labels().has("difficulty") ? 0 : 1;
                domains.merge(p.domain(), 1, Integer::sum);
                out.add(p);
            }
        }
        return new Result(out, without, domains);
    }

    /** Writes the prompts to {@code out} through a temporary sibling (the caller checks first that it may replace it). */
    public static void write(Result r, Path out) {
        try {
            AtomicFiles.writeString(out, Prompt.toJsonl(r.prompts()));
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot write the prompt set: " + e.getMessage(), e);
        }
    }

    private static Prompt gsm8k(Row r, Path in, Options o) {
        String question = text(r, "question");
        String answer = text(r, "answer");
        int reasoning = 0;
        String finalAnswer = null;
        for (String line : answer.split("\n", -1)) {
            String l = line.strip();
            if (l.startsWith("####")) {
                finalAnswer = l.substring(4).strip();
                break;
            }
            reasoning += l.isEmpty() ? 0 : 1;
        }
        if (finalAnswer == null) {
            throw new InputException(r.where() + ": field \"answer\": \"" + InputException.quote(answer)
                    + "\" has no \"#### <final answer>\" line (GSM8K's reference answers end with one)");
        }
        ObjectNode labels = Json.mapper().createObjectNode();
        labels.put("difficulty", reasoning);
        labels.put("answer", finalAnswer);
        labels.put("source", Format.GSM8K.label());
        String text = "Question: " + question.strip() + "\nAnswer: " + COT_CUE;
        return new Prompt(id(r, in, "id"), text, o.domain() != null ? o.domain() : "math", labels, List.of(), r.where());
    }

    private static Prompt math(Row r, Path in, Options o) {
        String problem = text(r, "problem");
        String level = text(r, "level");
        ObjectNode labels = Json.mapper().createObjectNode();
        Matcher m = LEVEL.matcher(level.strip());
        if (m.matches()) {
            labels.put("difficulty", Integer.parseInt(m.group(1)));
        } else if (!level.strip().equals(UNKNOWN_LEVEL)) {
            throw new InputException(r.where() + ": field \"level\": \"" + InputException.quote(level)
                    + "\" is not \"Level N\" (a whole number) or \"Level ?\"");
        }
        labels.put("level", level.strip());
        String type = optionalText(r, "type");
        if (type == null && o.domain() == null) {
            throw new InputException(r.where() + ": field \"type\" is missing (it gives the prompt's domain; or give --domain)");
        }
        if (type != null) {
            labels.put("type", type);
        }
        labels.put("source", Format.MATH.label());
        String text = "Problem: " + problem.strip() + "\nSolution: " + COT_CUE;
        String id = r.node().hasNonNull("unique_id") ? id(r, in, "unique_id") : id(r, in, "id");
        return new Prompt(id, text, o.domain() != null ? o.domain() : type, labels, List.of(), r.where());
    }

    private static Prompt generic(Row r, Path in, Options o) {
        String text = text(r, "text");
        String domain = optionalText(r, "domain");
        if (domain == null && o.domain() == null) {
            throw new InputException(r.where() + ": field \"domain\" is missing (every prompt of a set needs one; or give --domain)");
        }
        JsonNode given = r.node().get("labels");
        if (given != null && !given.isNull() && !given.isObject()) {
            throw new InputException(r.where() + ": field \"labels\": " + InputException.quote(given) + " is not an object");
        }
        ObjectNode labels = given == null || given.isNull() ? Json.mapper().createObjectNode() : ((ObjectNode) given).deepCopy();
        JsonNode difficulty = r.node().get("difficulty");
        String field = "difficulty";
        if (difficulty == null || difficulty.isNull()) {
            difficulty = labels.get("difficulty");
            field = "labels.difficulty";
        }
        if (difficulty != null && !difficulty.isNull()) {
            if (!difficulty.isNumber() || !Double.isFinite(difficulty.asDouble())) {
                throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(difficulty)
                        + " is not a number (difficulty is an ordinal number, e.g. 1 … 5)");
            }
            labels.set("difficulty", difficulty);
        } else {
            labels.remove("difficulty");
        }
        List<Integer> steps = new ArrayList<>();
        JsonNode sb = r.node().get("step_boundaries");
        if (sb != null && !sb.isNull()) {
            if (!sb.isArray()) {
                throw new InputException(r.where() + ": field \"step_boundaries\": " + InputException.quote(sb) + " is not an array of token positions");
            }
            for (JsonNode s : sb) {
                if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 0) {
                    throw new InputException(r.where() + ": field \"step_boundaries\": " + InputException.quote(s)
                            + " is not a token position (a whole number from 0)");
                }
                steps.add(s.asInt());
            }
        }
        return new Prompt(id(r, in, "id"), text, o.domain() != null ? o.domain() : domain, labels, steps, r.where());
    }

    /** The row's own id in {@code field}, or {@code <file stem>-<row index>}. */
    private static String id(Row r, Path in, String field) {
        JsonNode id = r.node().get(field);
        if (id == null || id.isNull()) {
            return stem(in) + "-" + r.index();
        }
        if (!(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(id) + " is not a non-empty string or whole number");
        }
        return id.asText();
    }

    /** The file's name without its extension(s): "gsm8k_test.jsonl" → "gsm8k_test". */
    static String stem(Path in) {
        String name = in.getFileName().toString();
        for (String ext : new String[] {".jsonl", ".json", ".ndjson"}) {
            if (name.toLowerCase(Locale.ROOT).endsWith(ext) && name.length() > ext.length()) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }

    private static String text(Row r, String field) {
        String s = optionalText(r, field);
        if (s == null) {
            throw new InputException(r.where() + ": field \"" + field + "\" is missing");
        }
        if (s.isBlank()) {
            throw new InputException(r.where() + ": field \"" + field + "\": \"" + InputException.quote(s) + "\" is blank");
        }
        return s;
    }

    private static String optionalText(Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(v) + " is not a string");
        }
        return v.asText();
    }
}
