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

    private ActivationSetFile(Path dir, String model, long parameterCount, int dModel, List<String> hooks,
            List<Trajectory> trajectories, List<Map<String, FloatBuffer>> shardTensors) {
        this.dir = dir;
        this.model = model;
        this.parameterCount = parameterCount;
        this.dModel = dModel;
        this.hooks = hooks;
        this.trajectories = trajectories;
        this.shardTensors = shardTensors;
    }

    /** Opens the set in {@code dir}: reads the manifest, maps every shard and checks each hook tensor's dtype and shape. */
    public static ActivationSetFile open(Path dir) {
        Path file = dir.resolve("manifest.json");
        JsonNode m;
        try {
            m = Json.mapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": not found (is " + dir + " an activation set written by scalelab capture?)");
        } catch (IOException e) {
            throw new InputException(file + ": not valid JSON: " + Json.problem(e));
        }
        if (m == null || !FORMAT.equals(m.path("format").asText()) || m.path("format_version").asInt() != 1) {
            throw new InputException(file + ": format " + (m == null ? "?" : m.path("format").asText()) + " v"
                    + (m == null ? "?" : m.path("format_version").asText()) + " is not " + FORMAT + " v1");
        }
        int d = m.path("d_model").asInt(-1);
        if (d <= 0) {
            throw new InputException(file + ": d_model is missing or not positive");
        }
        List<String> hooks = new ArrayList<>();
        m.path("hooks").forEach(h -> hooks.add(h.asText()));
        List<Map<String, FloatBuffer>> shards = new ArrayList<>();
        List<Integer> shardRows = new ArrayList<>();
        for (JsonNode s : m.path("shards")) {
            Path shard = dir.resolve(s.path("file").asText());
            int rows = s.path("rows").asInt();
            shards.add(mapShard(shard, hooks, rows, d));
            shardRows.add(rows);
        }
        List<Trajectory> ts = new ArrayList<>();
        for (JsonNode t : m.path("trajectories")) {
            JsonNode domain = t.get("domain");
            Trajectory tr = new Trajectory(t.path("index").asInt(), t.path("id").asText(), domain == null || domain.isNull() ? null : domain.asText(),
                    t.get("labels"), t.path("shard").asInt(), t.path("row_start").asInt(), t.path("rows").asInt());
            if (tr.shard() < 0 || tr.shard() >= shards.size() || tr.rowStart() < 0 || tr.rows() < 0
                    || tr.rowStart() + tr.rows() > shardRows.get(tr.shard())) {
                throw new InputException(file + ": trajectory \"" + tr.id() + "\" points at rows " + tr.rowStart() + "…"
                        + (tr.rowStart() + tr.rows() - 1) + " of shard " + tr.shard() + ", which does not hold them");
            }
            ts.add(tr);
        }
        return new ActivationSetFile(dir, m.path("model").asText(), m.path("parameter_count").asLong(), d, List.copyOf(hooks),
                Collections.unmodifiableList(ts), shards);
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
            JsonNode header = Json.mapper().readTree(new String(hb.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLen;
            Map<String, FloatBuffer> out = new LinkedHashMap<>();
            for (String hook : hooks) {
                JsonNode t = header.get(hook);
                if (t == null) {
                    throw new InputException(shard + ": tensor '" + hook + "' listed in the manifest is missing");
                }
                JsonNode shape = t.path("shape");
                String dtype = t.path("dtype").asText();
                if (!"F32".equals(dtype) || shape.size() != 2 || shape.get(0).asLong() != rows || shape.get(1).asLong() != d) {
                    throw new InputException(shard + ": tensor '" + hook + "' is " + dtype + " " + shape + ", the manifest says F32 ["
                            + rows + ", " + d + "] (mismatched d_model across shards?)");
                }
                long begin = t.path("data_offsets").path(0).asLong();
                long end = t.path("data_offsets").path(1).asLong();
                if (end - begin != 4L * rows * d || dataStart + end > size) {
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
