package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.world.WorldConfig;
import org.scalelab.world.WorldGenerator;

/**
 * Step rules on crafted texts. The byte-level tokenizer makes one token of every UTF-8 byte, so the
 * expected token position of a character is its UTF-8 byte offset (plus one behind a BOS), counted
 * here from the text itself, independently of the tokenizer's offsets.
 */
class StepRuleTest {
    @TempDir static Path dir;
    static ModelTokenizer bytes;
    static ModelTokenizer bytesWithBos;
    static ModelTokenizer words;

    @BeforeAll
    static void tokenizers() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        ModelTokenizer.writeByteLevel(plain, 257);
        bytes = ModelTokenizer.load(plain);
        Path bos = Files.createDirectories(dir.resolve("bos"));
        ModelTokenizerTest.writeByteLevelWithBos(bos);
        bytesWithBos = ModelTokenizer.load(bos);
        Path world = Files.createDirectories(dir.resolve("world"));
        Files.writeString(world.resolve(ModelTokenizer.FILE), Json.pretty(WorldGenerator.generate(WorldConfig.small()).vocabulary().tokenizerJson()));
        words = ModelTokenizer.load(world);
    }

    @AfterAll
    static void close() {
        bytes.close();
        bytesWithBos.close();
        words.close();
    }

    /** The UTF-8 byte offset of each character index of {@code text}: a byte-level tokenizer's token position. */
    private static List<Integer> byteOffsets(String text, List<Integer> chars, int shift) {
        List<Integer> out = new ArrayList<>();
        for (int c : chars) {
            out.add(text.substring(0, c).getBytes(StandardCharsets.UTF_8).length + shift);
        }
        return out;
    }

    private static List<Integer> starts(String rule, String text) {
        return StepRule.parse(rule).starts(text);
    }

    @Test
    void newlineStartsAStepAtTheFirstNonBlankCharacterOfEachLine() {
        String text = "  First line\nsecond\n\n\n   third\r\nfourth\n  \n\t\nlast\n\n";
        assertEquals(List.of(2, 13, 25, 32, 44), starts("newline", text));
        assertEquals("F", text.substring(2, 3));
        assertEquals("s", text.substring(13, 14));
        assertEquals("t", text.substring(25, 26));
        assertEquals("f", text.substring(32, 33));
        assertEquals("l", text.substring(44, 45));
        assertEquals(List.of(), starts("newline", " \n\n "), "only whitespace: no step");
        assertEquals(List.of(0), starts("newline", "one line"));
    }

    @Test
    void sentenceStartsAStepAfterEndPunctuationFollowedByWhitespace() {
        String text = " It is 3.5 m. Really?! Yes...\nNo e.g.x ok. ";
        List<Integer> s = starts("sentence", text);
        assertEquals(List.of(1, 14, 23, 30), s);
        assertEquals(List.of("I", "R", "Y", "N"), s.stream().map(i -> text.substring(i, i + 1)).toList());
        assertEquals(List.of(0), starts("sentence", "No end punctuation here"));
    }

    @Test
    void sentenceDoesNotSplitAfterCommonAbbreviations() {
        String text = "Use a prime, e.g. 7. Dr. Smith (i.e. the author) agrees. See Fig. 2 vs. Eq. 3! (E.g. this.) Done etc. Next";
        List<Integer> s = starts("sentence", text);
        List<String> first = s.stream().map(i -> text.substring(i, text.indexOf(' ', i) < 0 ? text.length() : text.indexOf(' ', i))).toList();
        assertEquals(List.of("Use", "Dr.", "See", "(E.g.", "Next"), first,
                "no step after e.g., i.e., Dr., Fig., vs., Eq. (in any case, after a bracket); a step after 7., agrees., 3! and etc.");
        assertEquals(List.of(0), starts("sentence", "Ends e.g. Then"), "an abbreviation ends no sentence, even where one ends");
        assertEquals(List.of(0, 12), starts("sentence", "See the eg. Then"), "'eg.' is not an abbreviation of the list");
    }

    @Test
    void markerAndRegexStartAStepAtEachOccurrence() {
        String text = "Plan. Step 1: add. Step 2: carry. Step 10: done";
        assertEquals(List.of(6, 19, 34), starts("marker:Step ", text));
        assertEquals(List.of(6, 19, 34), starts("regex:Step \\d+:", text));
        assertEquals(List.of(0, 19), starts("regex:(?m)^\\w+", "alpha beta\n  gamma\ndelta"), "a line's first word, unindented lines only");
        assertEquals(List.of(0, 2), starts("marker:aa", "aaaaa"), "occurrences do not overlap");
        assertEquals(List.of(), starts("regex:Step \\d+", "no steps here"));
    }

    @Test
    void boundariesAreTokenPositionsAndCountTheBos() {
        String text = "Plan. Step 1: add. Step 2: carry.\nStep 10: done";
        for (String rule : List.of("newline", "sentence", "marker:Step ", "regex:\\d+")) {
            List<Integer> chars = starts(rule, text);
            assertFalse(chars.isEmpty(), rule);
            assertEquals(byteOffsets(text, chars, 0), StepRule.parse(rule).boundaries(text, bytes, true), rule);
            assertEquals(byteOffsets(text, chars, 1), StepRule.parse(rule).boundaries(text, bytesWithBos, true), rule + " behind a BOS");
            assertEquals(byteOffsets(text, chars, 0), StepRule.parse(rule).boundaries(text, bytesWithBos, false), rule + " without special tokens");
        }
        // exact numbers for one case, by hand: "Plan. " is 6 bytes, "Step 1: add. " 13 more
        assertEquals(List.of(1 + 6, 1 + 19, 1 + 34), StepRule.parse("marker:Step ").boundaries(text, bytesWithBos, true));
    }

    @Test
    void aMarkerOfSeveralTokensOpensItsStepAtItsFirstToken() {
        String text = "Let me think. Step 2: multiply";
        int[] ids = bytes.encode(text);
        List<Integer> b = StepRule.parse("marker:Step 2:").boundaries(text, bytes, true);
        assertEquals(List.of(14), b);
        assertEquals("Step 2:", bytes.decode(java.util.Arrays.copyOfRange(ids, 14, 21)), "the marker's seven tokens follow the boundary");
    }

    @Test
    void aStepStartingInsideAMultiByteCharacterStartsAtItsFirstByteToken() {
        String text = "Größe: 1. Ünd 2! 日本語? 🙂 ja.\n\nÉtape 3";
        for (String rule : List.of("newline", "sentence", "regex:[ÜÉ日🙂]")) {
            List<Integer> chars = starts(rule, text);
            assertEquals(byteOffsets(text, chars, 0), StepRule.parse(rule).boundaries(text, bytes, true), rule);
            assertEquals(byteOffsets(text, chars, 1), StepRule.parse(rule).boundaries(text, bytesWithBos, true), rule + " behind a BOS");
        }
        List<Integer> emoji = starts("regex:🙂", text);
        assertEquals(1, emoji.size());
        assertEquals(List.of(text.indexOf("🙂")), emoji, "UTF-16 index of the emoji");
        // a rule's character after the emoji (two UTF-16 units, one code point, four bytes)
        List<Integer> after = StepRule.parse("regex:ja").boundaries(text, bytes, true);
        assertEquals(List.of(text.substring(0, text.indexOf("ja")).getBytes(StandardCharsets.UTF_8).length), after);
    }

    @Test
    void aWordLevelTokenizerDropsWhitespaceAndTheStepStartsAtTheNextWord() {
        String text = "<e_1> <r_2> <think>\n\n<e_3>   <e_4>";
        int[] ids = words.encode(text);
        assertEquals(5, ids.length);
        assertEquals(List.of(0, 3), StepRule.parse("newline").boundaries(text, words, true));
        assertEquals(List.of(0, 3, 4), StepRule.parse("regex:<e_\\d+>").boundaries(text, words, true));
        assertEquals(List.of(1, 3, 4), StepRule.parse("regex:\\s+<[re]").boundaries(text, words, true),
                "a match starting on dropped whitespace starts at the token after it");
    }

    @Test
    void generatedTokensAreSegmentedOnTheirDecodedText() {
        // byte-level: the decoded text is the tokens' bytes, so the positions are byte offsets again
        String text = "Zuerst: a. Dann ü! Éfin";
        int[] ids = bytes.encode(text);
        TokenSpans spans = bytes.decodeSpans(ids);
        assertEquals(text, spans.text());
        for (String rule : List.of("sentence", "regex:[üÉ]", "marker:Dann")) {
            assertEquals(byteOffsets(text, starts(rule, text), 0), StepRule.parse(rule).boundaries(spans), rule);
        }
        // word-level: the decoder joins words with spaces; each entity is one step
        int[] entities = words.encode("<e_7> <e_2> <e_12>");
        TokenSpans w = words.decodeSpans(entities);
        assertEquals("<e_7> <e_2> <e_12>", w.text());
        assertArrayEquals(new int[] {0, 5, 11}, w.start(), "a word's span takes the space before it");
        assertEquals(List.of(0, 1, 2), StepRule.parse("regex:<e_\\d+>").boundaries(w));
        assertEquals(List.of(0, 1, 2), StepRule.parse("regex:\\S+").boundaries(w));
        assertEquals(List.of(), StepRule.parse("regex:<r_\\d+>").boundaries(w), "no match: no boundary");
    }

    @Test
    void specsReadBackAndBadOnesNameTheOptionAndTheValue() {
        for (String s : List.of("newline", "sentence", "marker:Step ", "regex:(?m)^\\d+\\.")) {
            assertEquals(s, StepRule.parse(s).spec());
        }
        assertEquals(StepRule.Kind.MARKER, StepRule.parse("marker:regex:").kind(), "the first prefix decides");
        for (String[] bad : new String[][] {
            {"lines", "unknown rule"}, {"Newline", "unknown rule"}, {"marker:", "marker is empty"}, {"regex:", "pattern is empty"},
            {"regex:(unclosed", "not a valid regular expression"}, {"regex:[a-", "not a valid regular expression"},
        }) {
            InputException e = assertThrows(InputException.class, () -> StepRule.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().startsWith("--steps \"" + bad[0] + "\": ") && e.getMessage().contains(bad[1]), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertEquals(2, e.exitCode());
        }
    }
}
