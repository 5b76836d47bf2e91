package org.scalelab.eval;

import java.nio.file.Path;
import java.util.List;

/** A task file: its name (the file name without .jsonl) and its examples, in file order. */
public record EvalTask(String name, Path file, List<EvalExample> examples) {
    public EvalTask {
        examples = List.copyOf(examples);
    }

    /** Reads a task file; bad input is an {@link org.scalelab.InputException} naming FILE:LINE, the field and the value. */
    public static EvalTask read(Path file) {
        throw new UnsupportedOperationException("not yet");
    }
}
