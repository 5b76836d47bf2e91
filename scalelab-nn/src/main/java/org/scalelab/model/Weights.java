package org.scalelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.TensorInfo;

/**
 * The weights of a Hugging Face checkpoint folder, by parameter name: either one
 * {@code model.safetensors} or shards {@code model-0000k-of-0000n.safetensors} listed by
 * {@code model.safetensors.index.json} ({@code {"weight_map": {name: shard file}}}). Every shard
 * is opened (and validated) once; tensors are memory-mapped on demand.
 */
public final class Weights implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final Map<String, SafetensorsFile> byName;
    private final Map<Path, SafetensorsFile> files;

    private Weights(Path dir, Map<String, SafetensorsFile> byName, Map<Path, SafetensorsFile> files) {
        this.dir = dir;
        this.byName = byName;
        this.files = files;
    }

    public static Weights open(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(dir, index);
        }
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            f.tensors().keySet().forEach(n -> byName.put(n, f));
            return new Weights(dir, Collections.unmodifiableMap(byName), Map.of(single, f));
        }
        throw new InputException(dir + ": no weights found (expected " + SINGLE_FILE + " or " + INDEX_FILE + ")");
    }

    private static Weights openSharded(Path dir, Path index) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new InputException(index + ": not valid JSON: " + Json.problem(e), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new InputException(index + ": missing or empty \"weight_map\" object {tensor name: shard file}");
        }
        Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                Path shard = dir.resolve(shardName).normalize();
                if (!e.getValue().isTextual() || !shard.startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
                    throw new InputException(index + ": weight_map entry '" + e.getKey() + "' names shard '" + e.getValue().asText()
                            + "', which is not a file in " + dir);
                }
                SafetensorsFile f = files.computeIfAbsent(shard, SafetensorsFile::open);
                if (!f.tensors().containsKey(e.getKey())) {
                    throw new InputException(index + ": weight_map says tensor '" + e.getKey() + "' is in " + shardName
                            + ", but that shard has no such tensor");
                }
                byName.put(e.getKey(), f);
            }
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new Weights(dir, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(files));
    }

    public Path dir() {
        return dir;
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The tensor as float32, owned by {@code manager}. */
    public NDArray load(NDManager manager, String name) {
        return SafetensorsArrays.load(manager, file(name), name);
    }

    public float[] floats(String name) {
        return file(name).floats(name);
    }

    /** The safetensors files opened, in index order. */
    public java.util.List<Path> files() {
        return java.util.List.copyOf(files.keySet());
    }

    /** Total number of scalar parameters stored. */
    public long parameterCount() {
        long n = 0;
        for (String name : byName.keySet()) {
            n += info(name).elementCount();
        }
        return n;
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new InputException(dir + ": checkpoint has no weight '" + name + "'");
        }
        return f;
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
