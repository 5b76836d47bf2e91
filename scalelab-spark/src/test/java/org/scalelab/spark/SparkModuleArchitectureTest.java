package org.scalelab.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Spark module's edges: spark → nn → core. Nothing in core or nn knows Spark (the single-machine
 * engine runs without it), and the Spark jobs know no command line, renderer or dashboard. The other
 * modules' edges are checked in the app module, which does not see this one.
 */
class SparkModuleArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.scalelab");

    @Test
    void coreAndNnKnowNoSpark() {
        noClasses().that().resideOutsideOfPackage("org.scalelab.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.scalelab.spark..")
                .because("the single-machine engine runs without Spark").check(CLASSES);
    }

    @Test
    void sparkJobsKnowNoFace() {
        noClasses().that().resideInAPackage("org.scalelab.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("org.scalelab.cli..", "org.scalelab.report..", "org.scalelab.web..",
                        "picocli..", "io.javalin..")
                .because("the same jobs serve the command line and spark-submit").check(CLASSES);
    }
}
