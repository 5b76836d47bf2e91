package org.scalelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.model.PromptSetConverter.Format;
import org.scalelab.model.PromptSetConverter.Options;
import org.scalelab.model.PromptSetConverter.Result;

/**
 * Chain-of-thought prompt sets from rows hand-written in each layout's documented schema (GSM8K's
 * question/answer, MATH's problem/level/type, the generic text/domain/difficulty): texts, domains,
 * difficulties counted by hand, ids kept or made stable, every set read back by the prompts reader;
 * bad rows refused with their file, row, field and value.
 */
class PromptSetConverterTest {
    @TempDir Path dir;

    private Path rows(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** Writes the set and reads it back with the prompts reader capture and generate use; every field must survive. */
    private List<Prompt> writeAndRead(Result r, String name) {
        Path out = dir.resolve(name);
        PromptSetConverter.write(r, out);
        List<Prompt> back = Prompt.readJsonl(out);
        assertEquals(r.prompts().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            Prompt a = r.prompts().get(i);
            Prompt b = back.get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.text(), b.text());
            assertEquals(a.domain(), b.domain());
            assertEquals(a.labels(), b.labels());
            assertEquals(a.stepBoundaries(), b.stepBoundaries());
        }
        return back;
    }

    // The first row of GSM8K's test split (openai/gsm8k, config main), and a made-up one with a blank line and five steps.
    static final String GSM8K_JANET = "{\"question\": \"Janet\\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes"
            + " muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg."
            + " How much in dollars does she make every day at the farmers' market?\", \"answer\": \"Janet sells 16 - 3 - 4 = <<16-3-4=9>>9"
            + " duck eggs a day.\\nShe makes 9 * 2 = $<<9*2=18>>18 every day at the farmer\\u2019s market.\\n#### 18\"}";
    static final String GSM8K_FIVE = "{\"question\": \"  A train has 3 cars. \", \"answer\": \"Step a.\\nStep b.\\n\\n  Step c.\\nStep d.\\nStep e.\\n####   7 \"}";

    @Test
    void gsm8kQuestionsGetTheCueAndTheReferenceAnswersReasoningLinesAsDifficulty() throws IOException {
        Path in = rows("gsm8k_test.jsonl", GSM8K_JANET, "", GSM8K_FIVE);
        Result r = PromptSetConverter.convert(List.of(in), new Options(Format.GSM8K, null, 0));
        List<Prompt> p = writeAndRead(r, "gsm8k.jsonl");
        assertEquals(2, p.size());
        assertEquals("gsm8k_test-0", p.get(0).id(), "no id in GSM8K rows: file stem and row index");
        assertEquals("gsm8k_test-1", p.get(1).id(), "the blank line is not a row");
        assertTrue(p.get(0).text().startsWith("Question: Janet\u2019s ducks lay 16 eggs per day."), p.get(0).text());
        assertTrue(p.get(0).text().endsWith("farmers' market?\nAnswer: Let's think step by step."), p.get(0).text());
        assertEquals("Question: A train has 3 cars.\nAnswer: Let's think step by step.", p.get(1).text(), "the question is stripped");
        assertEquals(2, p.get(0).labels().get("difficulty").asInt(), "two calculation lines before ####");
        assertEquals(5, p.get(1).labels().get("difficulty").asInt(), "five non-blank lines; the blank one is no step");
        assertEquals("18", p.get(0).labels().get("answer").asText());
        assertEquals("7", p.get(1).labels().get("answer").asText());
        assertEquals("gsm8k", p.get(0).labels().get("source").asText());
        assertEquals("math", p.get(0).domain());
        assertEquals(0, r.withoutDifficulty());
        assertEquals(Map.of("math", 2), r.domains());

        // --domain replaces the default one; the same file gives the same bytes.
        Result arithmetic = PromptSetConverter.convert(List.of(in), new Options(Format.GSM8K, "arithmetic", 0));
        assertEquals("arithmetic", arithmetic.prompts().get(1).domain());
        PromptSetConverter.write(PromptSetConverter.convert(List.of(in), new Options(Format.GSM8K, null, 0)), dir.resolve("again.jsonl"));
        assertEquals(Files.readString(dir.resolve("gsm8k.jsonl")), Files.readString(dir.resolve("again.jsonl")));
    }

    @Test
    void mathLevelsBecomeDifficultiesAndTypesDomainsFromAJsonArray() throws IOException {
        // Rows in the schema of hendrycks/competition_math (problem, level, type, solution); the third as MATH-500 has it, with unique_id.
        Path in = rows("math_test.json", "[",
                "  {\"problem\": \"What is $1+1$?\", \"level\": \"Level 1\", \"type\": \"Prealgebra\", \"solution\": \"$\\\\boxed{2}$\"},",
                "  {\"problem\": \"Find $x$ if $x^2=4$, $x>0$.\", \"level\": \"Level ?\", \"type\": \"Algebra\", \"solution\": \"$x=\\\\boxed{2}$\"},",
                "  {\"problem\": \"How many subsets has a 3-set?\", \"level\": \"Level 5\", \"type\": \"Counting & Probability\",",
                "   \"solution\": \"$2^3=\\\\boxed{8}$\", \"unique_id\": \"test/counting_and_probability/17.json\"}",
                "]");
        Result r = PromptSetConverter.convert(List.of(in), new Options(Format.MATH, null, 0));
        List<Prompt> p = writeAndRead(r, "math.jsonl");
        assertEquals(List.of("math_test-0", "math_test-1", "test/counting_and_probability/17.json"), p.stream().map(Prompt::id).toList());
        assertEquals("Problem: What is $1+1$?\nSolution: Let's think step by step.", p.get(0).text());
        assertEquals(List.of("Prealgebra", "Algebra", "Counting & Probability"), p.stream().map(Prompt::domain).toList());
        assertEquals(1, p.get(0).labels().get("difficulty").asInt());
        assertFalse(p.get(1).labels().has("difficulty"), "Level ? has no difficulty: " + p.get(1).labels());
        assertEquals("Level ?", p.get(1).labels().get("level").asText());
        assertEquals(5, p.get(2).labels().get("difficulty").asInt());
        assertEquals(1, r.withoutDifficulty(), "the Level ? row is counted");
        assertEquals("Counting & Probability", p.get(2).labels().get("type").asText());
    }

    @Test
    void genericRowsKeepTheirTextIdsAndLabelsAndTheLimitCountsAcrossFiles() throws IOException {
        Path a = rows("law.jsonl",
                "{\"id\": \"law-1\", \"text\": \"Is a verbal contract binding?\\nStep 1:\", \"domain\": \"law\", \"difficulty\": 2.5}",
                "{\"id\": 7, \"text\": \"Is a tenant liable?\", \"domain\": \"law\", \"labels\": {\"difficulty\": 3, \"source\": \"mine\"},"
                        + " \"step_boundaries\": [0, 4]}");
        Path b = rows("code.jsonl",
                "{\"text\": \"Why does this loop never end?\", \"domain\": \"code\"}",
                "{\"text\": \"Not converted: past the limit\", \"domain\": \"code\"}");
        Result r = PromptSetConverter.convert(List.of(a, b), new Options(Format.GENERIC, null, 3));
        List<Prompt> p = writeAndRead(r, "generic.jsonl");
        assertEquals(List.of("law-1", "7", "code-0"), p.stream().map(Prompt::id).toList());
        assertEquals("Is a verbal contract binding?\nStep 1:", p.get(0).text(), "generic text as written, no cue");
        assertEquals(2.5, p.get(0).labels().get("difficulty").asDouble());
        assertEquals(3, p.get(1).labels().get("difficulty").asInt(), "a difficulty among the labels counts too");
        assertEquals("mine", p.get(1).labels().get("source").asText());
        assertEquals(List.of(0, 4), p.get(1).stepBoundaries());
        assertFalse(p.get(2).labels().has("difficulty"));
        assertEquals(1, r.withoutDifficulty());
        assertEquals(Map.of("law", 2, "code", 1), r.domains());

        Result one = PromptSetConverter.convert(List.of(a, b), new Options(Format.GENERIC, "everything", 0));
        assertEquals(4, one.prompts().size());
        assertTrue(one.prompts().stream().allMatch(x -> x.domain().equals("everything")), "--domain replaces each row's");
    }

    private InputException refused(Format f, Path in) {
        return assertThrows(InputException.class, () -> PromptSetConverter.convert(List.of(in), new Options(f, null, 0)));
    }

    @Test
    void badRowsAreNamedByFileRowFieldAndValue() throws IOException {
        Path noFinal = rows("g.jsonl", GSM8K_JANET, "{\"question\": \"Q?\", \"answer\": \"It is 4.\\nSo 4.\"}");
        String m = refused(Format.GSM8K, noFinal).getMessage();
        assertTrue(m.startsWith(noFinal + ":2: field \"answer\": \"It is 4.\\nSo 4.\""), m);
        assertTrue(m.contains("####"), m);

        Path noQuestion = rows("q.jsonl", "{\"answer\": \"#### 1\"}");
        assertEquals(noQuestion + ":1: field \"question\" is missing", refused(Format.GSM8K, noQuestion).getMessage());

        Path level = rows("m.json", "[{\"problem\": \"P\", \"level\": \"Level 1\", \"type\": \"Algebra\"},",
                " {\"problem\": \"P\", \"level\": \"Hard\", \"type\": \"Algebra\"}]");
        m = refused(Format.MATH, level).getMessage();
        assertTrue(m.startsWith(level + ": row 1: field \"level\": \"Hard\""), m);

        Path numberLevel = rows("n.jsonl", "{\"problem\": \"P\", \"level\": 3, \"type\": \"Algebra\"}");
        assertEquals(numberLevel + ":1: field \"level\": 3 is not a string", refused(Format.MATH, numberLevel).getMessage());

        Path noType = rows("t.jsonl", "{\"problem\": \"P\", \"level\": \"Level 2\"}");
        assertTrue(refused(Format.MATH, noType).getMessage().startsWith(noType + ":1: field \"type\" is missing"));
        assertEquals(1, PromptSetConverter.convert(List.of(noType), new Options(Format.MATH, "algebra", 0)).prompts().size(),
                "--domain stands in for a missing type");

        Path word = rows("w.jsonl", "{\"text\": \"T\", \"domain\": \"d\", \"difficulty\": \"hard\"}");
        m = refused(Format.GENERIC, word).getMessage();
        assertTrue(m.startsWith(word + ":1: field \"difficulty\": \"hard\" is not a number"), m);

        Path noDomain = rows("d.jsonl", "{\"text\": \"T\"}");
        assertTrue(refused(Format.GENERIC, noDomain).getMessage().startsWith(noDomain + ":1: field \"domain\" is missing"));

        Path twice = rows("twice.jsonl", "{\"id\": \"a\", \"text\": \"T\", \"domain\": \"d\"}", "{\"id\": \"a\", \"text\": \"U\", \"domain\": \"d\"}");
        m = refused(Format.GENERIC, twice).getMessage();
        assertTrue(m.startsWith(twice + ":2: field \"id\": \"a\" repeats " + twice + ":1"), m);

        Path notJson = rows("j.jsonl", "{\"text\": \"T\", \"domain\": \"d\"}", "{\"text\": ");
        assertTrue(refused(Format.GENERIC, notJson).getMessage().startsWith(notJson + ":2: "));

        assertTrue(assertThrows(InputException.class, () -> Format.parse("gsm9k")).getMessage().startsWith("--from: \"gsm9k\""));
        assertTrue(assertThrows(InputException.class, () -> new Options(Format.MATH, null, -1)).getMessage().startsWith("--limit -1"));
    }
}
