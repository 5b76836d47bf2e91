package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scalelab.InputException;
import org.scalelab.io.NpyFile;

class NpyFileTest {
    @TempDir
    Path dir;

    private static final float[][] X = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9.5f}, {-1, 0, 1}};

    @Test
    void readsFloat32AndFloat64PointsWithOffsetsAndLabels() throws IOException {
        Path f4 = NpyTestFiles.floats(dir.resolve("x4.npy"), X);
        Path f8 = NpyTestFiles.doubles(dir.resolve("x8.npy"), X);
        Path offsets = NpyTestFiles.longs(dir.resolve("t.npy"), new long[] {0, 2});
        Path labels = NpyTestFiles.ints(dir.resolve("l.npy"), new long[] {3, 3, 7, 7});
        for (Path f : new Path[] {f4, f8}) {
            PointSet p = NpyPoints.load(f, offsets, labels);
            assertEquals(4, p.size());
            assertEquals(3, p.dimension());
            assertEquals(9.5f, p.get(2, 2));
            assertEquals(-1f, p.get(3, 0));
            assertEquals(2, p.trajectoryCount());
            assertEquals(2, p.trajectoryEnd(0));
            assertArrayEquals(new int[] {3, 3, 7, 7}, p.labels());
        }
    }

    @Test
    void readsNpzMembersByName() throws IOException {
        Path x = NpyTestFiles.floats(dir.resolve("points.npy"), X);
        Path t = NpyTestFiles.longs(dir.resolve("trajectories.npy"), new long[] {0, 1, 3});
        Path l = NpyTestFiles.longs(dir.resolve("labels.npy"), new long[] {0, 1, 0, 1});
        Path npz = dir.resolve("set.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
            for (Path member : new Path[] {x, t, l}) {
                z.putNextEntry(new ZipEntry(member.getFileName().toString()));
                z.write(Files.readAllBytes(member));
                z.closeEntry();
            }
        }
        PointSet p = NpyPoints.load(npz, null, null);
        assertEquals(4, p.size());
        assertEquals(3, p.trajectoryCount());
        assertEquals(8f, p.get(2, 1));
        assertTrue(p.hasLabels());
    }

    @Test
    void uncompressedNpzMembersReadAsPoints() throws IOException {
        Path x = NpyTestFiles.floats(dir.resolve("points.npy"), X);
        Path npz = dir.resolve("stored.npz");
        byte[] bytes = Files.readAllBytes(x);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
            z.setComment("an archive comment shifts the end record");
            ZipEntry other = new ZipEntry("notes.txt");
            z.putNextEntry(other);
            z.write("deflated".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            z.closeEntry();
            ZipEntry e = new ZipEntry("points.npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(bytes);
            z.closeEntry();
        }
        PointSet p = NpyPoints.load(npz, null, null);
        assertEquals(9.5f, p.get(2, 2));
        assertEquals(-1f, p.get(3, 0));
    }

    @Test
    void badFilesFailWithTheFileAndTheProblem() throws IOException {
        Path ints = NpyTestFiles.ints(dir.resolve("ints.npy"), new long[] {1, 2});
        assertMessage(() -> NpyPoints.readPoints(ints), "ints.npy", "dtype '<i4'");
        Path fortran = NpyTestFiles.raw(dir.resolve("f.npy"), NpyTestFiles.header("<f4", true, "(3, 2)"), 24);
        assertMessage(() -> NpyPoints.readPoints(fortran), "f.npy", "Fortran");
        Path truncated = NpyTestFiles.raw(dir.resolve("short.npy"), NpyTestFiles.header("<f4", false, "(3, 2)"), 20);
        assertMessage(() -> NpyPoints.readPoints(truncated), "short.npy", "truncated");
        Path oneD = NpyTestFiles.raw(dir.resolve("v.npy"), NpyTestFiles.header("<f4", false, "(6,)"), 24);
        assertMessage(() -> NpyPoints.readPoints(oneD), "v.npy", "2-D");
        Path nan = NpyTestFiles.floats(dir.resolve("nan.npy"), new float[][] {{1, 2}, {3, Float.NaN}});
        assertMessage(() -> NpyPoints.readPoints(nan), "nan.npy", "row 1 column 1 is NaN");
        Path inf = NpyTestFiles.floats(dir.resolve("inf.npy"), new float[][] {{Float.POSITIVE_INFINITY, 2}, {3, 4}});
        assertMessage(() -> NpyPoints.readPoints(inf), "inf.npy", "row 0");
        Path text = Files.writeString(dir.resolve("text.npy"), "hello, not numpy");
        assertMessage(() -> NpyPoints.readPoints(text), "text.npy", "magic");
        assertMessage(() -> NpyPoints.readPoints(dir.resolve("missing.npy")), "missing.npy", "no such file");
    }

    @Test
    void craftedHeaderSizesAreInputErrorsNamingTheField() throws IOException {
        Path huge = NpyTestFiles.raw(dir.resolve("huge.npy"), NpyTestFiles.header("<f4", false, "(4611686018427387904, 8)"), 32);
        assertMessage(() -> NpyPoints.readPoints(huge), "huge.npy", "'shape'", "2^63 bytes");
        Path negative = NpyTestFiles.raw(dir.resolve("neg.npy"), NpyTestFiles.header("<f4", false, "(-60, 8)"), 32);
        assertMessage(() -> NpyPoints.readPoints(negative), "neg.npy", "'shape'", "negative size -60");
        Path wide = NpyTestFiles.raw(dir.resolve("wide.npy"), NpyTestFiles.header("<f4", false, "(3000000000, 0)"), 32);
        assertMessage(() -> NpyPoints.readPoints(wide), "wide.npy", "'shape'", "3000000000");
        Path word = NpyTestFiles.raw(dir.resolve("word.npy"), NpyTestFiles.header("<f4", false, "(x, 8)"), 32);
        assertMessage(() -> NpyPoints.readPoints(word), "word.npy", "'shape'", "'x'");
        Path longOffsets = NpyTestFiles.raw(dir.resolve("t.npy"), NpyTestFiles.header("<i8", false, "(3000000000,)"), 32);
        assertMessage(() -> NpyFile.readIntegers(longOffsets), "t.npy", "truncated");
        Path npz = dir.resolve("huge.npz");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(npz))) {
            z.putNextEntry(new java.util.zip.ZipEntry("points.npy"));
            z.write(Files.readAllBytes(huge));
            z.closeEntry();
        }
        assertMessage(() -> NpyFile.readNpz(npz), "huge.npz:points", "'shape'");
        // A version-2 header whose 4-byte length has the top bit set.
        byte[] v2 = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, (byte) 0x80}, 0, v2, 0, 12);
        Path absurd = Files.write(dir.resolve("absurd.npy"), v2);
        assertMessage(() -> NpyPoints.readPoints(absurd), "absurd.npy", "header length 2147483648");
    }

    @Test
    void offsetsAndLabelsAreValidatedAgainstThePoints() throws IOException {
        Path x = NpyTestFiles.floats(dir.resolve("x.npy"), X);
        Path shortLabels = NpyTestFiles.longs(dir.resolve("l.npy"), new long[] {1, 2, 3});
        assertMessage(() -> NpyPoints.load(x, null, shortLabels), "l.npy", "3 labels for 4 points");
        Path unordered = NpyTestFiles.longs(dir.resolve("t.npy"), new long[] {0, 3, 2});
        assertMessage(() -> NpyPoints.load(x, unordered, null), "t.npy", "increase");
        Path outside = NpyTestFiles.longs(dir.resolve("t2.npy"), new long[] {0, 4});
        assertMessage(() -> NpyPoints.load(x, outside, null), "t2.npy", "outside");
        Path floatsAsOffsets = NpyTestFiles.floats(dir.resolve("t3.npy"), new float[][] {{0}});
        assertMessage(() -> NpyPoints.load(x, floatsAsOffsets, null), "t3.npy", "1-D");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        InputException e = assertThrows(InputException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
