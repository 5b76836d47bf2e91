package org.scalelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scalelab.InputException;

/** lm-evaluation-harness result files of both layouts, written by hand from the harness's documented output. */
class LmEvalResultsTest {
    static final Path FIXTURES = Path.of("src", "test", "resources", "lmeval");

    @TempDir
    Path dir;

    private static LmEvalResults.Read read(String fixture, LmEvalResults.Options o) {
        return LmEvalResults.read(FIXTURES.resolve(fixture), o);
    }

    @Test
    void version03FileGivesOneRunWithMetricsStderrSizeFromNameAndStepFromRevision() {
        LmEvalResults.Read r = read("v03-pythia-1.4b-step143000.json", LmEvalResults.Options.defaults());
        assertEquals("v0.3", r.layout());
        RunRecord run = r.run();
        assertEquals("EleutherAI/pythia-1.4b", run.model());
        assertEquals("pythia", run.family());
        assertEquals(1.4e9, run.params());
        assertEquals(143000L, run.step());
        assertNull(run.tokens(), "no tokens stated: none invented");
        assertEquals(List.of("arc_easy/acc", "arc_easy/acc_norm", "lambada_openai/ppl", "lambada_openai/acc",
                "hendrycksTest-abstract_algebra/acc", "hendrycksTest-abstract_algebra/acc_norm"), List.copyOf(run.metrics().keySet()));
        assertEquals(0.6170033670033671, run.metrics().get("arc_easy/acc"));
        assertEquals(0.009975226396418218, run.stderr().get("arc_easy/acc"));
        assertEquals(0.1712, run.stderr().get("lambada_openai/ppl"));
        assertEquals(6, run.stderr().size());
        assertEquals(Map.of("model", "config.model_args pretrained=", "step", "revision 'step143000'", "params", "name '1.4b'"), r.from());
        assertEquals(64, r.source().sha256().length());
        assertTrue(Path.of(r.source().source()).isAbsolute());
        assertTrue(r.source().optionsJson().contains("\"layout\":\"v0.3\""), r.source().optionsJson());
    }

    @Test
    void tokensPerStepAndFlagsOverrideWhatTheFileStates() {
        // Pythia trains on 1024 sequences of 2048 tokens per step (Biderman et al. 2023).
        LmEvalResults.Read r = read("v03-pythia-1.4b-step143000.json",
                new LmEvalResults.Options(null, null, 2097152.0, null, null, null, null));
        assertEquals(143000.0 * 2097152, r.run().tokens());
        assertEquals("step × --tokens-per-step", r.from().get("tokens"));
        LmEvalResults.Read flags = read("v03-pythia-1.4b-step143000.json",
                new LmEvalResults.Options(1.414e9, 3e11, 2097152.0, 7L, "mine", "fam", null));
        assertEquals(1.414e9, flags.run().params());
        assertEquals(3e11, flags.run().tokens());
        assertEquals(7L, flags.run().step());
        assertEquals("mine", flags.run().model());
        assertEquals("fam", flags.run().family());
    }

    @Test
    void version04FileDropsFilterNoneKeepsOtherFiltersGroupsAndNotApplicableStderr() {
        LmEvalResults.Read r = read("v04-pythia-160m.json", LmEvalResults.Options.defaults());
        assertEquals("v0.4", r.layout());
        RunRecord run = r.run();
        assertEquals("EleutherAI/pythia-160m", run.model());
        assertEquals(162322944.0, run.params(), "the harness's own count beats the name's 160m");
        assertEquals("config.model_num_parameters", r.from().get("params"));
        assertEquals(100000L, run.step());
        assertEquals(List.of("arc_easy/acc", "arc_easy/acc_norm", "gsm8k/exact_match,strict-match", "gsm8k/exact_match,flexible-extract",
                "mmlu/acc", "mmlu_humanities/acc", "mmlu_formal_logic/acc"), List.copyOf(run.metrics().keySet()));
        assertEquals(0.0038289829787357, run.stderr().get("gsm8k/exact_match,strict-match"));
        assertNull(run.stderr().get("gsm8k/exact_match,flexible-extract"), "\"N/A\" is an unknown stderr");
        assertEquals(0.2295, run.metrics().get("mmlu/acc"));
        assertEquals(0.0035, run.stderr().get("mmlu/acc"));
        assertEquals(6, run.stderr().size());
    }

    @Test
    void modelArgsAsObjectAndNaNStderrAreRead() {
        LmEvalResults.Read r = read("v04-llama-2-7b-args-object.json", LmEvalResults.Options.defaults());
        RunRecord run = r.run();
        assertEquals("meta-llama/Llama-2-7b-hf", run.model());
        assertEquals(7e9, run.params());
        assertEquals("Llama-2", run.family());
        assertNull(run.step());
        assertEquals(0.5714, run.metrics().get("hellaswag/acc"));
        assertNull(run.stderr().get("hellaswag/acc"), "NaN (Python's json) is an unknown stderr");
        assertEquals(0.0043, run.stderr().get("hellaswag/acc_norm"));
        assertEquals(8.7, run.metrics().get("wikitext/word_perplexity"));
    }

    @Test
    void aNameWithoutSizeNeedsParamsOrASizesTable() throws IOException {
        InputException e = assertThrows(InputException.class, () -> read("v03-gpt2-xl-no-size.json", LmEvalResults.Options.defaults()));
        assertEquals(FIXTURES.resolve("v03-gpt2-xl-no-size.json") + ": model 'gpt2-xl': no parameter count (its name states no size); "
                + "give --params N, or --sizes FILE with lines model,params[,tokens]", e.getMessage());
        Path sizes = dir.resolve("sizes.csv");
        Files.writeString(sizes, "model,params,tokens,family\nopenai-community/gpt2-xl,1.5e9,,gpt2\nEleutherAI/pythia-70m,70426624,3e11,\n");
        ModelSizes table = ModelSizes.read(sizes);
        LmEvalResults.Read r = read("v03-gpt2-xl-no-size.json", new LmEvalResults.Options(null, null, null, null, null, null, table));
        assertEquals(1.5e9, r.run().params());
        assertEquals("gpt2", r.run().family());
        assertNull(r.run().tokens());
        assertEquals("--sizes line 2", r.from().get("params"));
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "model,params\nEleutherAI/pythia-70m,70426624\n");
        InputException notListed = assertThrows(InputException.class, () -> read("v03-gpt2-xl-no-size.json",
                new LmEvalResults.Options(null, null, null, null, null, null, ModelSizes.read(other))));
        assertTrue(notListed.getMessage().contains("no parameter count (its name states no size, it is not in --sizes " + other + ")"),
                notListed.getMessage());
        assertEquals(7.7e8, read("v03-gpt2-xl-no-size.json", new LmEvalResults.Options(7.7e8, null, null, null, null, null, null)).run().params());
    }

    @Test
    void sizesTableErrorsNameFileLineAndColumn() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "model,params\na,1e9\nb,lots\n");
        assertEquals("--sizes " + bad + ": line 3: column 'params' = 'lots' is not a number",
                assertThrows(InputException.class, () -> ModelSizes.read(bad)).getMessage());
        Files.writeString(bad, "name,size\na,1\n");
        assertTrue(assertThrows(InputException.class, () -> ModelSizes.read(bad)).getMessage().contains("needs columns 'model' and 'params'"));
        Files.writeString(bad, "model,params\na,1e9\na,2e9\n");
        assertTrue(assertThrows(InputException.class, () -> ModelSizes.read(bad)).getMessage().contains("line 3: model 'a' is listed twice (also line 2)"));
        Files.writeString(bad, "model,params\na,-1\n");
        assertTrue(assertThrows(InputException.class, () -> ModelSizes.read(bad)).getMessage().contains("line 2: column 'params' = -1 must be"));
    }

    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of("EleutherAI/pythia-1.4b", 1.4e9, "pythia"),
                Arguments.of("EleutherAI/pythia-70m-deduped", 7e7, "pythia"),
                Arguments.of("meta-llama/Llama-2-7b-hf", 7e9, "Llama-2"),
                Arguments.of("70m", 7e7, null),
                Arguments.of("1.3B", 1.3e9, null),
                Arguments.of("7B", 7e9, null),
                Arguments.of("EleutherAI/gpt-neo-125M", 1.25e8, "gpt-neo"),
                Arguments.of("facebook/opt-350m", 3.5e8, "opt"),
                Arguments.of("bigscience/bloom-7b1", 7.1e9, "bloom"),
                Arguments.of("bigscience/bloom-560m", 5.6e8, "bloom"),
                Arguments.of("mistralai/Mistral-7B-v0.1", 7e9, "Mistral"),
                Arguments.of("Qwen/Qwen2.5-0.5B-Instruct", 5e8, "Qwen2.5"),
                Arguments.of("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", 1.1e9, "TinyLlama"),
                Arguments.of("/checkpoints/my-run-350M/", 3.5e8, "my-run"),
                Arguments.of("gpt2-xl", null, null),
                Arguments.of("gpt2", null, null),
                Arguments.of("microsoft/Phi-3-mini-4k-instruct", null, null),
                Arguments.of("mistralai/Mixtral-8x7B-v0.1", null, null),
                Arguments.of("student-7b-distilled-from-70b", null, null),
                Arguments.of("hf", null, null));
    }

    @ParameterizedTest
    @MethodSource("names")
    void sizesAreReadFromModelNames(String name, Double params, String family) {
        ModelName.Size s = ModelName.size(name);
        assertEquals(params, s.params(), name);
        assertEquals(family, s.family(), name);
    }

    @Test
    void stepsAndTokensAreReadFromRevisionsAndNames() {
        assertEquals(143000L, ModelName.step("step143000"));
        assertEquals(1431000L, ModelName.step("TinyLlama-1.1B-intermediate-step-1431k-3T"));
        assertEquals(20000L, ModelName.step("step20000-tokens84B"));
        assertEquals(8.4e10, ModelName.tokens("step20000-tokens84B"));
        assertNull(ModelName.step("main"));
        assertNull(ModelName.step("steps"));
        assertNull(ModelName.tokens("step1000"));
        assertNull(ModelName.step(null));
        assertTrue(ModelName.size("student-7b-distilled-from-70b").ambiguous());
    }

    /** One malformed file: its content and the one line it must get. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("bad JSON", "{\"results\": {\"arc_easy\": {\"acc\": 0.5,}}}", "not valid JSON: line 1, column"),
                Arguments.of("truncated", "{\"results\": {\"arc_easy\": {\"acc\": 0.5", "not valid JSON: line 1"),
                Arguments.of("two documents", "{\"results\": {}} {\"results\": {}}", "not valid JSON"),
                Arguments.of("empty file", "", "the file holds nothing, not an lm-evaluation-harness result object"),
                Arguments.of("an array", "[1, 2]", "the file holds an array, not an lm-evaluation-harness result object"),
                Arguments.of("missing results", "{\"config\": {\"model_args\": \"pretrained=pythia-70m\"}}", "no \"results\" field"),
                Arguments.of("results not an object", "{\"results\": [0.5]}", "\"results\" is an array, expected an object"),
                Arguments.of("task not an object", "{\"results\": {\"arc_easy\": 0.5}, \"config\": {\"model_args\": \"pretrained=pythia-70m\"}}",
                        "results[\"arc_easy\"] is the number 0.5, expected an object"),
                Arguments.of("non-numeric metric", "{\"results\": {\"arc_easy\": {\"acc,none\": \"high\"}}, \"model_name\": \"pythia-70m\"}",
                        "results[\"arc_easy\"][\"acc,none\"] is the string \"high\", not a number"),
                Arguments.of("NaN metric", "{\"results\": {\"arc_easy\": {\"acc\": NaN}}, \"config\": {\"model_args\": \"pretrained=pythia-70m\"}}",
                        "results[\"arc_easy\"][\"acc\"] is NaN, not a finite number"),
                Arguments.of("bad stderr", "{\"results\": {\"arc_easy\": {\"acc\": 0.5, \"acc_stderr\": \"small\"}}, \"model_name\": \"pythia-70m\"}",
                        "results[\"arc_easy\"][\"acc_stderr\"] is the string \"small\", not a standard error"),
                Arguments.of("negative stderr", "{\"results\": {\"arc_easy\": {\"acc\": 0.5, \"acc_stderr\": -0.1}}, \"model_name\": \"pythia-70m\"}",
                        "results[\"arc_easy\"][\"acc_stderr\"] is -0.1, not a standard error"),
                Arguments.of("no metrics", "{\"results\": {\"mmlu\": {\"alias\": \"mmlu\"}}, \"model_name\": \"pythia-70m\"}",
                        "\"results\" holds no metric values (tasks mmlu have none)"),
                Arguments.of("unknown size", "{\"results\": {\"arc_easy\": {\"acc\": 0.5}}, \"config\": {\"model_args\": \"pretrained=gpt2-xl\"}}",
                        "model 'gpt2-xl': no parameter count (its name states no size)"),
                Arguments.of("no model", "{\"results\": {\"arc_easy\": {\"acc\": 0.5}}}", "no model name"),
                Arguments.of("bad model_args", "{\"results\": {\"arc_easy\": {\"acc\": 0.5}}, \"config\": {\"model_args\": 7}}",
                        "config.model_args is the number 7, expected text"),
                Arguments.of("bad config", "{\"results\": {\"arc_easy\": {\"acc\": 0.5}}, \"config\": \"x\"}", "\"config\" is the string \"x\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesGetOneLineNamingFileAndField(String what, String content, String expected) throws IOException {
        Path f = dir.resolve("results.json");
        Files.writeString(f, content);
        InputException e = assertThrows(InputException.class, () -> LmEvalResults.read(f, LmEvalResults.Options.defaults()));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void importedRunsKeepStderrInTheStoreAndTheSameFileIsNotImportedTwice() {
        LmEvalResults.Read a = read("v03-pythia-1.4b-step143000.json", LmEvalResults.Options.defaults());
        LmEvalResults.Read b = read("v04-pythia-160m.json", LmEvalResults.Options.defaults());
        try (LabStore store = LabStore.open(dir.resolve("lab"))) {
            List<ImportSummary> s = store.importRecords(List.of(a.source(), b.source()));
            assertEquals(2, s.size());
            List<Object> row = store.sql("SELECT params, step, \"arc_easy/acc\", \"arc_easy/acc_stderr\", \"gsm8k/exact_match,flexible-extract\", "
                    + "\"gsm8k/exact_match,strict-match_stderr\" FROM points WHERE model = 'EleutherAI/pythia-160m'").rows().get(0);
            assertEquals(List.of(162322944.0, 100000L, 0.4372895622895623, 0.010178768429321, 0.0227445034116755, 0.0038289829787357), row);
            assertEquals(0L, ((Number) store.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'points' "
                    + "AND column_name = 'gsm8k/exact_match,flexible-extract_stderr'").rows().get(0).get(0)).longValue(),
                    "a metric whose stderr is never known gets no stderr column");
            assertNull(store.sql("SELECT stderr FROM metrics WHERE name = 'gsm8k/exact_match,flexible-extract'").rows().get(0).get(0));
            InputException again = assertThrows(InputException.class, () -> store.importRecords(List.of(
                    read("v04-llama-2-7b-args-object.json", LmEvalResults.Options.defaults()).source(),
                    read("v04-pythia-160m.json", LmEvalResults.Options.defaults()).source())));
            assertTrue(again.getMessage().contains("v04-pythia-160m.json: this file (sha256"), again.getMessage());
            assertEquals(2, store.runCount(), "the new file of the refused command was not imported either");
        }
    }
}
