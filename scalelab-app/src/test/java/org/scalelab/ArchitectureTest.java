package org.scalelab;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scalelab.io.fixture.ReaderThatQueriesTheLab;
import org.scalelab.laws.fixture.AnalysisThatReachesOut;
import org.scalelab.report.fixture.RendererThatParsesArguments;
import org.scalelab.world.fixture.WorldThatDrawsItsOwnReport;

/**
 * The package edges of the three modules, checked on the compiled classes of all of them (the app
 * module's tests see core, nn and app):
 * <pre>
 *   app  (cli, report, web)          → nn, core
 *   nn   (model, train, world, eval, interp) → core
 *   core (io, stats, store, laws, geometry, dynamics, curves, phase, and org.scalelab itself)
 * </pre>
 * The store reads files through {@code io}, never the other way round. Analyses read their input as
 * values, never from the store; only the command line and the web dashboard speak picocli or Javalin,
 * so the renderers in {@code report} serve both.
 *
 * <p>Each rule is also run against fixture classes in the test tree that break it, so a rule that
 * silently stopped matching anything would fail here too.
 */
class ArchitectureTest {
    static final String[] CORE = {"org.scalelab", "org.scalelab.io..", "org.scalelab.stats..", "org.scalelab.store..",
        "org.scalelab.laws..", "org.scalelab.geometry..", "org.scalelab.dynamics..", "org.scalelab.curves..", "org.scalelab.phase.."};
    static final String[] NN = {"org.scalelab.model..", "org.scalelab.train..", "org.scalelab.world..", "org.scalelab.eval..", "org.scalelab.interp.."};
    static final String[] APP = {"org.scalelab.cli..", "org.scalelab.report..", "org.scalelab.web.."};
    static final String[] ANALYSES = {"org.scalelab.laws..", "org.scalelab.geometry..", "org.scalelab.dynamics..", "org.scalelab.curves..",
        "org.scalelab.phase..", "org.scalelab.stats.."};

    static final ArchRule CORE_KNOWS_NEITHER_NN_NOR_APP = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(concat(NN, APP))
            .because("core is the analyses and formats every face shares; it knows no model runtime and no face");

    static final ArchRule CORE_NEEDS_NO_TENSOR_ENGINE = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
            .because("core runs without the tensor engine (DJL + libtorch)");

    static final ArchRule NN_KNOWS_NO_APP = noClasses().that().resideInAnyPackage(NN)
            .should().dependOnClassesThat().resideInAnyPackage(APP)
            .because("the model runtime, training and the world serve the command line and the dashboard alike");

    static final ArchRule NO_CYCLES = slices().matching("org.scalelab.(*)..").should().beFreeOfCycles()
            .because("arrows between packages point one way");

    static final ArchRule ANALYSES_DO_NOT_READ_THE_STORE = noClasses().that().resideInAnyPackage(ANALYSES)
            .should().dependOnClassesThat().resideInAPackage("org.scalelab.store..")
            .because("an analysis takes its input as values; the command or handler loads it and stores the result");

    static final ArchRule FORMATS_DO_NOT_READ_THE_STORE = noClasses().that().resideInAPackage("org.scalelab.io..")
            .should().dependOnClassesThat().resideInAPackage("org.scalelab.store..")
            .because("the store reads files through io; a file reader never reaches into the lab");

    static final ArchRule ONLY_FACES_SPEAK_PICOCLI_OR_JAVALIN = noClasses()
            .that().resideInAPackage("org.scalelab..").and().resideOutsideOfPackages("org.scalelab.cli..", "org.scalelab.web..")
            .should().dependOnClassesThat().resideInAnyPackage("picocli..", "io.javalin..")
            .because("only the command line and the web dashboard parse requests; everything else is called by both");

    static final ArchRule REPORT_SPEAKS_NO_PICOCLI = noClasses().that().resideInAPackage("org.scalelab.report..")
            .should().dependOnClassesThat().resideInAnyPackage("picocli..")
            .because("the dashboard calls the same renderers without a command line");

    static final List<ArchRule> RULES = List.of(CORE_KNOWS_NEITHER_NN_NOR_APP, CORE_NEEDS_NO_TENSOR_ENGINE, NN_KNOWS_NO_APP,
            NO_CYCLES, ANALYSES_DO_NOT_READ_THE_STORE, FORMATS_DO_NOT_READ_THE_STORE, ONLY_FACES_SPEAK_PICOCLI_OR_JAVALIN,
            REPORT_SPEAKS_NO_PICOCLI);

    /** The main classes of core, nn and app. */
    static JavaClasses main;
    /** The same with the fixture classes of the test tree (packages {@code org.scalelab.*.fixture}), which break every rule. */
    static JavaClasses withFixtures;

    @BeforeAll
    static void importClasses() {
        // Main classes, and of the test tree only the fixtures; classes outside org.scalelab stay unresolved stubs
        // (archunit.properties), which is all a package rule needs.
        ImportOption mainAndFixtures = location -> !location.contains("/test-classes/") || location.contains("/fixture/");
        withFixtures = new ClassFileImporter().withImportOption(mainAndFixtures).importPackages("org.scalelab");
        main = withFixtures.that(resideInAPackage("..fixture..").negate());
        for (String p : new String[] {"org.scalelab.laws", "org.scalelab.dynamics", "org.scalelab.model", "org.scalelab.world",
            "org.scalelab.cli", "org.scalelab.report"}) {
            assertTrue(main.containPackage(p), "the classes of all three modules are imported: " + p + " is missing");
        }
        assertFalse(main.contain(AnalysisThatReachesOut.class));
        assertTrue(withFixtures.contain(AnalysisThatReachesOut.class) && withFixtures.contain(WorldThatDrawsItsOwnReport.class)
                && withFixtures.contain(RendererThatParsesArguments.class) && withFixtures.contain(ReaderThatQueriesTheLab.class));
    }

    @Test
    void coreImportsNeitherNnNorAppNorTheTensorEngine() {
        CORE_KNOWS_NEITHER_NN_NOR_APP.check(main);
        CORE_NEEDS_NO_TENSOR_ENGINE.check(main);
    }

    @Test
    void nnImportsNoAppPackage() {
        NN_KNOWS_NO_APP.check(main);
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        NO_CYCLES.check(main);
    }

    @Test
    void analysesDoNotImportTheStore() {
        ANALYSES_DO_NOT_READ_THE_STORE.check(main);
    }

    @Test
    void fileFormatsDoNotImportTheStore() {
        FORMATS_DO_NOT_READ_THE_STORE.check(main);
    }

    @Test
    void onlyTheCommandLineAndTheWebImportPicocliOrJavalin() {
        ONLY_FACES_SPEAK_PICOCLI_OR_JAVALIN.check(main);
        REPORT_SPEAKS_NO_PICOCLI.check(main);
    }

    @Test
    void everyRuleReportsTheFixturesThatBreakIt() {
        // An analysis that imports the store, picocli, a command and DJL; a world class that draws with the report
        // package; a renderer that parses arguments; a file reader that queries the lab store. Next to the real classes their edges also close a cycle
        // (laws → cli → laws), so each rule, the cycle rule included, must name a fixture.
        for (ArchRule rule : RULES) {
            EvaluationResult r = rule.evaluate(withFixtures);
            assertTrue(r.hasViolation(), "the rule should report the fixtures: " + rule.getDescription());
            String report = String.join("\n", r.getFailureReport().getDetails());
            assertTrue(report.contains(".fixture."), rule.getDescription() + " reports:\n" + report);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
