package org.scalelab.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.scalelab.InputException;

/** The first check of every reader: the path names a readable file, and if not, says what it is instead. */
public final class InputFile {
    private InputFile() {}

    /** Refuses a missing path, a folder or anything else that is not a regular file, with one line saying which. */
    public static void require(Path file) {
        if (Files.isRegularFile(file)) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a folder, not a file; give the file inside it");
        }
        if (Files.exists(file)) {
            throw new InputException(file + ": is not a regular file");
        }
        throw new InputException(file + ": no such file");
    }
}
