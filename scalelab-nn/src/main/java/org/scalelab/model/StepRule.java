package org.scalelab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.scalelab.InputException;

/**
 * How a chain of thought is cut into reasoning steps ({@code --steps}). A rule finds the characters
 * of a text where steps start; {@link #boundaries} turns them into the token positions an activation
 * set records as {@code step_boundaries}, counted as the capture counts them (a BOS the tokenizer
 * adds is position 0). A step starting inside a token starts at that token. The rules:
 * <ul>
 *   <li>{@code newline}: the text's first non-whitespace character, and after every line break
 *       ({@code \n}, {@code \r\n} or {@code \r}) the first non-whitespace character that follows,
 *       so blank lines and indentation make no empty step;</li>
 *   <li>{@code sentence}: the text's first non-whitespace character, and after every end of
 *       sentence — a {@code .}, {@code !} or {@code ?} followed by whitespace — the next
 *       non-whitespace character (so "3.5" does not split); a {@code .} that ends a common
 *       abbreviation ({@link #ABBREVIATIONS}: "e.g.", "i.e.", "Dr.", "vs.", "Fig.", …, in any case,
 *       after any opening bracket or quote) ends no sentence, so "e.g. x" and "Dr. Smith" do not
 *       split either;</li>
 *   <li>{@code marker:TEXT}: every occurrence of TEXT, e.g. {@code marker:Step } — the marker's
 *       tokens belong to the step it opens; text before the first marker is in no step;</li>
 *   <li>{@code regex:PATTERN}: the start of every match of a Java regular expression, e.g.
 *       {@code regex:(?m)^Step \d+:} or, for the controlled world's one-entity steps,
 *       {@code regex:<e_\d+>}.</li>
 * </ul>
 * A text in which the rule finds nothing has no boundaries from it ({@link #boundaries} is empty):
 * the capture keeps the trajectory's other boundaries and says how many texts that happened to.
 */
public final class StepRule {
    /** The command-line option every message names. */
    public static final String OPTION = "--steps";

    /**
     * Words whose final {@code .} marks an abbreviation, not the end of a sentence, for the
     * {@code sentence} rule (lower case; matched case-insensitively). "etc." is left out: it ends
     * sentences as often as not.
     */
    public static final Set<String> ABBREVIATIONS = Set.of("e.g.", "i.e.", "cf.", "vs.", "viz.", "approx.", "ca.", "resp.", "al.",
            "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "jr.", "sr.", "fig.", "figs.", "eq.", "eqs.", "no.", "sec.", "ch.", "vol.", "p.", "pp.");

    public enum Kind { NEWLINE, SENTENCE, MARKER, REGEX }

    private final Kind kind;
    private final String spec;
    private final String marker;
    private final Pattern pattern;

    private StepRule(Kind kind, String spec, String marker, Pattern pattern) {
        this.kind = kind;
        this.spec = spec;
        this.marker = marker;
        this.pattern = pattern;
    }

    /**
     * Reads {@code newline}, {@code sentence}, {@code marker:TEXT} or {@code regex:PATTERN}; anything
     * else, an empty marker or pattern, or a pattern that does not compile is an input error naming
     * {@value #OPTION} and the value.
     */
    public static StepRule parse(String spec) {
        if (spec == null) {
            throw new InputException(OPTION + ": missing rule; expected newline, sentence, marker:TEXT or regex:PATTERN");
        }
        if (spec.equals("newline")) {
            return new StepRule(Kind.NEWLINE, spec, null, null);
        }
        if (spec.equals("sentence")) {
            return new StepRule(Kind.SENTENCE, spec, null, null);
        }
        if (spec.startsWith("marker:")) {
            String text = spec.substring("marker:".length());
            if (text.isEmpty()) {
                throw new InputException(OPTION + " \"" + InputException.quote(spec) + "\": the marker is empty; e.g. --steps 'marker:Step '");
            }
            return new StepRule(Kind.MARKER, spec, text, null);
        }
        if (spec.startsWith("regex:")) {
            String text = spec.substring("regex:".length());
            if (text.isEmpty()) {
                throw new InputException(OPTION + " \"" + InputException.quote(spec) + "\": the pattern is empty; e.g. --steps 'regex:(?m)^Step \\d+:'");
            }
            try {
                return new StepRule(Kind.REGEX, spec, null, Pattern.compile(text));
            } catch (PatternSyntaxException e) {
                throw new InputException(OPTION + " \"" + InputException.quote(spec) + "\": not a valid regular expression: "
                        + InputException.quote(e.getDescription()) + (e.getIndex() >= 0 ? " at character " + e.getIndex() + " of the pattern" : ""));
            }
        }
        throw new InputException(OPTION + " \"" + InputException.quote(spec) + "\": unknown rule; expected newline, sentence, marker:TEXT or regex:PATTERN"
                + " (e.g. --steps newline, --steps 'marker:Step ', --steps 'regex:(?m)^\\d+\\.')");
    }

    /** The rule as written, e.g. {@code regex:<e_\d+>}; what the manifest records as {@code step_rule}. */
    public String spec() {
        return spec;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return spec;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepRule r && r.spec.equals(spec);
    }

    @Override
    public int hashCode() {
        return spec.hashCode();
    }

    /** The characters of {@code text} where steps start (UTF-16 indices), ascending and distinct. */
    public List<Integer> starts(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        switch (kind) {
            case NEWLINE, SENTENCE -> {
                int first = nextNonWhitespace(text, 0);
                if (first >= 0) {
                    out.add(first);
                }
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    boolean cut = kind == Kind.NEWLINE ? c == '\n' || c == '\r'
                            : (c == '.' || c == '!' || c == '?') && i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1))
                            && !(c == '.' && endsAbbreviation(text, i));
                    if (cut) {
                        int next = nextNonWhitespace(text, i + 1);
                        if (next >= 0) {
                            out.add(next);
                        }
                    }
                }
            }
            case MARKER -> {
                for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
                    out.add(at);
                }
            }
            case REGEX -> {
                Matcher m = pattern.matcher(text);
                while (m.find()) {
                    out.add(m.start());
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The token positions where steps of {@code text} start, numbered as
     * {@link ModelTokenizer#encode(String, boolean) tokenizer.encode(text, specialTokens)} numbers its
     * tokens: ascending, distinct, empty when the rule finds no step.
     */
    public List<Integer> boundaries(String text, ModelTokenizer tokenizer, boolean specialTokens) {
        return boundaries(tokenizer.spans(text, specialTokens));
    }

    /**
     * The token positions (0 = the first of {@code spans}) where steps of {@code spans.text()} start;
     * e.g. of a generated continuation, from {@link ModelTokenizer#decodeSpans}.
     */
    public List<Integer> boundaries(TokenSpans spans) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int c : starts(spans.text())) {
            int token = spans.tokenAt(c);
            if (token >= 0) {
                out.add(token);
            }
        }
        return List.copyOf(out);
    }

    /** Whether the word ending with the {@code .} at {@code dot} (after any opening bracket or quote) is one of {@link #ABBREVIATIONS}. */
    static boolean endsAbbreviation(String text, int dot) {
        int from = dot;
        while (from > 0 && !Character.isWhitespace(text.charAt(from - 1))) {
            from--;
        }
        while (from < dot && "([{\"'«“‘".indexOf(text.charAt(from)) >= 0) {
            from++;
        }
        return ABBREVIATIONS.contains(text.substring(from, dot + 1).toLowerCase(java.util.Locale.ROOT));
    }

    private static int nextNonWhitespace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
