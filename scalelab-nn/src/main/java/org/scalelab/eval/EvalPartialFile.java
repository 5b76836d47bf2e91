package org.scalelab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;
import org.scalelab.store.LabBusyException;

/**
 * The record of an evaluation in progress, so that an interrupted run resumes where it stopped.
 * One JSON line per line: first a header with what produced the scores (model, task files and
 * their hashes, the options that change a log-prob), then one line per scored example
 * ({@code task, id, logprobs, tokens}) appended as soon as it is scored, and a last line
 * {@code {"complete": true}} once every example is. The header is written through a temporary
 * sibling and a rename, so the file exists only with it; each record is one write of a whole
 * line, and a last line cut short by a kill (no newline) is dropped on reopening. A file whose
 * header differs from this run's is refused: its scores belong to another evaluation.
 */
final class EvalPartialFile implements AutoCloseable {
    /** A scored example as the file keeps it. */
    record Scored(String task, String id, double[] logprobs, int[] tokens) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Scored> done;
    private boolean complete;

    private EvalPartialFile(Path file, FileChannel channel, Map<String, Scored> done, boolean complete) {
        this.file = file;
        this.channel = channel;
        this.done = done;
        this.complete = complete;
    }

    /**
     * Opens (or creates with {@code header}) the partial file; refuses one made with another header.
     * A null {@code file} keeps the scores in memory only: nothing is written and nothing resumes.
     */
    static EvalPartialFile open(Path file, ObjectNode header) {
        if (file == null) {
            return new EvalPartialFile(null, null, new LinkedHashMap<>(), false);
        }
        try {
            if (!Files.exists(file)) {
                AtomicFiles.writeString(file, Json.mapper().writeValueAsString(header) + "\n");
            }
            FileChannel channel = lockedChannel(file);
            try {
                return read(file, channel, header);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot read or write the evaluation's partial file: " + e.getMessage(), e);
        }
    }

    /**
     * The file opened for reading and appending, locked against another evaluation writing it at the same
     * time (two processes appending and truncating one file would lose scores). The lock is released when
     * the channel closes. The file is read through this channel only: on Linux, closing any other channel
     * of the file would drop the process's lock.
     */
    private static FileChannel lockedChannel(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this process (another evaluation running in it)
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new Busy(file + ": another evaluation is writing this partial file now; wait for it to finish, "
                    + "or give this one another --examples-out");
        }
        return channel;
    }

    /** Another evaluation holds the partial file: the "temporary failure, try again" exit code, as for a busy lab. */
    static final class Busy extends ScaleLabException {
        Busy(String message) {
            super(message, LabBusyException.EXIT_CODE, null);
        }
    }

    private static EvalPartialFile read(Path file, FileChannel channel, ObjectNode header) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(channel.size()));
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read the whole file through the locked channel
        }
        byte[] bytes = buffer.array();
        int end = bytes.length; // in bytes (ids may be any UTF-8): whole lines only, a torn last line is dropped
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        JsonNode found = lines.length == 0 || lines[0].isBlank() ? null : parse(file, 1, lines[0]);
        // Compared as the header reads back from its line: a number put as a long (the seed) reads back as an int.
        ObjectNode expected = (ObjectNode) Json.mapper().readTree(Json.mapper().writeValueAsString(header));
        if (found == null || !found.equals(expected)) {
            throw new InputException(file + ": an unfinished evaluation made with other options (" + difference(found, expected)
                    + "); rerun with the same options to resume it, or delete the file to start again");
        }
        Map<String, Scored> done = new LinkedHashMap<>();
        boolean complete = false;
        for (int i = 1; i < lines.length; i++) {
            JsonNode n = parse(file, i + 1, lines[i]);
            if (n.path("complete").asBoolean(false)) {
                complete = true;
                continue;
            }
            Scored s = Json.mapper().treeToValue(n, Scored.class);
            done.put(key(s.task(), s.id()), s);
        }
        channel.truncate(end);
        channel.position(end);
        return new EvalPartialFile(file, channel, done, complete);
    }

    private static JsonNode parse(Path file, int line, String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new InputException(file + ":" + line + ": not a line of an evaluation's partial file (" + e.getMessage().lines().findFirst().orElse("")
                    + "); delete the file to start again");
        }
    }

    /** The first header field that differs, for the refusal message. */
    private static String difference(JsonNode found, ObjectNode expected) {
        if (found == null || !found.isObject()) {
            return "no header";
        }
        for (var it = expected.fields(); it.hasNext(); ) {
            var f = it.next();
            if (!f.getValue().equals(found.get(f.getKey()))) {
                return f.getKey() + " was " + InputException.quote(found.get(f.getKey())) + ", now " + InputException.quote(f.getValue());
            }
        }
        return "it has fields this run does not";
    }

    static String key(String task, String id) {
        return task + "\u0000" + id;
    }

    /** The scored example of {@code task} with {@code id}, or null. */
    Scored get(String task, String id) {
        return done.get(key(task, id));
    }

    int size() {
        return done.size();
    }

    boolean complete() {
        return complete;
    }

    /** Appends one scored example (one write of one whole line). */
    void append(Scored s) {
        write(Json.write(s));
        done.put(key(s.task(), s.id()), s);
    }

    /** Marks every example scored. */
    void markComplete() {
        if (!complete) {
            write("{\"complete\":true}");
            complete = true;
        }
    }

    private void write(String line) {
        if (channel == null) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot append to the evaluation's partial file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing a channel we only appended to: nothing to recover
        }
    }
}
