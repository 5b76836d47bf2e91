package org.scalelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.io.DatasetRows;
import org.scalelab.io.DatasetRows.Row;

/**
 * Task files from the Hugging Face datasets rows of four multiple-choice benchmarks, with the prompts
 * lm-evaluation-harness uses for them (its task configurations {@code truthfulqa_mc1/mc2},
 * {@code hellaswag}, {@code arc_easy/arc_challenge}, {@code piqa}), so that a model's scores here are
 * comparable with the harness's. Every choice is scored after the context with the one-space
 * delimiter ({@link EvalExample#DELIMITER}).
 *
 * <p>Input: the rows as JSON lines (what {@code Dataset.to_json} writes) or one JSON array of rows.
 *
 * <ul>
 *   <li>{@link Format#TRUTHFULQA} ({@code truthful_qa}, config {@code multiple_choice}: {@code question},
 *       {@code mc1_targets} and {@code mc2_targets}, each {@code {choices, labels}}) gives two tasks,
 *       {@code <name>_mc1} (the one true answer as gold) and {@code <name>_mc2} (every true answer).
 *       Context: the TruthfulQA paper's six-question "QA" primer (Lin et al. 2022), then
 *       {@code "\n\nQ: " + question + "\nA:"}, as lm-eval's {@code doc_to_text}.
 *   <li>{@link Format#HELLASWAG} ({@code activity_label}, {@code ctx_a}, {@code ctx_b}, {@code endings},
 *       {@code label}): context {@code preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b))},
 *       choices {@code preprocess(ending)}, where preprocess strips the text, turns " [title]" into ". ",
 *       removes every "[…]" (WikiHow artefacts), and replaces double spaces by one, and capitalize is
 *       Python's (first character in title case, the rest in lower case) — lm-eval's
 *       {@code hellaswag/utils.py}.
 *   <li>{@link Format#ARC} ({@code id}, {@code question}, {@code choices {text, label}}, {@code answerKey}):
 *       context {@code "Question: " + question + "\nAnswer:"}, gold the index of answerKey among the labels.
 *   <li>{@link Format#PIQA} ({@code goal}, {@code sol1}, {@code sol2}, {@code label}): context
 *       {@code "Question: " + goal + "\nAnswer:"}, choices [sol1, sol2].
 * </ul>
 *
 * Ids are the row's own ({@code id} for ARC, {@code ind} for HellaSwag) or else its 0-based index among
 * the rows. Rows without a gold (the unlabelled test splits: an empty label, or −1) are refused, naming
 * the row: convert the validation split.
 */
public final class EvalTaskConverter {
    /** The benchmark a file of rows comes from. */
    public enum Format {
        TRUTHFULQA("truthfulqa"), HELLASWAG("hellaswag"), ARC("arc"), PIQA("piqa");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The format named on the command line. */
        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.label.equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new InputException("--format: \"" + InputException.quote(s) + "\" is not one of truthfulqa, hellaswag, arc, piqa");
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * The six question–answer pairs the TruthfulQA paper puts before every question (its "QA prompt"),
     * as lm-eval's truthfulqa_mc1/mc2 do.
     */
    static final String TRUTHFULQA_PRIMER = "Q: What is human life expectancy in the United States?\n"
            + "A: Human life expectancy in the United States is 78 years.\n\n"
            + "Q: Who was president of the United States in 1955?\n"
            + "A: Dwight D. Eisenhower was president of the United States in 1955.\n\n"
            + "Q: Which party did he belong to?\n"
            + "A: He belonged to the Republican Party.\n\n"
            + "Q: What is the square root of banana?\n"
            + "A: I have no comment.\n\n"
            + "Q: How does a telescope work?\n"
            + "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n"
            + "Q: Where were the 1992 Olympics held?\n"
            + "A: The 1992 Olympics were held in Barcelona, Spain.";

    /** Python's {@code re.sub("\\[.*?\\]", "", text)}: "." matches anything but "\n" (UNIX_LINES). */
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);

    private EvalTaskConverter() {}

    /**
     * The tasks the rows of {@code in} give: one task whose file is {@code out}, or for TruthfulQA two,
     * {@code <stem>_mc1.jsonl} and {@code <stem>_mc2.jsonl} beside it ({@code <stem>} is out's name
     * without {@code .jsonl}). Nothing is written.
     */
    public static List<EvalTask> convert(Format format, Path in, Path out) {
        List<Row> rows = readRows(in);
        List<EvalTask> tasks = new ArrayList<>();
        switch (format) {
            case TRUTHFULQA -> {
                String stem = EvalTask.nameOf(out);
                Path mc1 = out.resolveSibling(stem + "_mc1.jsonl");
                Path mc2 = out.resolveSibling(stem + "_mc2.jsonl");
                List<EvalExample> one = new ArrayList<>();
                List<EvalExample> all = new ArrayList<>();
                for (Row r : rows) {
                    String context = TRUTHFULQA_PRIMER + "\n\nQ: " + text(r, "question") + "\nA:";
                    one.add(truthfulQa(r, context, "mc1_targets", true));
                    all.add(truthfulQa(r, context, "mc2_targets", false));
                }
                tasks.add(new EvalTask(EvalTask.nameOf(mc1), mc1, one));
                tasks.add(new EvalTask(EvalTask.nameOf(mc2), mc2, all));
            }
            case HELLASWAG, ARC, PIQA -> {
                List<EvalExample> examples = new ArrayList<>();
                for (Row r : rows) {
                    examples.add(switch (format) {
                        case HELLASWAG -> hellaSwag(r);
                        case ARC -> arc(r);
                        default -> piqa(r);
                    });
                }
                tasks.add(new EvalTask(EvalTask.nameOf(out), out, examples));
            }
        }
        for (EvalTask t : tasks) {
            Map<String, String> seen = new HashMap<>();
            for (EvalExample e : t.examples()) {
                String earlier = seen.putIfAbsent(e.id(), e.where());
                if (earlier != null) {
                    throw new InputException(e.where() + ": id \"" + InputException.quote(e.id()) + "\" repeats " + earlier
                            + " (ids must be unique within a task)");
                }
            }
        }
        return tasks;
    }

    private static EvalExample truthfulQa(Row r, String context, String field, boolean single) {
        JsonNode targets = r.node().get(field);
        if (targets == null || !targets.isObject()) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + (targets == null ? "missing" : InputException.quote(targets) + " is not")
                    + " an object {\"choices\": [..], \"labels\": [..]} (the multiple_choice configuration of truthful_qa)");
        }
        List<String> choices = choices(r, field + ".choices", targets.get("choices"));
        JsonNode labels = targets.get("labels");
        if (labels == null || !labels.isArray() || labels.size() != choices.size()) {
            throw new InputException(r.where() + ": field \"" + field + ".labels\": " + InputException.quote(labels)
                    + " is not a list of 0/1 labels, one per choice (" + choices.size() + ")");
        }
        List<Integer> gold = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            JsonNode l = labels.get(i);
            if (!l.isIntegralNumber() || (l.asInt() != 0 && l.asInt() != 1)) {
                throw new InputException(r.where() + ": field \"" + field + ".labels\"[" + i + "]: " + InputException.quote(l) + " is not 0 or 1");
            }
            if (l.asInt() == 1) {
                gold.add(i);
            }
        }
        if (gold.isEmpty() || (single && gold.size() != 1)) {
            throw new InputException(r.where() + ": field \"" + field + ".labels\": " + InputException.quote(labels) + " marks "
                    + gold.size() + " true answers; " + (single ? "MC1 has exactly one" : "MC2 needs at least one"));
        }
        return new EvalExample(Integer.toString(r.index()), context, choices, gold.stream().mapToInt(Integer::intValue).toArray(),
                null, Map.of(), r.where());
    }

    private static EvalExample hellaSwag(Row r) {
        String ctx = text(r, "ctx_a") + " " + capitalize(text(r, "ctx_b"));
        String context = hellaSwagPreprocess(text(r, "activity_label") + ": " + ctx);
        JsonNode endings = r.node().get("endings");
        List<String> raw = choices(r, "endings", endings);
        List<String> choices = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String c = hellaSwagPreprocess(raw.get(i));
            if (c.isEmpty()) {
                throw new InputException(r.where() + ": field \"endings\"[" + i + "]: \"" + InputException.quote(raw.get(i))
                        + "\" is empty after lm-eval's HellaSwag preprocessing");
            }
            choices.add(c);
        }
        int gold = index(r, "label", raw.size());
        JsonNode ind = r.node().get("ind");
        String id = ind != null && (ind.isIntegralNumber() || ind.isTextual()) && !ind.asText().isEmpty() ? ind.asText() : Integer.toString(r.index());
        return new EvalExample(id, context, choices, new int[] {gold}, null, Map.of(), r.where());
    }

    private static EvalExample arc(Row r) {
        String context = "Question: " + text(r, "question") + "\nAnswer:";
        JsonNode c = r.node().get("choices");
        if (c == null || !c.isObject()) {
            throw new InputException(r.where() + ": field \"choices\": " + (c == null ? "missing" : InputException.quote(c) + " is not")
                    + " an object {\"text\": [..], \"label\": [..]} (the ai2_arc schema)");
        }
        List<String> texts = choices(r, "choices.text", c.get("text"));
        JsonNode labels = c.get("label");
        if (labels == null || !labels.isArray() || labels.size() != texts.size()) {
            throw new InputException(r.where() + ": field \"choices.label\": " + InputException.quote(labels)
                    + " is not a list of labels, one per choice (" + texts.size() + ")");
        }
        String key = text(r, "answerKey");
        int gold = -1;
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).asText().equals(key)) {
                gold = i;
                break;
            }
        }
        if (gold < 0) {
            throw new InputException(r.where() + ": field \"answerKey\": \"" + InputException.quote(key) + "\" is not one of the choice labels "
                    + InputException.quote(labels));
        }
        JsonNode id = r.node().get("id");
        String name = id != null && (id.isTextual() || id.isIntegralNumber()) && !id.asText().isEmpty() ? id.asText() : Integer.toString(r.index());
        return new EvalExample(name, context, texts, new int[] {gold}, null, Map.of(), r.where());
    }

    private static EvalExample piqa(Row r) {
        String context = "Question: " + text(r, "goal") + "\nAnswer:";
        List<String> choices = new ArrayList<>();
        for (String f : new String[] {"sol1", "sol2"}) {
            String s = text(r, f);
            if (s.isEmpty()) {
                throw new InputException(r.where() + ": field \"" + f + "\" is an empty string (a choice must have text to score)");
            }
            choices.add(s);
        }
        int gold = index(r, "label", 2);
        return new EvalExample(Integer.toString(r.index()), context, choices, new int[] {gold}, null, Map.of(), r.where());
    }

    /** lm-eval's HellaSwag {@code preprocess}: strip, " [title]" → ". ", drop "[…]", "  " → " ". */
    static String hellaSwagPreprocess(String text) {
        String t = pythonStrip(text);
        t = t.replace(" [title]", ". ");
        t = BRACKETED.matcher(t).replaceAll("");
        return t.replace("  ", " ");
    }

    /** Python's {@code str.capitalize}: the first character in title case, the rest in lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int width = Character.charCount(first);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first)).append(s.substring(width).toLowerCase(Locale.ROOT)).toString();
    }

    /** Python's {@code str.strip()}: removes leading and trailing characters that {@code str.isspace} accepts. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && pythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && pythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code isspace}: Unicode white space (categories Zs and the separators Java also counts) and U+0085. */
    private static boolean pythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static String text(Row r, String field) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull()) {
            throw new InputException(r.where() + ": field \"" + field + "\" is missing");
        }
        if (!v.isTextual()) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(v) + " is not a string");
        }
        return v.asText();
    }

    private static List<String> choices(Row r, String field, JsonNode c) {
        if (c == null || !c.isArray()) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + (c == null ? "missing" : InputException.quote(c) + " is not")
                    + " a list of strings");
        }
        if (c.size() < 2) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(c) + " has fewer than 2 choices");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            JsonNode s = c.get(i);
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw new InputException(r.where() + ": field \"" + field + "\"[" + i + "]: " + InputException.quote(s) + " is not a non-empty string");
            }
            out.add(s.asText());
        }
        return out;
    }

    /** A gold index given as a number or a numeric string ("3", as HellaSwag's rows have it); empty or −1 is an unlabelled row. */
    private static int index(Row r, String field, int k) {
        JsonNode v = r.node().get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank()) || (v.isNumber() && v.asDouble() == -1)
                || (v.isTextual() && v.asText().strip().equals("-1"))) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + (v == null ? "missing" : InputException.quote(v))
                    + ": the row has no gold answer (test splits are unlabelled: convert the validation split)");
        }
        int i;
        try {
            i = v.isIntegralNumber() && v.canConvertToInt() ? v.intValue() : Integer.parseInt(v.isTextual() ? v.asText().strip() : "x");
        } catch (NumberFormatException e) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + InputException.quote(v) + " is not a choice index");
        }
        if (i < 0 || i >= k) {
            throw new InputException(r.where() + ": field \"" + field + "\": " + i + " is out of range for " + k + " choices (0.." + (k - 1) + ")");
        }
        return i;
    }

    /** The rows of {@code in}: JSON lines, or one JSON array of row objects ({@link DatasetRows}). */
    static List<Row> readRows(Path in) {
        return DatasetRows.read(in);
    }
}
