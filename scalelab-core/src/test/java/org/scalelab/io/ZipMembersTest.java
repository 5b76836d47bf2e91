package org.scalelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipMembersTest {
    @TempDir
    Path dir;

    @Test
    void uncompressedNpzMembersAreMemoryMappedFromTheCentralDirectory() throws IOException {
        byte[] bytes = new byte[200];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Path npz = dir.resolve("stored.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
            z.setComment("an archive comment shifts the end record");
            ZipEntry other = new ZipEntry("notes.txt");
            z.putNextEntry(other);
            z.write("deflated".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            ZipEntry e = new ZipEntry("points.npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(bytes);
            z.closeEntry();
        }
        try (FileChannel ch = FileChannel.open(npz)) {
            var members = ZipMembers.list(ch);
            assertTrue(members.get("points.npy").stored());
            assertTrue(!members.get("notes.txt").stored());
            ByteBuffer mapped = ZipMembers.map(ch, members.get("points.npy"));
            assertEquals(bytes.length, mapped.capacity());
            assertEquals(bytes[bytes.length - 1], mapped.get(bytes.length - 1));
        }
    }
}
