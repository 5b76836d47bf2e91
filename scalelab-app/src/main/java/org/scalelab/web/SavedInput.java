package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.scalelab.Provenance;
import org.scalelab.ScaleLabException;
import org.scalelab.io.DataInput;
import org.scalelab.io.NumericTable;
import org.scalelab.store.LabStore;
import org.scalelab.store.StoredResult;

/**
 * A saved result's input read again, exactly as its command read it, but only when it is provably the
 * same: a {@code --data} file inside the lab folder whose SHA-256 equals the recorded one (read by
 * {@link DataInput#readFile}, the command's reader), or a {@code --query} re-run on the lab
 * ({@link LabStore#query}, the command's query, in one read of the lab's snapshots) whose rows hash to the recorded value. A file outside
 * the lab is never opened: no request reaches a file outside the lab.
 */
final class SavedInput {
    private SavedInput() {}

    /**
     * The lab a view may read: its folder, and its store through snapshots, each read as short as one query
     * (a refit runs outside them, so a command writing the lab is not held up by it).
     */
    record Lab(LabSnapshots snapshots) {
        Path dir() {
            return snapshots.lab();
        }
    }

    /** The table read again, with a note on where from; or why it could not be (table null). */
    record Read(NumericTable table, String note, String problem) {
        static Read failed(String problem) {
            return new Read(null, null, problem);
        }
    }

    private static final String QUERY_PREFIX = "query \"";

    /** Reads {@code columns} of the result's one recorded input, or says why not. */
    static Read read(StoredResult stored, Lab lab, List<String> columns) {
        if (lab == null) {
            return Read.failed("the lab is not open for this view");
        }
        JsonNode inputs = stored.inputs();
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            return Read.failed("its provenance records " + (inputs == null || !inputs.isArray() ? "no" : inputs.size())
                    + " inputs, not the one table a fit reads");
        }
        String source = inputs.get(0).path("source").asText("");
        String sha = inputs.get(0).path("sha256").asText("");
        if (sha.isEmpty()) {
            return Read.failed("its provenance records no SHA-256 of its input " + source + ", so the same data cannot be told apart from changed data");
        }
        try {
            if (source.startsWith(QUERY_PREFIX) && source.endsWith("\"")) {
                return query(lab, source.substring(QUERY_PREFIX.length(), source.length() - 1), sha, columns);
            }
            return file(lab, source, sha, columns);
        } catch (ScaleLabException e) {
            return Read.failed("its input " + source + " cannot be read again: " + oneLine(e));
        }
    }

    private static Read query(Lab lab, String sql, String sha, List<String> columns) {
        NumericTable t = lab.snapshots().read(store -> store.query(sql, columns));
        if (!sha.equals(t.sha256())) {
            return Read.failed("its query, run on the lab now, gives other rows than it gave then (SHA-256 " + abbrev(t.sha256())
                    + ", recorded " + abbrev(sha) + "): the lab's points changed since");
        }
        return new Read(t, "Drawn from the lab's points, read again by the fit's query; the rows are the same as when it was fitted "
                + "(SHA-256 " + abbrev(sha) + ").", null);
    }

    private static Read file(Lab lab, String source, String sha, List<String> columns) {
        Path given;
        try {
            given = Path.of(source);
        } catch (InvalidPathException e) {
            return Read.failed("its input '" + source + "' is not a file path");
        }
        Path root = lab.dir().toAbsolutePath().normalize();
        String relative;
        if (given.isAbsolute()) {
            Path abs = given.normalize();
            if (!abs.startsWith(root)) {
                return Read.failed("its input file " + source + " is outside the lab folder, and the dashboard reads only files inside the lab");
            }
            relative = root.relativize(abs).toString();
        } else {
            relative = source;
        }
        Path file;
        try {
            file = LabPaths.resolve(root, relative, "input file");
        } catch (BadRequestResponse e) {
            return Read.failed("its input file " + source + " is outside the lab folder, and the dashboard reads only files inside the lab");
        }
        if (!Files.isRegularFile(file)) {
            return Read.failed("its input file " + source + " is no longer in the lab");
        }
        String now = Provenance.sha256(file);
        if (!now.equals(sha)) {
            return Read.failed("its input file " + source + " changed since the fit (SHA-256 " + abbrev(now) + ", recorded " + abbrev(sha) + ")");
        }
        NumericTable t = DataInput.readFile(file, columns);
        return new Read(t, "Drawn from " + root.relativize(file) + " in the lab, unchanged since the fit (SHA-256 " + abbrev(sha) + ").", null);
    }

    private static String abbrev(String sha) {
        return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12) + "…";
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }
}
