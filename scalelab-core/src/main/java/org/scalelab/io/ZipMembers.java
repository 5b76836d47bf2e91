package org.scalelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each member of a zip archive (an .npz) lies in the file, read from the central directory
 * (PKWARE APPNOTE.TXT §4.3.12–4.3.16, with the ZIP64 records numpy's {@code savez} writes), so that
 * uncompressed (STORED) members can be memory-mapped instead of copied. {@link java.util.zip.ZipFile}
 * exposes no offsets, hence this small reader.
 */
final class ZipMembers {
    private ZipMembers() {}

    /** One member: compression method (0 = stored), sizes, and the offset of its local header. */
    record Member(String name, int method, long compressedSize, long size, long localHeaderOffset) {
        boolean stored() {
            return method == 0 && compressedSize == size;
        }
    }

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long U32 = 0xFFFFFFFFL;

    /** All members by name, or an empty map when the directory cannot be read (callers fall back to ZipFile). */
    static Map<String, Member> list(FileChannel ch) throws IOException {
        Map<String, Member> out = new LinkedHashMap<>();
        long size = ch.size();
        int tail = (int) Math.min(size, 65_557);
        if (tail < 22) {
            return out;
        }
        ByteBuffer end = read(ch, size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return out;
        }
        long entries = Short.toUnsignedInt(end.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(end.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
        if ((entries == 0xFFFF || cdSize == U32 || cdOffset == U32) && eocd >= 20 && end.getInt(eocd - 20) == ZIP64_LOCATOR) {
            long z64 = end.getLong(eocd - 20 + 8);
            if (z64 < 0 || z64 > size - 56) {
                return out;
            }
            ByteBuffer r = read(ch, z64, 56);
            if (r.getInt(0) != ZIP64_EOCD) {
                return out;
            }
            entries = r.getLong(32);
            cdSize = r.getLong(40);
            cdOffset = r.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdSize > Integer.MAX_VALUE || cdOffset > size - cdSize) {
            return out;
        }
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
        int p = 0;
        for (long e = 0; e < entries && p + 46 <= cd.capacity(); e++) {
            if (cd.getInt(p) != CENTRAL) {
                return new LinkedHashMap<>();
            }
            int method = Short.toUnsignedInt(cd.getShort(p + 10));
            long csize = Integer.toUnsignedLong(cd.getInt(p + 20));
            long usize = Integer.toUnsignedLong(cd.getInt(p + 24));
            int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
            int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
            int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
            long local = Integer.toUnsignedLong(cd.getInt(p + 42));
            if (p + 46L + nameLen + extraLen > cd.capacity()) {
                return new LinkedHashMap<>();
            }
            byte[] name = new byte[nameLen];
            cd.get(p + 46, name);
            // ZIP64 extended information (id 0x0001): the 8-byte values of the fields set to 0xFFFFFFFF, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = Short.toUnsignedInt(cd.getShort(x));
                int len = Short.toUnsignedInt(cd.getShort(x + 2));
                if (id == 1) {
                    int q = x + 4;
                    int qEnd = Math.min(x + 4 + len, xEnd);
                    if (usize == U32 && q + 8 <= qEnd) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == U32 && q + 8 <= qEnd) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == U32 && q + 8 <= qEnd) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            String n = new String(name, StandardCharsets.UTF_8);
            out.put(n, new Member(n, method, csize, usize, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    /** The data of a stored member, memory-mapped (little-endian), or null if its local header disagrees. */
    static ByteBuffer map(FileChannel ch, Member m) throws IOException {
        if (!m.stored() || m.size() < 0 || m.size() > Integer.MAX_VALUE
                || m.localHeaderOffset() < 0 || m.localHeaderOffset() > ch.size() - 30) {
            return null;
        }
        ByteBuffer h = read(ch, m.localHeaderOffset(), 30);
        if (h.getInt(0) != LOCAL) {
            return null;
        }
        long data = m.localHeaderOffset() + 30 + Short.toUnsignedInt(h.getShort(26)) + Short.toUnsignedInt(h.getShort(28));
        if (data > ch.size() - m.size()) {
            return null;
        }
        return ch.map(FileChannel.MapMode.READ_ONLY, data, m.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer read(FileChannel ch, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                break;
            }
        }
        return b.clear();
    }
}
