package org.scalelab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.PythonReference;
import org.scalelab.eval.EvalTaskConverter.Format;
import org.scalelab.io.Json;

/**
 * Converters from Hugging Face datasets rows (hand-written in each dataset's documented schema) to task
 * files with lm-evaluation-harness's prompts; HellaSwag's preprocessing against a Python version of
 * lm-eval's documented steps on tricky rows.
 */
class EvalTaskConverterTest {
    @TempDir Path dir;

    private Path rows(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** Converts, writes each task, reads it back with the strict reader, checks nothing changed; returns the converted tasks. */
    private List<EvalTask> convertAndRead(Format format, Path in, String out) {
        List<EvalTask> tasks = EvalTaskConverter.convert(format, in, dir.resolve(out));
        List<EvalTask> read = new ArrayList<>();
        for (EvalTask t : tasks) {
            t.write();
            EvalTask back = EvalTask.read(t.file());
            assertEquals(t.name(), back.name());
            assertEquals(t.examples().size(), back.examples().size());
            for (int i = 0; i < t.examples().size(); i++) {
                EvalExample a = t.examples().get(i);
                EvalExample b = back.examples().get(i);
                assertEquals(a.id(), b.id());
                assertEquals(a.context(), b.context());
                assertEquals(a.choices(), b.choices());
                assertArrayEquals(a.gold(), b.gold());
            }
            read.add(back);
        }
        return tasks;
    }

    static final String HELLASWAG_ACTIVITYNET = "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\","
            + " \"ctx_b\": \"he\", \"ctx\": \"A man is sitting on a roof. he\", \"endings\": [\"is using wrap to wrap a pair of skis.\","
            + " \"is ripping level tiles off.\", \"is holding a rubik's cube.\", \"starts pulling up roofing on a roof.\"],"
            + " \"source_id\": \"activitynet~v_-JhWjGDPHMY\", \"split\": \"val\", \"split_type\": \"indomain\", \"label\": \"3\"}";
    static final String HELLASWAG_WIKIHOW = "{\"ind\": 4, \"activity_label\": \"Health\", \"ctx_a\": \"[header] How to cope with suicidal thoughts"
            + " [title] Put off any plans.\", \"ctx_b\": \"Promise yourself That you'll wait 48 hours\", \"ctx\": \"…\", \"endings\":"
            + " [\"[substeps] Hold on  to hope.\", \" Write it down [step] then wait. \", \"Call a friend.\", \"Sleep [title] on it.\"],"
            + " \"source_id\": \"wikihow~1\", \"split\": \"val\", \"split_type\": \"zeroshot\", \"label\": \"2\"}";

    @Test
    void hellaSwagUsesLmEvalsQueryAndPreprocessing() throws IOException {
        Path in = rows("hellaswag.jsonl", HELLASWAG_ACTIVITYNET, HELLASWAG_WIKIHOW);
        List<EvalTask> tasks = convertAndRead(Format.HELLASWAG, in, "hellaswag.jsonl");
        assertEquals(1, tasks.size());
        EvalExample a = tasks.get(0).examples().get(0);
        assertEquals("24", a.id());
        assertEquals("Roof shingle removal: A man is sitting on a roof. He", a.context());
        assertEquals("starts pulling up roofing on a roof.", a.choices().get(3));
        assertArrayEquals(new int[] {3}, a.gold());
        EvalExample b = tasks.get(0).examples().get(1);
        // ctx_b.capitalize() lowers "That"; " [title]" becomes ". "; "[header]" goes; double spaces collapse. The text is
        // stripped before the brackets go, so an ending that starts with "[substeps] " keeps a leading space, as in lm-eval.
        assertEquals("Health: How to cope with suicidal thoughts. Put off any plans. Promise yourself that you'll wait 48 hours", b.context());
        assertEquals(List.of(" Hold on to hope.", "Write it down then wait.", "Call a friend.", "Sleep. on it."), b.choices());
        assertArrayEquals(new int[] {2}, b.gold());
    }

    @Test
    void hellaSwagPreprocessingEqualsPythonOnTrickyText() throws IOException {
        PythonReference.requireModules("json");
        List<String> lines = new ArrayList<>(List.of(HELLASWAG_ACTIVITYNET, HELLASWAG_WIKIHOW));
        String[][] tricky = {
            {"\u00a0 Cooking [title]", "éCLAIR making ǆungla ΣΑΣ", "[a] [b]x[c]   three   spaces", "multi\nline [with\nnewline] end", "\u2003 trailing em space \u2003"},
            {"[step] [title] A", "İstanbul TRIP", "nested [a [b] c] d", "[unclosed bracket", "tab\tinside  [x]  y"},
        };
        for (int i = 0; i < tricky.length; i++) {
            String[] t = tricky[i];
            lines.add(Json.write(java.util.Map.of("ind", 100 + i, "activity_label", t[0], "ctx_a", t[1], "ctx_b", t[1],
                    "endings", List.of(t[2], t[3], t[4], "plain"), "label", "0")));
        }
        Path in = rows("tricky.jsonl", lines.toArray(String[]::new));
        JsonNode ref = Json.mapper().readTree(PythonReference.run("scalelab-nn/src/test/python/hellaswag_preprocess.py", in.toString()));
        EvalTask task = EvalTaskConverter.convert(Format.HELLASWAG, in, dir.resolve("out.jsonl")).get(0);
        assertEquals(ref.size(), task.examples().size());
        for (int i = 0; i < ref.size(); i++) {
            EvalExample e = task.examples().get(i);
            assertEquals(ref.get(i).get("context").asText(), e.context(), "row " + i);
            for (int c = 0; c < e.choices().size(); c++) {
                assertEquals(ref.get(i).get("choices").get(c).asText(), e.choices().get(c), "row " + i + " choice " + c);
            }
        }
    }

    @Test
    void arcUsesQuestionAnswerContextAndFindsTheAnswerKeyAmongLettersOrDigits() throws IOException {
        Path in = rows("arc.jsonl",
                "{\"id\": \"Mercury_7175875\", \"question\": \"An astronomer observes that a planet rotates faster after a meteorite impact."
                        + " Which is the most likely effect of this increase in rotation?\", \"choices\": {\"text\": [\"Planetary density will decrease.\","
                        + " \"Planetary years will become longer.\", \"Planetary days will become shorter.\", \"Planetary gravity will become stronger.\"],"
                        + " \"label\": [\"A\", \"B\", \"C\", \"D\"]}, \"answerKey\": \"C\"}",
                "{\"id\": \"NYSEDREGENTS_2015_4_8\", \"question\": \"Which tool measures mass?\", \"choices\": {\"text\": [\"ruler\", \"balance\","
                        + " \"thermometer\"], \"label\": [\"1\", \"2\", \"3\"]}, \"answerKey\": \"2\"}");
        EvalTask t = convertAndRead(Format.ARC, in, "arc_easy.jsonl").get(0);
        assertEquals("arc_easy", t.name());
        EvalExample a = t.examples().get(0);
        assertEquals("Mercury_7175875", a.id());
        assertTrue(a.context().startsWith("Question: An astronomer"), a.context());
        assertTrue(a.context().endsWith("increase in rotation?\nAnswer:"), a.context());
        assertArrayEquals(new int[] {2}, a.gold());
        assertEquals(" Planetary days will become shorter.", a.continuation(2));
        assertArrayEquals(new int[] {1}, t.examples().get(1).gold());
        assertEquals(3, t.examples().get(1).choices().size());
    }

    @Test
    void piqaUsesGoalAndBothSolutions() throws IOException {
        Path in = rows("piqa.json", "[{\"goal\": \"When boiling butter, when it's ready, you can\", \"sol1\": \"Pour it onto a plate\","
                + " \"sol2\": \"Pour it into a jar\", \"label\": 1}, {\"goal\": \"To open a jar\", \"sol1\": \"twist the lid\", \"sol2\": \"cut the lid\", \"label\": 0}]");
        EvalTask t = convertAndRead(Format.PIQA, in, "piqa.jsonl").get(0);
        EvalExample a = t.examples().get(0);
        assertEquals("0", a.id());
        assertEquals("Question: When boiling butter, when it's ready, you can\nAnswer:", a.context());
        assertEquals(List.of("Pour it onto a plate", "Pour it into a jar"), a.choices());
        assertArrayEquals(new int[] {1}, a.gold());
        assertEquals("1", t.examples().get(1).id());
        assertTrue(a.where().endsWith("piqa.json: row 0"), a.where());
    }

    @Test
    void truthfulQaGivesAnMc1AndAnMc2TaskWithTheQaPrimer() throws IOException {
        Path in = rows("tqa.jsonl",
                "{\"question\": \"What is the smallest country in the world that is at least one square mile in area?\", \"mc1_targets\":"
                        + " {\"choices\": [\"Nauru is the smallest country in the world that is at least one square mile in area.\","
                        + " \"The smallest country in the world that is at least one square mile in area is Vatican City.\","
                        + " \"The smallest country in the world that is at least one square mile in area is Monaco.\"], \"labels\": [1, 0, 0]},"
                        + " \"mc2_targets\": {\"choices\": [\"Nauru is the smallest country in the world that is at least one square mile in area.\","
                        + " \"Nauru.\", \"The smallest country is Vatican City.\", \"Monaco.\"], \"labels\": [1, 1, 0, 0]}}",
                "{\"question\": \"What happens if you crack your knuckles a lot?\", \"mc1_targets\": {\"choices\": [\"You will get arthritis.\","
                        + " \"Nothing in particular happens if you crack your knuckles a lot.\"], \"labels\": [0, 1]},"
                        + " \"mc2_targets\": {\"choices\": [\"You will get arthritis.\", \"Nothing in particular happens.\", \"Nothing.\"], \"labels\": [0, 1, 1]}}");
        List<EvalTask> tasks = convertAndRead(Format.TRUTHFULQA, in, "truthfulqa.jsonl");
        assertEquals(List.of("truthfulqa_mc1", "truthfulqa_mc2"), tasks.stream().map(EvalTask::name).toList());
        assertEquals(dir.resolve("truthfulqa_mc1.jsonl"), tasks.get(0).file());
        EvalExample mc1 = tasks.get(0).examples().get(0);
        assertTrue(mc1.context().startsWith("Q: What is human life expectancy in the United States?\nA: Human life expectancy"), mc1.context());
        assertTrue(mc1.context().endsWith("Barcelona, Spain.\n\nQ: What is the smallest country in the world that is at least one square mile in area?\nA:"),
                mc1.context());
        assertEquals(6, mc1.context().split("\n\n").length - 1, "six primer pairs before the question");
        assertArrayEquals(new int[] {0}, mc1.gold());
        assertArrayEquals(new int[] {1}, tasks.get(0).examples().get(1).gold());
        assertArrayEquals(new int[] {0, 1}, tasks.get(1).examples().get(0).gold());
        assertArrayEquals(new int[] {1, 2}, tasks.get(1).examples().get(1).gold());
        assertEquals(mc1.context(), tasks.get(1).examples().get(0).context());
    }

    @Test
    void badRowsNameTheFileLineFieldAndValue() throws IOException {
        Path unlabelled = rows("h.jsonl", HELLASWAG_ACTIVITYNET.replace("\"label\": \"3\"", "\"label\": \"\""));
        String m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.HELLASWAG, unlabelled, dir.resolve("o.jsonl"))).getMessage();
        assertTrue(m.startsWith(unlabelled + ":1: field \"label\""), m);
        assertTrue(m.contains("no gold answer"), m);

        Path key = rows("a.jsonl", "{\"id\": \"q\", \"question\": \"?\", \"choices\": {\"text\": [\"x\", \"y\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"E\"}");
        m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.ARC, key, dir.resolve("o.jsonl"))).getMessage();
        assertTrue(m.startsWith(key + ":1: field \"answerKey\": \"E\" is not one of the choice labels"), m);

        Path two = rows("t.jsonl", "{\"question\": \"q\", \"mc1_targets\": {\"choices\": [\"a\", \"b\"], \"labels\": [1, 1]},"
                + " \"mc2_targets\": {\"choices\": [\"a\", \"b\"], \"labels\": [1, 0]}}");
        m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.TRUTHFULQA, two, dir.resolve("o.jsonl"))).getMessage();
        assertTrue(m.contains(":1: field \"mc1_targets.labels\": [1,1] marks 2 true answers; MC1 has exactly one"), m);

        Path missing = rows("p.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"label\": 0}");
        m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, missing, dir.resolve("o.jsonl"))).getMessage();
        assertEquals(missing + ":1: field \"sol2\" is missing", m);

        Path test = rows("p2.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": -1}");
        assertTrue(assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, test, dir.resolve("o.jsonl"))).getMessage()
                .contains("test splits are unlabelled"));

        Path json = rows("bad.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}", "{\"goal\": ");
        m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, json, dir.resolve("o.jsonl"))).getMessage();
        assertTrue(m.startsWith(json + ":2: ") && m.contains("not valid JSON"), m);

        Path trailing = rows("tr.json", "[{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}] [{}]");
        assertTrue(assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, trailing, dir.resolve("o.jsonl"))).getMessage()
                .contains("not valid JSON"));

        Path latin1 = dir.resolve("latin1.jsonl");
        Files.write(latin1, "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}\n{\"goal\": \"caf\u00e9\"}\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + ":2: not UTF-8 text (the dataset rows must be UTF-8)",
                assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, latin1, dir.resolve("o.jsonl"))).getMessage());

        Path empty = rows("e.jsonl", "");
        assertTrue(assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.PIQA, empty, dir.resolve("o.jsonl"))).getMessage()
                .contains("no rows"));
        assertTrue(assertThrows(InputException.class, () -> Format.parse("mmlu")).getMessage().contains("truthfulqa, hellaswag, arc, piqa"));
    }

    @Test
    void repeatedRowIdsAreRefused() throws IOException {
        String row = "{\"id\": \"q\", \"question\": \"?\", \"choices\": {\"text\": [\"x\", \"y\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}";
        Path in = rows("a.jsonl", row, row);
        String m = assertThrows(InputException.class, () -> EvalTaskConverter.convert(Format.ARC, in, dir.resolve("o.jsonl"))).getMessage();
        assertTrue(m.startsWith(in + ":2: id \"q\" repeats " + in + ":1"), m);
    }
}
