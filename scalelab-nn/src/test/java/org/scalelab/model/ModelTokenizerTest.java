package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.Json;

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

    /**
     * A byte-level tokenizer whose post-processor prepends {@code <bos>} (id 257), written the way
     * Llama's and Gemma's tokenizer.json files declare it: a TemplateProcessing "single" template
     * [&lt;bos&gt;, $A].
     */
    static void writeByteLevelWithBos(Path dir) throws IOException {
        ModelTokenizer.writeByteLevel(dir, 258);
        Path file = dir.resolve(ModelTokenizer.FILE);
        ObjectNode root = (ObjectNode) Json.mapper().readTree(file.toFile());
        ObjectNode bos = ((ArrayNode) root.get("added_tokens")).addObject();
        bos.put("id", 257);
        bos.put("content", "<bos>");
        bos.put("single_word", false);
        bos.put("lstrip", false);
        bos.put("rstrip", false);
        bos.put("normalized", false);
        bos.put("special", true);
        ((ObjectNode) root.get("model").get("vocab")).put("<bos>", 257);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = post.putObject("special_tokens").putObject("<bos>");
        special.put("id", "<bos>");
        special.putArray("ids").add(257);
        special.putArray("tokens").add("<bos>");
        Files.writeString(file, Json.pretty(root));
    }

    @Test
    void specialTokensAreThoseThePostProcessorAddsAsTransformersDoesByDefault() throws IOException {
        Path withBos = dir.resolve("bos");
        Files.createDirectories(withBos);
        writeByteLevelWithBos(withBos);
        try (ModelTokenizer t = ModelTokenizer.load(withBos)) {
            assertTrue(t.addsSpecialTokens());
            int[] bytes = utf8("Hello, world");
            int[] expected = new int[bytes.length + 1];
            expected[0] = 257;
            System.arraycopy(bytes, 0, expected, 1, bytes.length);
            assertArrayEquals(expected, t.encode("Hello, world", true), "the template: <bos> then the text");
            assertArrayEquals(bytes, t.encode("Hello, world"), "without special tokens: the text alone");
        }
        ModelTokenizer.writeByteLevel(dir, 257);
        try (ModelTokenizer t = ModelTokenizer.load(dir)) {
            assertFalse(t.addsSpecialTokens(), "no post-processor: nothing added");
            assertArrayEquals(t.encode("abc"), t.encode("abc", true));
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

    /**
     * The native library aborts the whole JVM on some tokenizer.json files it refuses (a panic cannot
     * unwind through JNI; fuzzing found it with a truncated file): these are checked in Java first and
     * are input errors naming the field, and this test's JVM survives to say so.
     */
    @Test
    void tokenizerFilesTheNativeLibraryWouldAbortOnAreInputErrors() throws IOException {
        ModelTokenizer.writeByteLevel(dir, 257);
        Path file = dir.resolve("tokenizer.json");
        String valid = Files.readString(file);
        String[][] cases = {
            {valid.substring(0, valid.length() / 2), "not valid JSON"},
            {valid.replace("\"BPE\"", "\"BPX\""), "field \"model\" has type"},
            {valid.replace("\"ByteLevel\"", "\"Bytelevel\""), "has type"},
            {valid.replace("\"id\" : 256", "\"id\" : -1"), "field \"added_tokens.id\" is -1"},
            {valid.replace("\"1.0\"", "\"2.0\""), "field \"version\""},
            {valid.replace("\"use_regex\" : true", "\"use_regex\" : 1"), "use_regex\" is 1; expected true or false"},
            {valid.replace("\"!\" : 33", "\"!\" : 4294967296"), "gives token '!' the id 4294967296"},
            {valid.replace("\"unk_token\" : null", "\"unk_token\" : \"<unk>\""), "'<unk>' is not in the vocabulary"},
        };
        for (String[] c : cases) {
            assertFalse(c[0].equals(valid), "the case changes the file: " + c[1]);
            Files.writeString(file, c[0]);
            InputException e = assertThrows(InputException.class, () -> ModelTokenizer.load(dir));
            assertTrue(e.getMessage().contains("not a valid Hugging Face tokenizer.json") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
