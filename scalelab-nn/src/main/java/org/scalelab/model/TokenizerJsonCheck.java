package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.scalelab.InputException;

/**
 * Checks a {@code tokenizer.json} in Java before the Rust {@code tokenizers} library sees it.
 *
 * <p>Why: the DJL binding unwraps the Rust library's results, and a panic cannot unwind through
 * JNI, so a tokenizer.json that Rust refuses (a syntax error, an unknown component type, a negative
 * id, a WordLevel vocabulary without its unknown token) aborts the whole JVM instead of raising an
 * exception. The checks follow the serde schema of huggingface/tokenizers ({@code tokenizer/serialization.rs}
 * and each component's {@code Deserialize}): the component {@code type} tags it knows, the JSON type
 * of every field it reads, ids that fit a u32 (and a Java int), and the vocabulary entries encoding
 * needs. Unknown fields are left alone, as serde does.
 */
final class TokenizerJsonCheck {
    private TokenizerJsonCheck() {}

    private static final Set<String> MODELS = Set.of("BPE", "WordPiece", "WordLevel", "Unigram");
    private static final Set<String> NORMALIZERS = Set.of("BertNormalizer", "Strip", "StripAccents", "NFC", "NFD", "NFKC", "NFKD",
            "Sequence", "Lowercase", "Nmt", "Precompiled", "Replace", "Prepend", "ByteLevel");
    private static final Set<String> PRE_TOKENIZERS = Set.of("BertPreTokenizer", "ByteLevel", "CharDelimiterSplit", "Metaspace",
            "Whitespace", "Sequence", "Split", "Punctuation", "WhitespaceSplit", "Digits", "UnicodeScripts", "FixedLength");
    private static final Set<String> POST_PROCESSORS = Set.of("RobertaProcessing", "BertProcessing", "ByteLevel", "TemplateProcessing", "Sequence");
    private static final Set<String> DECODERS = Set.of("BPEDecoder", "ByteLevel", "WordPiece", "Metaspace", "CTC", "Sequence", "Replace",
            "Fuse", "Strip", "ByteFallback");
    private static final Set<String> BOOLEANS = Set.of("add_prefix_space", "trim_offsets", "use_regex", "single_word", "lstrip", "rstrip",
            "normalized", "special", "fuse_unk", "byte_fallback", "ignore_merges", "invert", "lowercase", "clean_text",
            "handle_chinese_chars", "split", "cleanup", "individual_digits", "left", "right");
    private static final Set<String> OPTIONAL_STRINGS = Set.of("unk_token", "continuing_subword_prefix", "end_of_word_suffix");
    private static final Set<String> STRINGS = Set.of("content", "prefix", "suffix", "pad_token", "word_delimiter_token", "behavior",
            "prepend_scheme", "version", "direction", "precompiled_charsmap");
    private static final Set<String> CHARS = Set.of("replacement", "delimiter");
    private static final Set<String> COUNTS = Set.of("id", "type_id", "max_input_chars_per_word", "start", "stop", "max_length", "stride",
            "pad_id", "pad_type_id", "length");

    static void check(Path file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw bad(file, "the top level", "is not a JSON object");
        }
        JsonNode version = root.get("version");
        if (version != null && !"1.0".equals(version.asText(null))) {
            throw bad(file, "field \"version\"", "is " + InputException.quote(version) + "; the tokenizers library reads version \"1.0\"");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw bad(file, "field \"model\"", "is missing or not an object");
        }
        component(file, "model", model, MODELS, true);
        model(file, model);
        component(file, "normalizer", root.get("normalizer"), NORMALIZERS, false);
        component(file, "pre_tokenizer", root.get("pre_tokenizer"), PRE_TOKENIZERS, false);
        component(file, "post_processor", root.get("post_processor"), POST_PROCESSORS, false);
        component(file, "decoder", root.get("decoder"), DECODERS, false);
        for (String optional : new String[] {"truncation", "padding"}) {
            JsonNode n = root.get(optional);
            if (n != null && !n.isNull()) {
                if (!n.isObject()) {
                    throw bad(file, "field \"" + optional + "\"", "is " + InputException.quote(n) + "; expected null or an object");
                }
                fields(file, optional, n);
            }
        }
        JsonNode added = root.get("added_tokens");
        if (added != null && !added.isNull()) {
            if (!added.isArray()) {
                throw bad(file, "field \"added_tokens\"", "is not an array");
            }
            for (JsonNode t : added) {
                if (!t.isObject() || t.get("id") == null || t.get("content") == null) {
                    throw bad(file, "field \"added_tokens\"", "holds " + InputException.quote(t) + "; expected objects with \"id\" and \"content\"");
                }
                fields(file, "added_tokens", t);
            }
        }
    }

    /** A component: null when optional, else an object whose "type" is one the library knows; its fields are checked recursively. */
    private static void component(Path file, String where, JsonNode n, Set<String> types, boolean required) {
        if (n == null || n.isNull()) {
            if (required) {
                throw bad(file, "field \"" + where + "\"", "is missing");
            }
            return;
        }
        if (!n.isObject()) {
            throw bad(file, "field \"" + where + "\"", "is " + InputException.quote(n) + "; expected null or an object with a \"type\"");
        }
        JsonNode type = n.get("type");
        if (type == null ? !where.equals("model") : !type.isTextual() || !types.contains(type.asText())) {
            throw bad(file, "field \"" + where + "\"", "has type " + InputException.quote(type) + "; the tokenizers library knows " + types);
        }
        if ("Sequence".equals(n.path("type").asText())) {
            String list = where.equals("normalizer") ? "normalizers" : where.equals("pre_tokenizer") ? "pretokenizers"
                    : where.equals("post_processor") ? "processors" : "decoders";
            JsonNode items = n.get(list);
            if (items == null || !items.isArray()) {
                throw bad(file, "field \"" + where + "\"", "is a Sequence without a \"" + list + "\" array");
            }
            for (JsonNode item : items) {
                component(file, where, item, types, true);
            }
        }
        fields(file, where, n);
    }

    /** The JSON type of every field the library reads, at any depth below {@code n}. */
    private static void fields(Path file, String where, JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            String at = "field \"" + where + "." + key + "\"";
            if (BOOLEANS.contains(key) && !v.isBoolean()) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected true or false");
            } else if (OPTIONAL_STRINGS.contains(key) && !v.isNull() && !v.isTextual()) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected a string or null");
            } else if (STRINGS.contains(key) && !v.isTextual()) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected a string");
            } else if (CHARS.contains(key) && !(v.isTextual() && v.asText().codePointCount(0, v.asText().length()) == 1)) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected a single character");
            } else if (COUNTS.contains(key) && !count(v) && !(key.equals("id") && v.isTextual() && !where.equals("added_tokens"))) {
                // TemplateProcessing names its pieces by string ids ("A", "<bos>"); added tokens have numeric ones.
                throw bad(file, at, "is " + InputException.quote(v) + "; expected a whole number from 0 to 2^31 - 1");
            } else if (key.equals("ids") && !(v.isArray() && allCounts(v))) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected an array of token ids");
            } else if (key.equals("dropout") && !v.isNull() && !(v.isNumber() && v.asDouble() >= 0 && v.asDouble() <= 1)) {
                throw bad(file, at, "is " + InputException.quote(v) + "; expected null or a number from 0 to 1");
            } else if (key.equals("pattern")) {
                pattern(file, at, v);
            } else if (key.equals("vocab") || key.equals("merges") || key.equals("type") || key.equals("normalizers")
                    || key.equals("pretokenizers") || key.equals("processors") || key.equals("decoders")) {
                continue; // checked by model() and component()
            } else if (v.isObject() || v.isArray()) {
                for (JsonNode child : v.isArray() ? v : java.util.List.of(v)) {
                    if (child.isObject()) {
                        fields(file, where + "." + key, child);
                    } else if (child.isArray()) {
                        for (JsonNode c : child) {
                            if (c.isObject()) {
                                fields(file, where + "." + key, c);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void model(Path file, JsonNode model) {
        String type = model.path("type").asText("BPE");
        JsonNode vocab = model.get("vocab");
        if (type.equals("Unigram")) {
            if (vocab == null || !vocab.isArray()) {
                throw bad(file, "field \"model.vocab\"", "is not an array of [piece, score] pairs");
            }
            for (JsonNode p : vocab) {
                if (!p.isArray() || p.size() != 2 || !p.get(0).isTextual() || !p.get(1).isNumber()) {
                    throw bad(file, "field \"model.vocab\"", "holds " + InputException.quote(p) + "; expected [piece, score]");
                }
            }
            JsonNode unk = model.get("unk_id");
            if (unk != null && !unk.isNull() && !(count(unk) && unk.asInt() < vocab.size())) {
                throw bad(file, "field \"model.unk_id\"", "is " + InputException.quote(unk) + "; expected an index into the vocabulary");
            }
            return;
        }
        if (vocab == null || !vocab.isObject()) {
            throw bad(file, "field \"model.vocab\"", "is missing or not an object of token → id");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!count(e.getValue())) {
                throw bad(file, "field \"model.vocab\"", "gives token '" + InputException.quote(e.getKey()) + "' the id "
                        + InputException.quote(e.getValue()) + "; expected a whole number from 0 to 2^31 - 1");
            }
        }
        JsonNode unk = model.get("unk_token");
        boolean hasUnk = unk != null && unk.isTextual();
        if (hasUnk && !vocab.has(unk.asText())) {
            throw bad(file, "field \"model.unk_token\"", "'" + InputException.quote(unk.asText()) + "' is not in the vocabulary");
        }
        if ((type.equals("WordLevel") || type.equals("WordPiece")) && !hasUnk) {
            throw bad(file, "field \"model.unk_token\"", "is missing; a " + type + " model needs one in its vocabulary");
        }
        if (type.equals("BPE")) {
            JsonNode merges = model.get("merges");
            if (merges == null || !merges.isArray()) {
                throw bad(file, "field \"model.merges\"", "is missing or not an array");
            }
            for (JsonNode m : merges) {
                boolean pair = m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual();
                boolean text = m.isTextual() && m.asText().split(" ", -1).length == 2;
                if (!pair && !text) {
                    throw bad(file, "field \"model.merges\"", "holds " + InputException.quote(m) + "; expected \"a b\" or [\"a\", \"b\"]");
                }
                String a = pair ? m.get(0).asText() : m.asText().split(" ")[0];
                String b = pair ? m.get(1).asText() : m.asText().split(" ", -1)[1];
                if (!vocab.has(a) || !vocab.has(b) || !vocab.has(a + b)) {
                    throw bad(file, "field \"model.merges\"", "merge " + InputException.quote(m) + " uses tokens missing from the vocabulary");
                }
            }
        }
    }

    private static void pattern(Path file, String at, JsonNode v) {
        JsonNode s = v.get("String");
        JsonNode r = v.get("Regex");
        if (!v.isObject() || v.size() != 1 || (s == null || !s.isTextual()) && (r == null || !r.isTextual())) {
            throw bad(file, at, "is " + InputException.quote(v) + "; expected {\"String\": …} or {\"Regex\": …}");
        }
        if (r != null) {
            try {
                Pattern.compile(r.asText());
            } catch (PatternSyntaxException e) {
                throw bad(file, at, "regex " + InputException.quote(r.asText()) + " does not compile: " + InputException.quote(e.getDescription()));
            }
        }
    }

    private static boolean allCounts(JsonNode array) {
        for (JsonNode v : array) {
            if (!count(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean count(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 0;
    }

    private static InputException bad(Path file, String field, String what) {
        return new InputException(file + ": not a valid Hugging Face tokenizer.json: " + field + " " + what);
    }
}
