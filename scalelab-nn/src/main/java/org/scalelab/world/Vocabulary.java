package org.scalelab.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.Json;

/**
 * The world's tokens, one word each: special tokens first, then relations ⟨r_j⟩, then entities
 * ⟨e_i⟩. Texts are these words separated by single spaces, so a word-level tokenizer
 * ({@link #tokenizerJson}) maps every word to exactly one id.
 */
public final class Vocabulary {
    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    /** The functor token: (e, ⟨f⟩) → f(e). */
    public static final String FUNCTOR = "<f>";
    /** Ends a trajectory question; the intermediate entities follow. */
    public static final String THINK = "<think>";
    /** Ends a truth statement; ⟨true⟩ or ⟨false⟩ follows. */
    public static final String CHECK = "<check>";
    public static final String TRUE = "<true>";
    public static final String FALSE = "<false>";
    static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS, FUNCTOR, THINK, CHECK, TRUE, FALSE);

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final int relations;
    private final int entities;

    Vocabulary(int relations, int entities) {
        List<String> t = new ArrayList<>(SPECIALS);
        for (int j = 0; j < relations; j++) {
            t.add(relation(j));
        }
        for (int i = 0; i < entities; i++) {
            t.add(entity(i));
        }
        this.tokens = Collections.unmodifiableList(t);
        this.ids = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            ids.put(t.get(i), i);
        }
        this.relations = relations;
        this.entities = entities;
    }

    public static String entity(int i) {
        return "<e_" + i + ">";
    }

    public static String relation(int j) {
        return "<r_" + j + ">";
    }

    public List<String> tokens() {
        return tokens;
    }

    public int size() {
        return tokens.size();
    }

    /** Id of entity ⟨e_i⟩. */
    public int entityId(int i) {
        return SPECIALS.size() + relations + i;
    }

    /** Id of relation ⟨r_j⟩. */
    public int relationId(int j) {
        return SPECIALS.size() + j;
    }

    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new InputException("token \"" + token + "\" is not in the world's vocabulary of " + size() + " tokens");
        }
        return id;
    }

    /** Ids of a space-separated text. */
    public int[] encode(String text) {
        String[] words = text.trim().split(" +");
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = id(words[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            b.append(b.length() == 0 ? "" : " ").append(tokens.get(id));
        }
        return b.toString();
    }

    public int entityCount() {
        return entities;
    }

    public int relationCount() {
        return relations;
    }

    /**
     * A Hugging Face {@code tokenizer.json} for this vocabulary: a WordLevel model after a
     * WhitespaceSplit pre-tokenizer (split on whitespace only, so ⟨e_12⟩ stays one word), no
     * normalizer, no post-processor; unknown words map to ⟨unk⟩. Both {@code tokenizers} and
     * {@link org.scalelab.model.ModelTokenizer} read it.
     */
    public ObjectNode tokenizerJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        var added = root.putArray("added_tokens");
        for (String s : SPECIALS) {
            ObjectNode a = added.addObject();
            a.put("id", id(s));
            a.put("content", s);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        // No WordLevel decoder exists; WordPiece with an unused prefix joins words with spaces.
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        model.put("unk_token", UNK);
        return root;
    }
}
