package org.scalelab.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * Streams trajectories into an activation set shard by shard, so memory stays bounded by one
 * shard whatever the number of prompts. Rows are buffered until they reach the shard size, then
 * written as {@code shard-NNNNN.safetensors} (atomically) and the manifest is rewritten
 * (atomically) to list them: a file on disk is either complete and listed, or ignored.
 *
 * <p>Resuming: opening a folder that holds an unfinished capture of the same settings keeps the
 * trajectories of its listed shards and deletes anything unlisted (a shard written just before a
 * kill, before its manifest entry). A trajectory is never split across shards and a shard is cut
 * at the first trajectory boundary past the size limit, so a resumed capture cuts its shards where
 * an uninterrupted one would: same inputs, same bytes.
 */
public final class ActivationSetWriter {
    /** Tensor of every shard: for each row, the trajectory's index in the manifest. */
    public static final String TRAJECTORY_INDEX = "trajectory_index";
    /** Tensor of every shard: for each row, its token position within the trajectory. */
    public static final String TOKEN_POSITION = "token_position";
    /** Tensor of every shard: for each row, the token id at that position. */
    public static final String TOKEN_ID = "token_id";

    private final Path dir;
    private final long shardBytes;
    /** Manifest index of this writer's first trajectory: 0 for a whole set, the part's offset for a {@link #part}. */
    private final int firstIndex;
    private final ActivationManifest header;
    private final List<ActivationManifest.Shard> shards;
    private final List<ActivationManifest.Trajectory> trajectories;
    private final int[] widths; // per hook: floats per row

    // The shard being filled.
    private final List<List<float[]>> pending; // per hook, one [rows, width] chunk per trajectory
    private final List<int[]> pendingIndex = new ArrayList<>();
    private final List<int[]> pendingPosition = new ArrayList<>();
    private final List<int[]> pendingToken = new ArrayList<>();
    private int pendingRows;
    private int pendingFirstTrajectory;
    /** Whether the folder and its manifest exist yet: they are made at the first write, so a capture that fails before leaves nothing. */
    private boolean started;

    private ActivationSetWriter(Path dir, long shardBytes, ActivationManifest header, int firstIndex) {
        this.dir = dir;
        this.shardBytes = shardBytes;
        this.firstIndex = firstIndex;
        this.header = header;
        this.shards = new ArrayList<>(header.shards());
        this.trajectories = new ArrayList<>(header.trajectories());
        this.widths = header.hooks().stream().mapToInt(header::width).toArray();
        this.pending = new ArrayList<>();
        for (int i = 0; i < header.hooks().size(); i++) {
            pending.add(new ArrayList<>());
        }
        this.pendingFirstTrajectory = trajectories.size();
    }

    /**
     * Starts a new set in {@code dir} (missing or empty), or resumes the unfinished one there.
     *
     * @param header     the capture's settings; its shards and trajectories are ignored
     * @param shardBytes rows are flushed to a shard once they take this many bytes
     */
    public static ActivationSetWriter open(Path dir, ActivationManifest header, long shardBytes) {
        if (shardBytes <= 0) {
            throw new InputException("shard size " + shardBytes + " bytes must be positive");
        }
        ActivationManifest start = header.with(false, List.of(), List.of());
        Path target = OutputFolder.checkNotLab("activation set folder", dir, null);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new InputException(dir + ": is a file, not a folder; choose a new or empty folder for the activation set");
        }
        boolean resumed = Files.exists(dir.resolve(ActivationManifest.FILE));
        try {
            Set<String> keep = new HashSet<>();
            if (resumed) {
                ActivationManifest existing = ActivationManifest.read(dir);
                if (!existing.sameCaptureAs(header)) {
                    throw new InputException(dir + ": holds an activation set captured with other settings (model, hooks, positions,"
                            + " interventions, compute dtype, special tokens or step rule: " + difference(existing, header) + "); choose another output folder or delete it");
                }
                for (ActivationManifest.Shard s : existing.shards()) {
                    if (!Files.isRegularFile(dir.resolve(s.file()))) {
                        throw new InputException(dir + ": manifest lists " + s.file() + " but the file is missing; the set is damaged,"
                                + " delete the folder and capture again");
                    }
                    keep.add(s.file());
                }
                start = existing;
            }
            if (Files.isDirectory(dir)) {
                List<Path> leftovers = new ArrayList<>();
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        String name = f.getFileName().toString();
                        if (name.equals(ActivationManifest.FILE) || keep.contains(name)) {
                            continue;
                        }
                        boolean leftover = (name.startsWith("shard-") && name.endsWith(".safetensors")) || (name.startsWith(".") && name.endsWith(".tmp"));
                        if (!resumed || !leftover) {
                            throw new InputException(dir + ": holds " + name + ", which is not part of an activation set; choose an empty"
                                    + " or new output folder");
                        }
                        leftovers.add(f);
                    }
                }
                // Written before the capture was interrupted, never listed: incomplete by construction.
                for (Path f : leftovers) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot prepare the activation set folder: " + e.getMessage(), e);
        }
        ActivationSetWriter w = new ActivationSetWriter(dir, shardBytes, start, 0);
        w.started = resumed;
        return w;
    }

    /**
     * Starts one part of a set written in parts (one per worker of a split capture) in {@code dir},
     * which must not exist: trajectories numbered from {@code firstTrajectory} (their index in the
     * whole set, also the shards' trajectory_index), shards cut as {@link #open} cuts them. A part is
     * finished like a set ({@link #finish}) and becomes part of one set through {@link #merge}; it is
     * never resumed (a retried worker starts a new part).
     */
    public static ActivationSetWriter part(Path dir, ActivationManifest header, long shardBytes, int firstTrajectory) {
        if (shardBytes <= 0) {
            throw new InputException("shard size " + shardBytes + " bytes must be positive");
        }
        if (firstTrajectory < 0) {
            throw new IllegalArgumentException("first trajectory " + firstTrajectory + " must be ≥ 0");
        }
        if (Files.exists(dir)) {
            throw new ScaleLabException(dir + ": a part of an activation set is written into a new folder, and this one exists");
        }
        return new ActivationSetWriter(dir, shardBytes, header.with(false, List.of(), List.of()), firstTrajectory);
    }

    /**
     * Merges finished parts ({@link #part}) into one complete set in {@code out}, which must not
     * exist: the parts in order hold trajectories 0, 1, … with no gap or repeat, and were captured
     * with the same settings. The shards are renumbered in part order and linked into place (copied
     * where the file system has no hard links), the manifest lists them as one set would, and the set
     * is built in a hidden sibling folder renamed to {@code out} once complete: {@code out} appears
     * whole or not at all, and the parts are left as they were (their writer removes them).
     *
     * @return the merged set's manifest
     */
    public static ActivationManifest merge(Path out, List<Path> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no parts to merge");
        }
        Path target = OutputFolder.checkNotLab("activation set folder", out, null);
        if (Files.exists(target)) {
            throw new InputException(out + ": exists; a merged activation set is written into a new folder, never over another");
        }
        ActivationManifest first = null;
        List<ActivationManifest> manifests = new ArrayList<>();
        for (Path p : parts) {
            ActivationManifest m = ActivationManifest.read(p);
            if (!m.complete()) {
                throw new ScaleLabException(p + ": this part of the activation set is unfinished; it cannot be merged");
            }
            if (first == null) {
                first = m;
            } else if (!first.sameCaptureAs(m)) {
                throw new ScaleLabException(p + ": this part was captured with other settings than " + parts.get(0) + " ("
                        + difference(first, m) + ")");
            }
            manifests.add(m);
        }
        List<ActivationManifest.Shard> shards = new ArrayList<>();
        List<ActivationManifest.Trajectory> trajectories = new ArrayList<>();
        Path parent = target.getParent();
        Path building;
        try {
            Files.createDirectories(parent);
            building = Files.createTempDirectory(parent, "." + target.getFileName() + ".merging-");
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot create the folder to merge the activation set in: " + e.getMessage(), e);
        }
        try {
            for (int k = 0; k < parts.size(); k++) {
                ActivationManifest m = manifests.get(k);
                int shardOffset = shards.size();
                for (ActivationManifest.Trajectory t : m.trajectories()) {
                    if (t.index() != trajectories.size()) {
                        throw new ScaleLabException(parts.get(k) + ": trajectory \"" + InputException.quote(t.id()) + "\" has index " + t.index()
                                + " where the merged set's next trajectory is " + trajectories.size() + "; the parts overlap or leave a gap");
                    }
                    trajectories.add(new ActivationManifest.Trajectory(t.index(), t.id(), t.domain(), t.labels(), t.tokenCount(),
                            shardOffset + t.shard(), t.rowStart(), t.rows(), t.firstPosition(), t.stepBoundaries()));
                }
                for (ActivationManifest.Shard s : m.shards()) {
                    String file = String.format("shard-%05d.safetensors", shards.size());
                    linkOrCopy(parts.get(k).resolve(s.file()), building.resolve(file));
                    shards.add(new ActivationManifest.Shard(file, s.rows(), s.firstTrajectory(), s.trajectoryCount()));
                }
            }
            ActivationManifest merged = first.with(true, shards, trajectories);
            merged.write(building);
            Files.move(building, target);
            return merged;
        } catch (IOException | RuntimeException e) {
            deleteTree(building);
            if (e instanceof java.nio.file.FileAlreadyExistsException) {
                throw new InputException(out + ": appeared while the activation set was merged; it is left as it is");
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new ScaleLabException(out + ": cannot merge the activation set: " + e.getMessage(), e);
        }
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(from, to);
        }
    }

    /** Deletes a folder this class created (a merge that failed half-way). */
    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // best effort: a hidden folder of partial links is all that can be left
        }
    }

    /** Trajectories already written (by an earlier, interrupted run, or by this one). */
    public List<ActivationManifest.Trajectory> trajectories() {
        return List.copyOf(trajectories);
    }

    public boolean complete() {
        return header.complete();
    }

    /**
     * Appends one prompt's trajectory.
     *
     * @param id             the prompt's id
     * @param domain         its domain, or null
     * @param labels         its labels (a JSON object), or null
     * @param stepBoundaries token positions where its reasoning steps start (may be empty)
     * @param tokenCount     tokens of the prompt (and of its generated continuation, if any)
     * @param positions      the token position of each row
     * @param tokens         the token id of each row
     * @param rows           per hook (in the manifest's order), [rows, …row shape] row-major (row shape [d_model] unless
     *                       the manifest's hook_shapes says otherwise)
     */
    public void add(String id, String domain, JsonNode labels, List<Integer> stepBoundaries, int tokenCount, int[] positions, int[] tokens, List<float[]> rows) {
        int n = positions.length;
        if (rows.size() != header.hooks().size() || tokens.length != n) {
            throw new IllegalArgumentException("expected " + header.hooks().size() + " hooks and " + n + " tokens");
        }
        for (int h = 0; h < rows.size(); h++) {
            if (rows.get(h).length != (long) n * widths[h]) {
                throw new IllegalArgumentException("hook " + header.hooks().get(h) + " has " + rows.get(h).length + " values, expected " + n + " × " + widths[h]);
            }
        }
        int index = firstIndex + trajectories.size();
        for (int i = 0; i < rows.size(); i++) {
            pending.get(i).add(rows.get(i));
        }
        int[] idx = new int[n];
        Arrays.fill(idx, index);
        pendingIndex.add(idx);
        pendingPosition.add(positions.clone());
        pendingToken.add(tokens.clone());
        trajectories.add(new ActivationManifest.Trajectory(index, id, domain, labels, tokenCount,
                shards.size(), pendingRows, n, n == 0 ? 0 : positions[0], stepBoundaries));
        pendingRows += n;
        if (pendingBytes() >= shardBytes) {
            flush();
        }
    }

    /** Writes the last shard and marks the set complete. */
    public ActivationManifest finish() {
        if (pendingRows > 0) {
            flush();
        }
        start();
        ActivationManifest done = manifest(true);
        done.write(dir);
        return done;
    }

    private long pendingBytes() {
        long perRow = 12;
        for (int w : widths) {
            perRow += 4L * w;
        }
        return pendingRows * perRow;
    }

    /**
     * Creates the folder with an empty, unfinished manifest before the first shard, so every file
     * a capture leaves is in a folder marked as an activation set (and a re-run may resume it).
     */
    private void start() {
        if (started) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ScaleLabException(dir + ": cannot create the activation set folder: " + e.getMessage(), e);
        }
        manifest(false).write(dir);
        started = true;
    }

    private void flush() {
        start();
        String file = String.format("shard-%05d.safetensors", shards.size());
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (int h = 0; h < header.hooks().size(); h++) {
            ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(pendingRows, 4 * widths[h])).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] chunk : pending.get(h)) {
                b.asFloatBuffer().put(chunk);
                b.position(b.position() + 4 * chunk.length);
            }
            b.flip();
            int[] row = header.rowShape(header.hooks().get(h));
            long[] shape = new long[1 + row.length];
            shape[0] = pendingRows;
            for (int i = 0; i < row.length; i++) {
                shape[1 + i] = row[i];
            }
            tensors.add(new SafetensorsWriter.Tensor(header.hooks().get(h), DType.F32, shape, b));
        }
        tensors.add(SafetensorsWriter.Tensor.ofInts(TRAJECTORY_INDEX, new long[] {pendingRows}, concat(pendingIndex)));
        tensors.add(SafetensorsWriter.Tensor.ofInts(TOKEN_POSITION, new long[] {pendingRows}, concat(pendingPosition)));
        tensors.add(SafetensorsWriter.Tensor.ofInts(TOKEN_ID, new long[] {pendingRows}, concat(pendingToken)));
        SafetensorsWriter.write(dir.resolve(file), tensors, Map.of("format", ActivationManifest.FORMAT));
        shards.add(new ActivationManifest.Shard(file, pendingRows, firstIndex + pendingFirstTrajectory, trajectories.size() - pendingFirstTrajectory));
        pendingFirstTrajectory = trajectories.size();
        manifest(false).write(dir);
        pending.forEach(List::clear);
        pendingIndex.clear();
        pendingPosition.clear();
        pendingToken.clear();
        pendingRows = 0;
    }

    /** The first setting in which a resumed capture differs from the set on disk, for the error message. */
    private static String difference(ActivationManifest on, ActivationManifest now) {
        if (!on.model().equals(now.model())) {
            return "model " + on.model() + " vs " + now.model();
        }
        if (on.parameterCount() != now.parameterCount() || on.dModel() != now.dModel() || !on.family().equals(now.family())) {
            return "the checkpoint changed (" + on.parameterCount() + " vs " + now.parameterCount() + " parameters)";
        }
        if (!on.hooks().equals(now.hooks())) {
            return "hooks " + on.hooks() + " vs " + now.hooks();
        }
        if (!on.hookShapes().equals(now.hookShapes())) {
            return "hook row shapes " + on.hookShapes() + " vs " + now.hookShapes();
        }
        if (!on.computeDtype().equals(now.computeDtype())) {
            return "compute dtype " + on.computeDtype() + " vs " + now.computeDtype();
        }
        if (!on.specialTokens().equals(now.specialTokens())) {
            return "special tokens " + (on.specialTokens() ? "added" : "not added") + " vs " + (now.specialTokens() ? "added" : "not added")
                    + " (--no-special-tokens)";
        }
        if (!on.positions().equals(now.positions())) {
            return "positions " + on.positions() + " vs " + now.positions();
        }
        if (!on.interventions().equals(now.interventions())) {
            return "interventions " + on.interventions() + " vs " + now.interventions();
        }
        return "step rule " + (on.stepRule() == null ? "none" : on.stepRule()) + " vs " + (now.stepRule() == null ? "none" : now.stepRule())
                + " (--steps)";
    }

    /** The manifest lists only trajectories whose shard is on disk. */
    private ActivationManifest manifest(boolean complete) {
        return header.with(complete, shards, trajectories.subList(0, pendingFirstTrajectory));
    }

    private static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
