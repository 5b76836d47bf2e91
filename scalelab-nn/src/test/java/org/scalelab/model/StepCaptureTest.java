package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.Json;

/**
 * Capture and generation with a step rule: the boundaries each trajectory records, the rule in the
 * manifest, and what a text without a step keeps. The tiny model's tokenizer is byte-level, one token
 * per UTF-8 byte, so the expected positions are byte offsets counted from the texts by hand.
 */
class StepCaptureTest {
    private static final String HOOK = "blocks.1.hook_resid_post";
    @TempDir Path dir;

    private static Prompt prompt(String id, String text, List<Integer> steps) {
        return new Prompt(id, text, "cot", JsonNodeFactory.instance.objectNode(), steps);
    }

    /** A random GPT-2 of a 260-id vocabulary whose tokenizer prepends a BOS (id 257) when asked for special tokens. */
    private Path modelWithBos() throws IOException {
        Path m = dir.resolve("model");
        ModelInit.write(m, ModelConfig.gpt2(260, 32, 2, 4, 64), 3, ModelInit.Scheme.ALL_RANDOM);
        ModelTokenizerTest.writeByteLevelWithBos(m);
        return m;
    }

    private static Capture.Options options(boolean specialTokens, StepRule rule) {
        return new Capture.Options(List.of(HOOK), Positions.ALL, 1 << 20, 2, List.of(), specialTokens, rule);
    }

    @Test
    void captureRecordsTheRulesBoundariesCountingTheBosAndKeepsTheFilesWhereItFindsNone() throws IOException {
        Path m = modelWithBos();
        // "Plan. " is 6 bytes, "Step 1: add.\n" 13 more; "Größe " is 8 bytes (ö and ß take two each)
        List<Prompt> prompts = List.of(prompt("a", "Plan. Step 1: add.\nStep 2: carry.", List.of(3)),
                prompt("b", "no steps in here", List.of(1, 4)),
                prompt("c", "Größe Step 9", List.of()));
        StepRule rule = StepRule.parse("marker:Step ");
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            Path withBos = dir.resolve("bos");
            Capture.Summary s = Capture.run(t, tok, prompts, withBos, options(true, rule));
            assertEquals(1, s.unsegmented(), "one text without a marker");
            Path without = dir.resolve("plain");
            Capture.run(t, tok, prompts, without, options(false, rule));
            try (ActivationSet bos = ActivationSet.open(withBos); ActivationSet plain = ActivationSet.open(without)) {
                assertEquals("marker:Step ", bos.stepRule());
                assertEquals(List.of(1 + 6, 1 + 19), bos.trajectory("a").stepBoundaries(), "behind the BOS at position 0");
                assertEquals(List.of(6, 19), plain.trajectory("a").stepBoundaries());
                assertEquals(List.of(1, 4), bos.trajectory("b").stepBoundaries(), "no marker: the file's boundaries stay");
                assertEquals(List.of(1 + 8), bos.trajectory("c").stepBoundaries(), "positions count bytes, not characters");
                assertEquals(List.of(8), plain.trajectory("c").stepBoundaries());
                assertEquals(tok.encode("Plan. Step 1: add.\nStep 2: carry.", true).length, bos.trajectory("a").tokenCount());
            }
            InputException e = assertThrows(InputException.class, () -> Capture.run(t, tok, prompts, withBos, options(true, StepRule.parse("newline"))));
            assertTrue(e.getMessage().contains("step rule marker:Step  vs newline"), e.getMessage());
        }
        assertEquals(java.util.Optional.of("warning: --steps marker:Step  found no step in 1 of the 3 texts captured now (" + dir
                + "); their trajectories keep their own"), new Capture.Summary(dir, 3, 0, 10, 1, List.of(HOOK), 1).unsegmentedWarning(rule, "their own"));
        assertTrue(new Capture.Summary(dir, 3, 0, 10, 1, List.of(HOOK), 0).unsegmentedWarning(rule, "x").isEmpty());
    }

    @Test
    void aSetCapturedWithoutARuleRecordsNoneAndReadsBackAsBefore() throws IOException {
        Path m = modelWithBos();
        Path out = dir.resolve("acts");
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            Capture.run(t, tok, List.of(prompt("a", "Plan. Step 1", List.of(2))), out, options(true, null));
        }
        assertFalse(Files.readString(out.resolve(ActivationManifest.FILE)).contains("step_rule"), "an absent rule is not written");
        try (ActivationSet set = ActivationSet.open(out)) {
            assertNull(set.stepRule());
            assertEquals(List.of(2), set.trajectory("a").stepBoundaries());
        }
        // a manifest with a rule that is not text is refused naming the field
        String json = Files.readString(out.resolve(ActivationManifest.FILE)).replaceFirst("\\{", "{\"step_rule\": 7,");
        Files.writeString(out.resolve(ActivationManifest.FILE), json);
        InputException e = assertThrows(InputException.class, () -> ActivationSet.open(out));
        assertTrue(e.getMessage().contains("field \"step_rule\" is 7"), e.getMessage());
        Files.writeString(out.resolve(ActivationManifest.FILE), json.replace("\"step_rule\": 7,", "\"step_rule\": \"newline\","));
        try (ActivationSet set = ActivationSet.open(out)) {
            assertEquals("newline", set.stepRule());
        }
        assertTrue(Json.mapper().readTree(Files.readString(out.resolve(ActivationManifest.FILE))).has("step_rule"));
    }

    @Test
    void generationCutsOnlyTheContinuationAndNeverAtItsUnfedLastToken() throws IOException {
        Path m = modelWithBos();
        try (Transformer t = Transformer.load(m); ModelTokenizer tok = ModelTokenizer.load(m)) {
            int[] promptTokens = tok.encode("Step 1: go.\nStep 2", true);
            List<GenerationCapture.Completion> done = new ArrayList<>();
            // any byte starts a step: every fed generated position but the unfed last one
            GenerationCapture.Options o = new GenerationCapture.Options(List.of(HOOK), 5, Sampler.GREEDY, 0, new int[0], 1 << 20, List.of(), true,
                    StepRule.parse("regex:(?s)."));
            Capture.Summary s = GenerationCapture.run(t, tok, List.of(prompt("g", "Step 1: go.\nStep 2", List.of(1, 13))), dir.resolve("gen"), o,
                    done::add);
            assertEquals(0, s.unsegmented());
            int p = promptTokens.length;
            int[] generated = done.get(0).generated();
            assertEquals(5, generated.length);
            System.out.println("greedy continuation: " + java.util.Arrays.toString(generated));
            assertTrue(java.util.Arrays.stream(generated).allMatch(id -> id >= 32 && id < 127),
                    "precondition: this seed's greedy continuation is printable ASCII, one character per token");
            List<Integer> expected = List.of(1, 13, p, p + 1, p + 2, p + 3);
            try (ActivationSet set = ActivationSet.open(dir.resolve("gen"))) {
                assertEquals(expected, set.trajectory("g").stepBoundaries(),
                        "the prompt's own boundaries (the rule does not touch the prompt), then each fed generated token");
                assertEquals("regex:(?s).", set.stepRule());
                assertEquals(set.trajectory("g").rows(), p + 4, "the last boundary has a row");
            }
            assertEquals(expected, done.get(0).stepBoundaries());
            // a rule that finds nothing: the prompt's boundaries and where generation starts, counted as unsegmented
            Capture.Summary none = GenerationCapture.run(t, tok, List.of(prompt("g", "Step 1: go.\nStep 2", List.of(1, 13))), dir.resolve("none"),
                    o.withSteps(StepRule.parse("marker:\u0000never")), x -> { });
            assertEquals(1, none.unsegmented());
            try (ActivationSet set = ActivationSet.open(dir.resolve("none"))) {
                assertEquals(List.of(1, 13, p), set.trajectory("g").stepBoundaries());
            }
        }
    }

    @Test
    void aFinalStopTokenIsNotTextAndTheLastGeneratedTokenStartsNoStep() throws IOException {
        Path m = modelWithBos();
        try (ModelTokenizer tok = ModelTokenizer.load(m)) {
            int[] generated = tok.encode("a. b. c");
            StepRule sentence = StepRule.parse("sentence");
            assertEquals(List.of(0, 3), GenerationCapture.steps(tok, generated, new int[0], sentence), "'c' is the unfed last token");
            int[] stopped = java.util.Arrays.copyOf(tok.encode("a. b. c"), 8);
            stopped[7] = 256; // <|endoftext|>, a stop token
            assertEquals(List.of(0, 3, 6), GenerationCapture.steps(tok, stopped, new int[] {256}, sentence), "'c' is fed; the stop token is not text");
            assertEquals(List.of(6), GenerationCapture.steps(tok, stopped, new int[] {256}, StepRule.parse("regex:c$")),
                    "the text ends before the stop token");
            assertEquals(List.of(), GenerationCapture.steps(tok, stopped, new int[0], StepRule.parse("regex:c$")),
                    "a last token that is not a stop token is text (\"c<|endoftext|>\")");
        }
    }
}
