package org.scalelab.geometry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.IncompleteInputException;
import org.scalelab.InputException;
import org.scalelab.io.Json;

/**
 * Read-only view of an activation set written by the runtime ({@code manifest.json} + {@code
 * shard-NNNNN.safetensors}, format {@code scalelab-activations} v1), for analyses that must not
 * depend on the runtime module. Shards are memory-mapped; rows are copied only into the point sets
 * asked for.
 *
 * <p>Safetensors layout (huggingface/safetensors, "Format"): an unsigned little-endian 64-bit
 * header length N, N bytes of JSON {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]},
 * "__metadata__": {…}}}, then the data region; offsets are relative to the data region. Every hook
 * tensor of a shard is F32 [rows, d_model]; the manifest lists for each trajectory its shard, first
 * row and row count.
 */
public final class ActivationSetFile {
    private static final String FORMAT = "scalelab-activations";
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** One prompt's rows: rows {@code rowStart … rowStart + rows − 1} of shard {@code shard}. */
    public record Trajectory(int index, String id, String domain, JsonNode labels, int shard, int rowStart, int rows) {
        /** The value of label {@code key} as text ({@code labels.key}), or null when absent. */
        public String label(String key) {
            if (labels == null || !labels.isObject() || !labels.has(key) || labels.get(key).isNull()) {
                return null;
            }
            return labels.get(key).asText();
        }
    }

    private final Path dir;
    private final String model;
    private final long parameterCount;
    private final int dModel;
    private final List<String> hooks;
    private final List<Trajectory> trajectories;
    private final List<Map<String, FloatBuffer>> shardTensors; // per shard: hook → [rows, d_model]
    private final boolean complete;

    private ActivationSetFile(Path dir, String model, long parameterCount, int dModel, List<String> hooks,
            List<Trajectory> trajectories, List<Map<String, FloatBuffer>> shardTensors, boolean complete) {
        this.complete = complete;
        this.dir = dir;
        this.model = model;
        this.parameterCount = parameterCount;
        this.dModel = dModel;
        this.hooks = hooks;
        this.trajectories = trajectories;
        this.shardTensors = shardTensors;
    }

    /** Opens a complete set in {@code dir}; an interrupted capture is refused (see {@link #open(Path, boolean)}). */
    public static ActivationSetFile open(Path dir) {
        return open(dir, false);
    }

    /**
     * Opens the set in {@code dir}: reads and checks the manifest, maps every shard and checks each
     * hook tensor's dtype and shape. A set whose manifest does not say {@code "complete": true} (a
     * capture that was interrupted) is refused unless {@code allowIncomplete}; then its trajectories
     * are those written so far.
     */
    public static ActivationSetFile open(Path dir, boolean allowIncomplete) {
        JsonNode m = readManifest(dir);
        if (!allowIncomplete) {
            requireComplete(dir, m);
        }
        int d = m.get("d_model").asInt();
        List<String> hooks = new ArrayList<>();
        m.path("hooks").forEach(h -> hooks.add(h.asText()));
        List<Map<String, FloatBuffer>> shards = new ArrayList<>();
        for (JsonNode s : m.path("shards")) {
            shards.add(mapShard(dir.resolve(s.get("file").asText()), hooks, s.get("rows").asInt(), d));
        }
        List<Trajectory> ts = new ArrayList<>();
        for (JsonNode t : m.path("trajectories")) {
            JsonNode domain = t.get("domain");
            ts.add(new Trajectory(t.path("index").asInt(), t.get("id").asText(), domain == null || domain.isNull() ? null : domain.asText(),
                    t.get("labels"), t.get("shard").asInt(), t.get("row_start").asInt(), t.get("rows").asInt()));
        }
        return new ActivationSetFile(dir, m.path("model").asText(), m.path("parameter_count").asLong(), d, List.copyOf(hooks),
                Collections.unmodifiableList(ts), shards, m.path("complete").asBoolean(false));
    }

    /**
     * The manifest of the set in {@code dir} as JSON, checked field by field: the format and version,
     * {@code d_model}, the hooks, each shard's file and rows, and each trajectory's shard, rows, token
     * count and step boundaries. The runtime's reader maps the same checked tree onto its record, so
     * both readers accept and refuse the same manifests.
     */
    public static JsonNode readManifest(Path dir) {
        Path file = dir.resolve("manifest.json");
        JsonNode m;
        try {
            m = Json.mapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": not found (is " + dir + " an activation set written by scalelab capture?)");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InputException(file + ": not UTF-8 text; the manifest is damaged");
        } catch (IOException e) {
            throw new InputException(file + ": not valid JSON: " + InputException.quote(Json.problem(e)));
        }
        if (m == null || !m.isObject() || !FORMAT.equals(m.path("format").asText()) || m.path("format_version").asInt() != 1) {
            throw new InputException(file + ": format " + (m == null ? "?" : InputException.quote(m.path("format").asText())) + " v"
                    + (m == null ? "?" : InputException.quote(m.path("format_version").asText())) + " is not " + FORMAT + " v1");
        }
        int d = wholeNumber(m, "d_model", file, "");
        if (d <= 0) {
            throw new InputException(file + ": field \"d_model\" is " + d + "; expected a positive width");
        }
        for (JsonNode h : array(m, "hooks", file, "")) {
            if (!h.isTextual()) {
                throw new InputException(file + ": field \"hooks\" holds " + InputException.quote(h) + "; expected hook names");
            }
        }
        List<Integer> shardRows = new ArrayList<>();
        int si = 0;
        for (JsonNode s : array(m, "shards", file, "")) {
            String where = "shard " + si++ + ": ";
            if (!s.isObject() || !s.path("file").isTextual()) {
                throw new InputException(file + ": " + where + "expected an object with \"file\" and \"rows\"");
            }
            String name = s.get("file").asText();
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new InputException(file + ": " + where + "field \"file\" is '" + InputException.quote(name)
                        + "'; expected a file name inside the set's folder");
            }
            int rows = wholeNumber(s, "rows", file, where);
            if (rows < 0) {
                throw new InputException(file + ": " + where + "field \"rows\" is " + rows + "; expected ≥ 0");
            }
            shardRows.add(rows);
        }
        int ti = 0;
        for (JsonNode t : array(m, "trajectories", file, "")) {
            String where = "trajectory " + ti++;
            if (!t.isObject() || t.get("id") == null || !(t.get("id").isTextual() || t.get("id").isIntegralNumber())) {
                throw new InputException(file + ": " + where + ": expected an object with an \"id\"");
            }
            where += " (\"" + InputException.quote(t.get("id").asText()) + "\"): ";
            int shard = wholeNumber(t, "shard", file, where);
            int rowStart = wholeNumber(t, "row_start", file, where);
            int rows = wholeNumber(t, "rows", file, where);
            if (shard < 0 || shard >= shardRows.size() || rowStart < 0 || rows < 0
                    || (long) rowStart + rows > shardRows.get(shard)) {
                throw new InputException(file + ": " + where + "points at rows " + rowStart + "…" + ((long) rowStart + rows - 1)
                        + " of shard " + shard + ", which does not hold them");
            }
            JsonNode labels = t.get("labels");
            if (labels != null && !labels.isNull() && !labels.isObject()) {
                throw new InputException(file + ": " + where + "field \"labels\" is " + InputException.quote(labels) + "; expected an object");
            }
            JsonNode domain = t.get("domain");
            if (domain != null && !domain.isNull() && !domain.isTextual()) {
                throw new InputException(file + ": " + where + "field \"domain\" is " + InputException.quote(domain) + "; expected a string");
            }
            int tokens = t.has("token_count") ? wholeNumber(t, "token_count", file, where) : Integer.MAX_VALUE;
            if (tokens < 0) {
                throw new InputException(file + ": " + where + "field \"token_count\" is " + tokens + "; expected ≥ 0");
            }
            if (t.has("first_position")) {
                int first = wholeNumber(t, "first_position", file, where);
                if (first < 0) {
                    throw new InputException(file + ": " + where + "field \"first_position\" is " + first + "; expected ≥ 0");
                }
            }
            JsonNode steps = t.get("step_boundaries");
            if (steps != null && !steps.isNull()) {
                if (!steps.isArray()) {
                    throw new InputException(file + ": " + where + "field \"step_boundaries\" is " + InputException.quote(steps)
                            + "; expected an array of token positions");
                }
                for (JsonNode s : steps) {
                    if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 0 || s.asInt() >= tokens) {
                        throw new InputException(file + ": " + where + "field \"step_boundaries\" holds " + InputException.quote(s)
                                + "; expected token positions from 0 to " + (tokens == Integer.MAX_VALUE ? "2^31 - 2" : tokens - 1 + " (token_count " + tokens + ")"));
                    }
                }
            }
        }
        JsonNode complete = m.get("complete");
        if (complete != null && !complete.isBoolean()) {
            throw new InputException(file + ": field \"complete\" is " + InputException.quote(complete) + "; expected true or false");
        }
        return m;
    }

    /**
     * Refuses a set whose manifest does not say {@code "complete": true}, with one line saying how to
     * finish it (resume the capture) or to pass {@code --allow-incomplete}.
     */
    public static void requireComplete(Path dir, JsonNode manifest) {
        if (!manifest.path("complete").asBoolean(false)) {
            throw new IncompleteInputException(dir, "the capture is incomplete (manifest.json has \"complete\": "
                    + (manifest.has("complete") ? manifest.get("complete") : "missing") + ", " + manifest.path("trajectories").size()
                    + " trajectories written)", "re-run the same capture command to resume it");
        }
    }

    private static JsonNode array(JsonNode parent, String field, Path file, String where) {
        JsonNode a = parent.get(field);
        if (a == null || !a.isArray()) {
            throw new InputException(file + ": " + where + "field \"" + field + "\" is " + (a == null ? "missing" : InputException.quote(a))
                    + "; expected an array");
        }
        return a;
    }

    private static int wholeNumber(JsonNode parent, String field, Path file, String where) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InputException(file + ": " + where + "field \"" + field + "\" is " + (v == null ? "missing" : InputException.quote(v))
                    + "; expected a whole number");
        }
        return v.asInt();
    }

    private static Map<String, FloatBuffer> mapShard(Path shard, List<String> hooks, int rows, int d) {
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().remaining() == 8 ? len.getLong() : -1;
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new InputException(shard + ": not a safetensors file (header length " + headerLen + ", file " + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = Json.mapper().readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new InputException(shard + ": safetensors header is not valid JSON: " + InputException.quote(Json.problem(e)));
            }
            if (header == null || !header.isObject()) {
                throw new InputException(shard + ": safetensors header is not a JSON object of tensor entries");
            }
            long dataStart = 8 + headerLen;
            Map<String, FloatBuffer> out = new LinkedHashMap<>();
            for (String hook : hooks) {
                JsonNode t = header.get(hook);
                if (t == null) {
                    throw new InputException(shard + ": tensor '" + hook + "' listed in the manifest is missing");
                }
                JsonNode shape = t.path("shape");
                String dtype = t.path("dtype").asText();
                if (!"F32".equals(dtype) || shape.size() != 2 || !shape.get(0).isIntegralNumber() || !shape.get(1).isIntegralNumber()
                        || !shape.get(0).canConvertToLong() || !shape.get(1).canConvertToLong()
                        || shape.get(0).asLong() != rows || shape.get(1).asLong() != d) {
                    throw new InputException(shard + ": tensor '" + InputException.quote(hook) + "' is " + InputException.quote(dtype) + " "
                            + InputException.quote(shape) + ", the manifest says F32 ["
                            + rows + ", " + d + "] (mismatched d_model across shards?)");
                }
                JsonNode offsets = t.path("data_offsets");
                if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                        || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                    throw new InputException(shard + ": tensor '" + InputException.quote(hook) + "' field \"data_offsets\" is "
                            + InputException.quote(offsets) + "; expected [begin, end]");
                }
                long begin = offsets.get(0).asLong();
                long end = offsets.get(1).asLong();
                long bytes = 4L * rows * d; // rows and d were checked against the shape; a mapping holds at most 2 GiB
                if (begin < 0 || end < begin || end - begin != bytes || bytes > Integer.MAX_VALUE || end > size - dataStart) {
                    throw new InputException(shard + ": tensor '" + hook + "' data_offsets [" + begin + ", " + end
                            + "] do not hold " + rows + " × " + d + " float32 values inside the " + size + "-byte file (truncated?)");
                }
                out.put(hook, ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer());
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new InputException(shard + ": shard listed in the manifest is missing");
        } catch (IOException e) {
            throw new InputException(shard + ": cannot read: " + e.getMessage());
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, at + into.position()) < 0) {
                return;
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** Whether the capture finished; false only for a set opened with {@code allowIncomplete}. */
    public boolean complete() {
        return complete;
    }

    public String model() {
        return model;
    }

    public long parameterCount() {
        return parameterCount;
    }

    public int dModel() {
        return dModel;
    }

    public List<String> hooks() {
        return hooks;
    }

    public List<Trajectory> trajectories() {
        return trajectories;
    }

    /** The mapped rows of {@code hook} in the trajectory's shard, [rows, d_model]. */
    FloatBuffer tensor(String hook, Trajectory t) {
        FloatBuffer b = shardTensors.get(t.shard()).get(hook);
        if (b == null) {
            throw new InputException(dir + ": hook '" + hook + "' was not captured; captured: " + hooks);
        }
        return b;
    }

    /** Euclidean norm of every row of the trajectory at {@code hook}. */
    double[] rowNorms(String hook, Trajectory t) {
        FloatBuffer src = tensor(hook, t);
        double[] out = new double[t.rows()];
        for (int i = 0; i < t.rows(); i++) {
            int base = (t.rowStart() + i) * dModel;
            double s = 0;
            for (int j = 0; j < dModel; j++) {
                double v = src.get(base + j);
                s += v * v;
            }
            out[i] = Math.sqrt(s);
        }
        return out;
    }
}
