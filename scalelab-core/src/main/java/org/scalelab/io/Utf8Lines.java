package org.scalelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * The lines of a JSON-lines file, each decoded on its own so that a byte that is not UTF-8 is reported
 * with its line (a decoder over the whole stream reads ahead and cannot say where). A leading byte-order
 * mark is dropped; a line keeps a trailing "\r", which JSON parsing ignores. The one way JSON-lines inputs
 * (task files, dataset rows, prompts, patching pairs) are read.
 */
public final class Utf8Lines {
    private Utf8Lines() {}

    /** Line i + 1 of {@code file} is element i; {@code what} names the file in messages ("task file", "dataset rows"). */
    public static List<String> read(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": " + what + " not found");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the " + what + ": " + e.getMessage(), e);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            try {
                lines.add(utf8.decode(ByteBuffer.wrap(bytes, start, end - start)).toString());
            } catch (CharacterCodingException e) {
                throw new InputException(file + ":" + (lines.size() + 1) + ": not UTF-8 text (the " + what + " must be UTF-8)");
            }
            start = end + 1;
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        return lines;
    }
}
