package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;

class ModelTokenizerTest {
    @TempDir Path dir;

    /** The reference is UTF-8 itself: a byte-level tokenizer must give back each byte as its id. */
    private static int[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
        }
        return ids;
    }

    @Test
    void byteLevelTokenizerEncodesTextAsItsUtf8BytesAndDecodesBack() {
        ModelTokenizer.writeByteLevel(dir, 257);
        try (ModelTokenizer t = ModelTokenizer.load(dir)) {
            for (String text : new String[] {"Hello, world!", "  two spaces\tand a tab\n", "naïve café — 日本語 🙂", "x".repeat(2000)}) {
                assertArrayEquals(utf8(text), t.encode(text), text);
                assertEquals(text, t.decode(t.encode(text)));
            }
            assertArrayEquals(new int[] {256}, t.encode(ModelTokenizer.END_OF_TEXT), "the special token is one id");
        }
    }

    @Test
    void byteTableIsAPermutationOntoPrintableCharacters() {
        int[] map = ModelTokenizer.byteToChar();
        assertEquals(256, java.util.Arrays.stream(map).distinct().count());
        assertEquals('A', map['A']);
        assertEquals(0x120, map[' '], "space is the 33rd unprintable byte → U+0120 'Ġ', as in GPT-2 vocabularies");
    }

    @Test
    void missingOrCorruptTokenizerIsNamed() throws IOException {
        InputException e = assertThrows(InputException.class, () -> ModelTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json not found"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": 3}");
        e = assertThrows(InputException.class, () -> ModelTokenizer.load(dir));
        assertTrue(e.getMessage().contains("not a valid Hugging Face tokenizer.json"), e.getMessage());
    }
}
