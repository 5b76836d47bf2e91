package org.scalelab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The launcher's rule: a missing or failing script fails the test; only a missing Python module skips it. */
class PythonReferenceTest {

    @Test
    void aMissingScriptFailsTheTest() {
        AssertionError e = assertThrows(AssertionError.class, () -> PythonReference.run("bench/no_such_reference.py"));
        assertTrue(e.getMessage().contains("no_such_reference.py does not exist"), e.getMessage());
    }

    @Test
    void aMissingModuleSkipsTheTestNamingTheModule() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> PythonReference.requireModules("scalelab_no_such_module"));
        assertTrue(e.getMessage().contains("'scalelab_no_such_module'"), e.getMessage());
    }

    @Test
    void aScriptThatFailsOnAMissingImportSkipsNamingTheModule() {
        PythonReference.requireModules("json");
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> PythonReference.runCode("import scalelab_no_such_module.sub"));
        assertTrue(e.getMessage().contains("'scalelab_no_such_module'"), e.getMessage());
    }

    @Test
    void aScriptThatFailsOtherwiseFailsTheTest() {
        PythonReference.requireModules("json");
        AssertionError e = assertThrows(AssertionError.class, () -> PythonReference.runCode("raise SystemExit(3)"));
        assertTrue(e.getMessage().contains("exit 3"), e.getMessage());
        assertEquals("4\n", PythonReference.runCode("import sys; print(int(sys.argv[1]) * 2)", "2"));
    }
}
