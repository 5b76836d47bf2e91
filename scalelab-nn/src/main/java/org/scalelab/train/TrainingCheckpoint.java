package org.scalelab.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.DType;
import org.scalelab.io.Json;
import org.scalelab.io.SafetensorsFile;
import org.scalelab.io.SafetensorsWriter;
import org.scalelab.model.ModelTokenizer;
import org.scalelab.model.Transformer;
import org.scalelab.model.Weights;

/**
 * Training checkpoints: {@code OUT/checkpoint-00000100/} holds a complete Hugging Face model
 * folder ({@code config.json}, {@code model.safetensors} in F32, {@code tokenizer.json} when the
 * source model had one; {@link Transformer#load} reads it as is) plus {@code optimizer.safetensors}
 * (AdamW moments {@code exp_avg.NAME} / {@code exp_avg_sq.NAME}, PyTorch's names) and
 * {@code trainer_state.json} ({@link TrainerState}). Each is assembled in a hidden sibling folder
 * and renamed into place only when every file is written, so a run killed mid-save leaves either
 * the previous checkpoints or a hidden leftover, never a folder that looks complete.
 */
public final class TrainingCheckpoint {
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

    private TrainingCheckpoint() {}

    /** {@code out/checkpoint-<step, 8 digits>}. */
    public static Path dirFor(Path out, long step) {
        return out.resolve(String.format("checkpoint-%08d", step));
    }

    /** Complete checkpoint folders in {@code out}, oldest first. */
    public static List<Path> list(Path out) {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && TrainerState.exists(p))
                    .sorted(Comparator.comparingLong(TrainingCheckpoint::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new ScaleLabException(out + ": cannot list checkpoints: " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint in {@code out}, if any. */
    public static Optional<Path> latest(Path out) {
        List<Path> all = list(out);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(checkpoint + " is not a checkpoint folder name");
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Writes {@code model}'s current parameters as a Hugging Face model folder {@code target}
     * (config.json, model.safetensors, tokenizer.json if the model's source folder has one),
     * atomically: {@code target} must not exist yet.
     */
    public static void exportModel(Transformer model, Path target) {
        writeAtomically(target, staging -> writeModel(model, staging));
    }

    static Path save(Path out, Transformer model, AdamW optimizer, TrainerState state) {
        Path target = dirFor(out, state.step());
        writeAtomically(target, staging -> {
            writeModel(model, staging);
            List<SafetensorsWriter.Tensor> moments = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : optimizer.firstMoments().entrySet()) {
                moments.add(tensor("exp_avg." + e.getKey(), e.getValue()));
            }
            for (Map.Entry<String, NDArray> e : optimizer.secondMoments().entrySet()) {
                moments.add(tensor("exp_avg_sq." + e.getKey(), e.getValue()));
            }
            SafetensorsWriter.write(staging.resolve(OPTIMIZER_FILE), moments, Map.of("step", Long.toString(state.step())));
            AtomicFiles.writeString(staging.resolve(TrainerState.FILE), Json.pretty(state.toJson()) + "\n");
        });
        return target;
    }

    /** AdamW moments saved in {@code checkpoint}: [first moments, second moments] by parameter name. */
    static List<Map<String, float[]>> readMoments(Path checkpoint) {
        Path file = checkpoint.resolve(OPTIMIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new InputException(checkpoint + ": no " + OPTIMIZER_FILE + " (not a training checkpoint)");
        }
        Map<String, float[]> m = new HashMap<>();
        Map<String, float[]> v = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.tensors().keySet()) {
                if (name.startsWith("exp_avg_sq.")) {
                    v.put(name.substring("exp_avg_sq.".length()), f.floats(name));
                } else if (name.startsWith("exp_avg.")) {
                    m.put(name.substring("exp_avg.".length()), f.floats(name));
                }
            }
        }
        return List.of(m, v);
    }

    private static void writeModel(Transformer model, Path dir) throws IOException {
        Map<String, NDArray> params = model.trainableParameters();
        if (params.isEmpty()) {
            throw new ScaleLabException("cannot save " + model.dir() + ": it was not loaded for training (Transformer.loadTrainable)");
        }
        model.config().write(dir);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            tensors.add(tensor(e.getKey(), e.getValue()));
        }
        SafetensorsWriter.write(dir.resolve(Weights.SINGLE_FILE), tensors, Map.of("format", "pt"));
        Path tokenizer = model.dir().resolve(ModelTokenizer.FILE);
        if (Files.isRegularFile(tokenizer)) {
            Files.copy(tokenizer, dir.resolve(ModelTokenizer.FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static SafetensorsWriter.Tensor tensor(String name, NDArray a) {
        return SafetensorsWriter.Tensor.ofFloats(name, DType.F32, a.getShape().getShape(), a.toFloatArray());
    }

    @FunctionalInterface
    private interface Filler {
        void fill(Path staging) throws IOException;
    }

    private static void writeAtomically(Path target, Filler filler) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            throw new InputException(target + ": already exists; refusing to overwrite a checkpoint");
        }
        Path staging = null;
        try {
            Files.createDirectories(abs.getParent());
            staging = Files.createDirectory(AtomicFiles.temporarySibling(abs));
            filler.fill(staging);
            AtomicFiles.moveIntoPlace(staging, abs);
        } catch (IOException e) {
            deleteTree(staging);
            throw new ScaleLabException(target + ": cannot write checkpoint: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: a hidden leftover is never taken for a checkpoint.
        }
    }
}
