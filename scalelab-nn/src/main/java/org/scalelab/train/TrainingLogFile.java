package org.scalelab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * A {@link TrainingListener} that appends one JSON line per update to a file:
 * {@code {"step":1,"loss":4.15,"lr":0.0003,"grad_norm":1.9,"targets":32,"epoch":0}}. On resume it
 * first drops the lines after the checkpoint's step (and a torn last line left by a kill), so
 * the file of a killed-and-resumed run ends up equal to an uninterrupted run's.
 */
public final class TrainingLogFile implements TrainingListener, AutoCloseable {
    /** The log's file name in a run folder. */
    public static final String NAME = "train_log.jsonl";

    private final Path file;
    private BufferedWriter writer;

    public TrainingLogFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public void onResume(long step, Trainer trainer) {
        close();
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode n;
                try {
                    n = Json.mapper().readTree(line);
                } catch (IOException torn) {
                    break; // a line cut by the kill: it and anything after it are dropped
                }
                if (n == null || !n.has("step") || n.get("step").asLong() > step) {
                    break;
                }
                kept.add(line);
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot rewrite the training log on resume: " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(StepLog log, Trainer trainer) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("step", log.step());
        o.put("loss", log.loss());
        o.put("lr", log.lr());
        o.put("grad_norm", log.gradNorm());
        o.put("targets", log.targets());
        o.put("epoch", log.epoch());
        try {
            if (writer == null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            writer.write(Json.write(o));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append to the training log", e);
        }
    }

    /** Reads the log back as step records. */
    public static List<StepLog> read(Path file) {
        List<StepLog> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode n = Json.mapper().readTree(line);
                out.add(new StepLog(n.get("step").asLong(), n.get("loss").asDouble(), n.get("lr").asDouble(),
                        n.get("grad_norm").asDouble(), n.get("targets").asInt(), n.get("epoch").asLong()));
            }
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot read the training log: " + Json.problem(e), e);
        }
        return out;
    }

    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // Every line was flushed when written.
            }
            writer = null;
        }
    }
}
