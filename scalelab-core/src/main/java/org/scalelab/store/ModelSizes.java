package org.scalelab.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scalelab.InputException;

/**
 * A table of model sizes ({@code --sizes FILE}): a CSV with a header naming {@code model} and
 * {@code params}, and optionally {@code tokens} and {@code family}, one model a line. Used when a
 * result file's model name states no size ({@code gpt2-xl}) or states it only roughly.
 *
 * <pre>
 * model,params,tokens
 * EleutherAI/pythia-70m,70426624,300e9
 * gpt2-xl,1.5e9,
 * </pre>
 *
 * A model is found by its exact name, else by its last path component ({@code pythia-70m} matches
 * {@code EleutherAI/pythia-70m} either way round) when that is unique.
 */
public final class ModelSizes {
    /** One line of the table; tokens and family may be null. */
    public record Entry(String model, double params, Double tokens, String family, int line) {}

    private final Path file;
    private final Map<String, Entry> byName;

    private ModelSizes(Path file, Map<String, Entry> byName) {
        this.file = file;
        this.byName = byName;
    }

    /** No table: every lookup finds nothing. */
    public static ModelSizes none() {
        return new ModelSizes(null, Map.of());
    }

    public Path file() {
        return file;
    }

    /** Reads the table; any problem is an {@link InputException} naming file, line, column and value. */
    public static ModelSizes read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException("--sizes " + file + ": cannot read: " + e.getMessage(), e);
        }
        int headerLine = 0;
        while (headerLine < lines.size() && lines.get(headerLine).isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.size()) {
            throw new InputException("--sizes " + file + ": empty file; expected a header such as model,params,tokens");
        }
        List<String> header = new ArrayList<>();
        for (String h : lines.get(headerLine).replace("\uFEFF", "").split(",", -1)) {
            header.add(h.strip().toLowerCase(Locale.ROOT));
        }
        int model = header.indexOf("model");
        int params = header.indexOf("params");
        int tokens = header.indexOf("tokens");
        int family = header.indexOf("family");
        if (model < 0 || params < 0) {
            throw new InputException("--sizes " + file + ": line " + (headerLine + 1) + ": the header " + InputException.quote(lines.get(headerLine))
                    + " needs columns 'model' and 'params' (optional: tokens, family)");
        }
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (int i = headerLine + 1; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            String[] f = text.split(",", -1);
            String where = "--sizes " + file + ": line " + (i + 1);
            if (f.length != header.size()) {
                throw new InputException(where + ": " + f.length + " fields but the header has " + header.size());
            }
            String name = f[model].strip();
            if (name.isEmpty()) {
                throw new InputException(where + ": column 'model' is empty");
            }
            double p = positive(where, "params", f[params].strip(), true);
            Double t = tokens < 0 || f[tokens].isBlank() ? null : positive(where, "tokens", f[tokens].strip(), false);
            String fam = family < 0 || f[family].isBlank() ? null : f[family].strip();
            Entry e = new Entry(name, p, t, fam, i + 1);
            Entry before = byName.put(name, e);
            if (before != null) {
                throw new InputException(where + ": model '" + InputException.quote(name) + "' is listed twice (also line " + before.line()
                        + "); keep one");
            }
        }
        if (byName.isEmpty()) {
            throw new InputException("--sizes " + file + ": no models listed under the header");
        }
        return new ModelSizes(file, byName);
    }

    private static double positive(String where, String column, String text, boolean required) {
        if (text.isEmpty() && required) {
            throw new InputException(where + ": column '" + column + "' is empty");
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InputException(where + ": column '" + column + "' = '" + InputException.quote(text) + "' is not a number");
        }
        if (!(Double.isFinite(v) && v > 0)) {
            throw new InputException(where + ": column '" + column + "' = " + text + " must be a finite number > 0");
        }
        return v;
    }

    /** The entry of {@code model}: exact name, else the unique entry with the same last path component; null when none. */
    public Entry find(String model) {
        if (model == null) {
            return null;
        }
        Entry exact = byName.get(model);
        if (exact != null) {
            return exact;
        }
        String base = ModelName.baseName(model);
        Entry found = null;
        for (Entry e : byName.values()) {
            if (ModelName.baseName(e.model()).equals(base)) {
                if (found != null) {
                    throw new InputException("--sizes " + file + ": model '" + InputException.quote(model) + "' matches both '"
                            + InputException.quote(found.model()) + "' (line " + found.line() + ") and '" + InputException.quote(e.model())
                            + "' (line " + e.line() + "); write its full name in the table");
                }
                found = e;
            }
        }
        return found;
    }

    /** Listed model names, for messages. */
    public List<String> models() {
        return List.copyOf(byName.keySet());
    }
}
