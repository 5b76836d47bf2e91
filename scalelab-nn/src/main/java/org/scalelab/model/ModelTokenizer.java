package org.scalelab.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.io.AtomicFiles;
import org.scalelab.io.Json;

/**
 * A checkpoint's {@code tokenizer.json}, run by Hugging Face's Rust {@code tokenizers} through DJL
 * (native library inside the jar, so it works offline). {@link #encode(String)} encodes text exactly
 * as given; {@link #encode(String, boolean)} can add the special tokens of the tokenizer's
 * post-processor, as Hugging Face's {@code tokenizer(text)} does by default (Llama's, Mistral's and
 * Gemma's BOS; GPT-2's and ScaleLab's byte-level tokenizers add none). Nothing is truncated or padded.
 */
public final class ModelTokenizer implements AutoCloseable {
    public static final String FILE = "tokenizer.json";
    /** Written by {@link #writeByteLevel} at id 256 when the vocabulary has room for it. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false", "maxLength", "-1");

    /**
     * Strict JSON as serde_json reads it: no NaN, no leading zeros or comments, no duplicate keys,
     * nothing after the value, strings as valid UTF-8.
     */
    private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

    private ModelTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    /** Loads {@code dir/tokenizer.json} (or the file itself). */
    public static ModelTokenizer load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
        TorchEngine.forceOffline();
        try {
            byte[] bytes = Files.readAllBytes(file);
            // Checked here first: the native library aborts the JVM on a tokenizer.json it refuses.
            com.fasterxml.jackson.databind.JsonNode root;
            try {
                root = STRICT.readTree(new java.io.ByteArrayInputStream(bytes));
            } catch (IOException e) {
                String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw new InputException(file + ": not a valid Hugging Face tokenizer.json: not valid JSON: " + InputException.quote(firstLine(reason)));
            }
            TokenizerJsonCheck.check(file, root);
            try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
                return new ModelTokenizer(file, HuggingFaceTokenizer.newInstance(in, OPTIONS));
            }
        } catch (InputException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": tokenizer.json not found (the checkpoint folder needs one to encode text)");
        } catch (IOException | RuntimeException e) {
            throw new InputException(file + ": not a valid Hugging Face tokenizer.json: " + firstLine(e.getMessage()), e);
        }
    }

    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * With {@code specialTokens}, the tokens the post-processor adds around a single sequence (e.g. a
     * leading BOS) are included, as in {@code tokenizer(text)["input_ids"]} of transformers.
     */
    public int[] encode(String text, boolean specialTokens) {
        long[] ids = tokenizer.encode(text, specialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * {@link #encode(String, boolean)} with the characters of {@code text} each token came from, as
     * the tokenizer reports them (its offsets count code points; they are turned into UTF-16
     * indices here). A special token the post-processor adds covers no character. Where a
     * byte-level tokenizer splits one character over several tokens, each of them covers it.
     */
    public TokenSpans spans(String text, boolean specialTokens) {
        ai.djl.huggingface.tokenizers.Encoding e = tokenizer.encode(text, specialTokens, false);
        long[] ids = e.getIds();
        ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
        int codePoints = text.codePointCount(0, text.length());
        int[] out = new int[ids.length];
        int[] start = new int[ids.length];
        int[] end = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
            if (spans[i] != null) {
                int a = Math.max(0, Math.min(codePoints, spans[i].getStart()));
                int b = Math.max(a, Math.min(codePoints, spans[i].getEnd()));
                start[i] = text.offsetByCodePoints(0, a);
                end[i] = text.offsetByCodePoints(start[i], b - a);
            }
        }
        return new TokenSpans(text, out, start, end);
    }

    /**
     * {@code ids} decoded as {@link #decode} does, with the characters of that text each token
     * produced: token {@code i} starts where the text decoded from the tokens before it stops
     * agreeing with the whole text (the longest common prefix), so a token that begins with a
     * space covers that space. Tokens holding only part of a character (a byte-level tokenizer's
     * first bytes of a multi-byte character) cover the character their last byte completes. Costs
     * one decoding per token.
     */
    public TokenSpans decodeSpans(int[] ids) {
        String text = decode(ids);
        int n = ids.length;
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 1; i < n; i++) {
            String before = decode(java.util.Arrays.copyOf(ids, i));
            int common = 0;
            int limit = Math.min(before.length(), text.length());
            while (common < limit && before.charAt(common) == text.charAt(common)) {
                common++;
            }
            if (common > 0 && common < text.length() && Character.isLowSurrogate(text.charAt(common))) {
                common--; // never split a surrogate pair
            }
            start[i] = Math.max(start[i - 1], common);
        }
        for (int i = n - 1; i >= 0; i--) {
            end[i] = i == n - 1 ? text.length() : start[i + 1];
            if (end[i] == start[i] && i < n - 1) {
                end[i] = end[i + 1]; // part of a character the next token completes
            }
        }
        return new TokenSpans(text, ids, start, end);
    }

    /** Whether {@link #encode(String, boolean)} with special tokens adds any (a post-processor such as Llama's BOS). */
    public boolean addsSpecialTokens() {
        return encode("a", true).length != encode("a", false).length;
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    /**
     * The id of the end-of-sequence token, or -1 when the vocabulary has none: the first of
     * GPT-2's {@code <|endoftext|>}, Llama 3's {@code <|end_of_text|>}, Llama 2/Mistral's
     * {@code </s>} and Gemma's {@code <eos>} that the tokenizer encodes as one token of its own (a
     * word-level vocabulary encodes any unknown word as one token, its unknown token, which decodes to
     * something else).
     */
    public int endOfText() {
        for (String candidate : List.of(END_OF_TEXT, "<|end_of_text|>", "</s>", "<eos>")) {
            int[] ids = encode(candidate);
            if (ids.length == 1 && decode(ids).equals(candidate)) {
                return ids[0];
            }
        }
        return -1;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * Writes a byte-level tokenizer: token id b is byte b (0–255), so any UTF-8 text encodes to
     * its bytes; id 256 is {@value #END_OF_TEXT} when {@code vocabSize} > 256. It is GPT-2's
     * byte-level BPE (Radford et al. 2019, §2.2) with no merges learned: the same pre-tokenizer
     * and decoder, and GPT-2's byte → printable-character table, so standard tools read it.
     */
    public static void writeByteLevel(Path dir, int vocabSize) {
        if (vocabSize < 256) {
            throw new InputException("a byte-level tokenizer needs a vocabulary of at least 256 ids, got " + vocabSize);
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        if (vocabSize > 256) {
            ObjectNode eot = added.addObject();
            eot.put("id", 256);
            eot.put("content", END_OF_TEXT);
            eot.put("single_word", false);
            eot.put("lstrip", false);
            eot.put("rstrip", false);
            eot.put("normalized", false);
            eot.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", false);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        int[] byteToChar = byteToChar();
        for (int b = 0; b < 256; b++) {
            vocab.put(new String(Character.toChars(byteToChar[b])), b);
        }
        if (vocabSize > 256) {
            vocab.put(END_OF_TEXT, 256);
        }
        model.putArray("merges");
        Path file = dir.resolve(FILE);
        try {
            AtomicFiles.writeString(file, Json.pretty(root) + "\n");
        } catch (IOException e) {
            throw new ScaleLabException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * GPT-2's reversible byte → character table: printable Latin-1 bytes ('!'–'~', '¡'–'¬',
     * '®'–'ÿ') stand for themselves, the other 68 bytes map to U+0100 onwards in byte order, so
     * that no token contains whitespace or control characters.
     */
    static int[] byteToChar() {
        int[] map = new int[256];
        List<Integer> unprintable = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                map[b] = b;
            } else {
                unprintable.add(b);
            }
        }
        for (int i = 0; i < unprintable.size(); i++) {
            map[unprintable.get(i)] = 256 + i;
        }
        return map;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
