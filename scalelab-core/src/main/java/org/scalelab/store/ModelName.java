package org.scalelab.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a model's name (and its checkpoint's revision) state about its scale, as Hugging Face names
 * conventionally do: the parameter count as a number with {@code m} (millions) or {@code b}
 * (billions), {@code pythia-1.4b}, {@code Llama-2-7b-hf}, {@code opt-350m}, {@code gpt-neo-125M},
 * BLOOM's {@code bloom-7b1} (7.1 B); the training step as {@code step143000} (Pythia's revisions) or
 * {@code step-1431k}; the tokens seen as {@code tokens84B} (OLMo's revisions, {@code step20000-tokens84B}).
 *
 * <p>A size is a whole word of the name (between start, end and {@code - _ / .} or a space), so
 * {@code gpt2}, {@code v0.1}, {@code 4k} (a context length) and {@code 8x7B} (a mixture of experts,
 * whose total is not 8 × 7 B) state no size. A name with two different sizes
 * ({@code 7b-distilled-from-70b}) is ambiguous and states none: the caller then asks for the size.
 */
public final class ModelName {
    /** A size word: 1.4b, 70m, 125M, 7B, BLOOM's 7b1 (= 7.1 B). */
    private static final Pattern SIZE = Pattern.compile("(?<![A-Za-z0-9.])(\\d+(?:\\.\\d+)?)([mMbB])(\\d+)?(?![A-Za-z0-9])");
    private static final Pattern STEP = Pattern.compile("(?i)(?<![a-z0-9])step[-_]?(\\d+)(k?)(?![a-z0-9])");
    private static final Pattern TOKENS = Pattern.compile("(?i)(?<![a-z0-9])tokens[-_]?(\\d+(?:\\.\\d+)?)([kmbt])(?![a-z0-9])");

    /**
     * What a name states.
     *
     * @param params   parameter count, or null when the name states none (or two different ones)
     * @param sizeText the word it came from ({@code 1.4b}), or the words when ambiguous ({@code 7b, 70b}), or null
     * @param family   the name before its size word ({@code pythia} of {@code EleutherAI/pythia-1.4b}), or null
     */
    public record Size(Double params, String sizeText, String family) {
        public boolean ambiguous() {
            return params == null && sizeText != null;
        }
    }

    private ModelName() {}

    /** The parameter count a model name states, read from its last path component ({@code EleutherAI/pythia-1.4b} → 1.4e9). */
    public static Size size(String model) {
        if (model == null || model.isBlank()) {
            return new Size(null, null, null);
        }
        String base = baseName(model);
        Matcher m = SIZE.matcher(base);
        List<String> words = new ArrayList<>();
        Double params = null;
        int start = -1;
        boolean ambiguous = false;
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            if (m.group(3) != null) {
                if (m.group(1).contains(".")) {
                    continue; // "1.4b5" is no convention
                }
                v = Double.parseDouble(m.group(1) + "." + m.group(3));
            }
            v *= Character.toLowerCase(m.group(2).charAt(0)) == 'b' ? 1e9 : 1e6;
            words.add(m.group());
            if (params == null) {
                params = v;
                start = m.start();
            } else if (params != v) {
                ambiguous = true;
            }
        }
        if (words.isEmpty()) {
            return new Size(null, null, null);
        }
        if (ambiguous) {
            return new Size(null, String.join(", ", words), null);
        }
        String family = base.substring(0, start).replaceAll("[-_./ ]+$", "");
        return new Size(params, words.get(0), family.isEmpty() ? null : family);
    }

    /** The training step a revision or name states ({@code step143000}, {@code step-1431k} → 1431000), or null. */
    public static Long step(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = STEP.matcher(text);
        if (!m.find()) {
            return null;
        }
        long v = Long.parseLong(m.group(1));
        return m.group(2).isEmpty() ? v : v * 1000;
    }

    /** The tokens a revision or name states ({@code tokens84B} → 8.4e10), or null. */
    public static Double tokens(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = TOKENS.matcher(text);
        if (!m.find()) {
            return null;
        }
        double scale = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1e3;
            case "m" -> 1e6;
            case "b" -> 1e9;
            default -> 1e12;
        };
        return Double.parseDouble(m.group(1)) * scale;
    }

    /** The last path component of a model name or folder ({@code EleutherAI/pythia-1.4b} → {@code pythia-1.4b}). */
    public static String baseName(String model) {
        String s = model.strip().replaceAll("[/\\\\]+$", "");
        int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        return slash < 0 ? s : s.substring(slash + 1);
    }
}
