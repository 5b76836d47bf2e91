package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;
import org.scalelab.store.LabStore;

class OutputFolderTest {
    @TempDir
    Path dir;

    private static OutputFolder.Contents files(String... nameAndText) {
        return staging -> {
            for (int i = 0; i < nameAndText.length; i += 2) {
                Path f = staging.resolve(nameAndText[i]);
                Files.createDirectories(f.getParent());
                Files.writeString(f, nameAndText[i + 1]);
            }
        };
    }

    private List<String> entries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesANewFolderWithAMarkerListingEveryFileAndLeavesNothingBeside() throws Exception {
        Path out = OutputFolder.write("--out", dir.resolve("r"), null, "report", files("index.html", "one", "plots/a.svg", "<svg/>"));
        assertEquals(dir.resolve("r"), out);
        assertEquals("report", OutputFolder.kindOf(out));
        assertEquals(List.of("scalelab report", "index.html", "plots", "plots/a.svg"), Files.readAllLines(out.resolve(OutputFolder.MARKER)));
        assertEquals(List.of("r"), entries(dir), "no temporary sibling left");
    }

    @Test
    void aPreviousOutputOfTheSameKindIsReplacedWhole() throws Exception {
        Path r = dir.resolve("r");
        OutputFolder.write("--out", r, null, "report", files("index.html", "one", "old.svg", "x"));
        OutputFolder.write("--out", r, null, "report", files("index.html", "two"));
        assertEquals("two", Files.readString(r.resolve("index.html")));
        assertFalse(Files.exists(r.resolve("old.svg")), "the old report is replaced as a whole");
        assertEquals(List.of("r"), entries(dir), "the old report set aside is deleted");
    }

    @Test
    void aFolderHoldingAUserFileIsRefusedAndKept() throws Exception {
        Path r = Files.createDirectories(dir.resolve("r"));
        Files.writeString(r.resolve("notes.txt"), "mine");
        InputException e = assertThrows(InputException.class,
                () -> OutputFolder.write("--out", r, null, "report", files("index.html", "x")));
        assertTrue(e.getMessage().startsWith("--out " + r + ": holds notes.txt, which ScaleLab did not write there"), e.getMessage());
        assertEquals("mine", Files.readString(r.resolve("notes.txt")));
        assertEquals(List.of("notes.txt"), entries(r));
        assertEquals(List.of("r"), entries(dir), "no temporary sibling left");
    }

    @Test
    void aUserFileAddedToAPreviousOutputBlocksReplacingIt() throws Exception {
        Path r = dir.resolve("r");
        OutputFolder.write("--out", r, null, "report", files("index.html", "one", "plots/a.svg", "x"));
        Files.writeString(r.resolve("plots/my-edit.svg"), "mine");
        InputException e = assertThrows(InputException.class, () -> OutputFolder.write("--out", r, null, "report", files("index.html", "two")));
        assertTrue(e.getMessage().contains("holds plots/"), e.getMessage());
        assertEquals("mine", Files.readString(r.resolve("plots/my-edit.svg")));
        assertEquals("one", Files.readString(r.resolve("index.html")));
    }

    @Test
    void anOutputOfAnotherKindIsNotReplaced() throws Exception {
        Path w = dir.resolve("w");
        OutputFolder.write("--out", w, null, "world", files("world.json", "{}"));
        assertThrows(InputException.class, () -> OutputFolder.write("--out", w, null, "report", files("index.html", "x")));
        assertThrows(InputException.class, () -> OutputFolder.write("--out", w, null, null, files("config.json", "{}")));
        assertEquals("{}", Files.readString(w.resolve("world.json")));
    }

    @Test
    void aFailedWriteKeepsThePreviousOutputAndLeavesNoTemporaryFolder() throws Exception {
        Path r = dir.resolve("r");
        OutputFolder.write("--out", r, null, "report", files("index.html", "one"));
        RuntimeException boom = new IllegalStateException("plot failed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OutputFolder.write("--out", r, null, "report", staging -> {
            Files.writeString(staging.resolve("index.html"), "half");
            throw boom;
        }));
        assertEquals(boom, e);
        assertEquals("one", Files.readString(r.resolve("index.html")));
        assertEquals(List.of("r"), entries(dir));
        ScaleLabException io = assertThrows(ScaleLabException.class, () -> OutputFolder.write("--out", dir.resolve("n"), null, "report", staging -> {
            throw new IOException("disk full");
        }));
        assertTrue(io.getMessage().contains("disk full"), io.getMessage());
        assertEquals(List.of("r"), entries(dir), "a failed first write leaves no folder at all");
    }

    @Test
    void aSwapThatCannotMoveTheNewOutputInPutsTheOldOneBack() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(dir)),
                "needs a second file system for a rename that fails");
        Path r = dir.resolve("r");
        OutputFolder.write("--out", r, null, "report", files("index.html", "one"));
        // A finished output on another file system: setting the old report aside works, renaming the new one in cannot.
        Path elsewhere = Files.createTempDirectory(shm, "scalelab-output-test-");
        try {
            Files.writeString(elsewhere.resolve("index.html"), "two");
            ScaleLabException e = assertThrows(ScaleLabException.class, () -> OutputFolder.publish("--out", elsewhere, r, null, "report"));
            assertTrue(e.getMessage().contains("cannot move the finished output into place"), e.getMessage());
            assertEquals("one", Files.readString(r.resolve("index.html")), "the old report is back in place");
            assertEquals(List.of("r"), entries(dir), "nothing left aside");
        } finally {
            OutputFolder.discard(elsewhere);
        }
    }

    @Test
    void anEmptyFolderIsUsedAndAnOutputThatIsNeverReplacedGetsNoMarker() throws Exception {
        Path r = Files.createDirectories(dir.resolve("r"));
        OutputFolder.write("--out", r, null, null, files("config.json", "{}"));
        assertEquals(List.of("config.json"), entries(r));
        assertThrows(InputException.class, () -> OutputFolder.write("--out", r, null, null, files("config.json", "{}")));
    }

    @Test
    void aFileTheLabAndItsParentsAreNeverAnOutput() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        InputException f = assertThrows(InputException.class, () -> OutputFolder.check("--out", file, null, "report"));
        assertTrue(f.getMessage().contains("is a file, not a folder"), f.getMessage());
        Path lab = dir.resolve("lab");
        assertThrows(InputException.class, () -> OutputFolder.check("--out", lab, lab, "report"), "the lab, even before it exists");
        assertThrows(InputException.class, () -> OutputFolder.check("--out", dir, lab, "report"));
        assertThrows(InputException.class, () -> OutputFolder.check("--out", lab.resolve("x/.."), lab, "report"));
        Files.createDirectories(lab);
        Files.writeString(lab.resolve("scalelab.duckdb"), "store");
        InputException other = assertThrows(InputException.class, () -> OutputFolder.check("--out", lab, null, "report"));
        assertTrue(other.getMessage().contains("is a lab folder"), other.getMessage());
        assertThrows(InputException.class, () -> OutputFolder.checkFile("--out", lab.resolve("scalelab.duckdb"), null, true, "--force"));
        OutputFolder.check("--out", lab.resolve("reports/r"), lab, "report");
        Path link = Files.createSymbolicLink(dir.resolve("link"), lab);
        assertThrows(InputException.class, () -> OutputFolder.check("--out", link, null, "report"));
        assertEquals("store", Files.readString(lab.resolve("scalelab.duckdb")));
    }

    @Test
    void theStoreFileNameIsTheStoresOwn() {
        assertEquals(LabStore.FILE_NAME, OutputFolder.STORE_FILE);
    }

    @Test
    void anExistingFileIsReplacedOnlyWhenTheUserSaysSo() throws Exception {
        Path file = Files.writeString(dir.resolve("d.npy"), "mine");
        InputException e = assertThrows(InputException.class, () -> OutputFolder.checkFile("--out", file, null, false, "--force"));
        assertTrue(e.getMessage().endsWith("exists; choose another name, or add --force to replace it"), e.getMessage());
        assertEquals(file, OutputFolder.checkFile("--out", file, null, true, "--force"));
        assertThrows(InputException.class, () -> OutputFolder.checkFile("--out", dir, null, true, "--force"));
        assertEquals(dir.resolve("new.npy"), OutputFolder.checkFile("--out", dir.resolve("new.npy"), null, false, "--force"));
    }
}
